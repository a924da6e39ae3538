import { describe, expect, it } from 'vitest'
import { DurationError, formatDuration, parseConfig, parseDuration } from '../../src/config/index.ts'
import { issuesOf, yaml } from './config-support.ts'

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['6h', 21_600_000],
    ['1d', 86_400_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['6 hours', '6', 'h', '1.5h', '-1h', '6H', '1w', ''])(
    'rejects %j with the accepted forms',
    (text) => {
      expect(() => parseDuration(text)).toThrow(DurationError)
      expect(() => parseDuration(text)).toThrow(/write a number and a unit \(ms, s, m, h, d\) with no space/)
    },
  )

  it('formats milliseconds back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(86_400_000 + 1_500)).toBe('1d1s500ms')
    expect(formatDuration(0)).toBe('0s')
  })

  it('the schedule defaults to 6h, and an integration inherits it unless it sets its own', () => {
    const config = parseConfig(
      yaml(
        'integrations:',
        '  a: { url: "https://a.example" }',
        '  b: { url: "https://b.example", extractionInterval: 15m }',
      ),
      'provisio.yaml',
      {},
    )
    expect(config.extraction.interval).toBe(21_600_000)
    expect(config.integrations.a?.extractionInterval).toBe(21_600_000)
    expect(config.integrations.b?.extractionInterval).toBe(900_000)
    expect(parseConfig('extraction: { interval: 1d }', 'provisio.yaml', {}).extraction.interval).toBe(
      86_400_000,
    )
  })

  it('a bad or unitless duration in the file is reported at its position', () => {
    expect(issuesOf(yaml('extraction:', '  interval: 6 hours'))).toEqual([
      {
        path: 'extraction.interval',
        line: 2,
        column: 13,
        message:
          '"6 hours" is not a duration; write a number and a unit (ms, s, m, h, d) with no space, e.g. 30s, 15m, 6h, 1d or 1h30m',
      },
    ])
    expect(issuesOf(yaml('extraction:', '  interval: 3600'))).toEqual([
      {
        path: 'extraction.interval',
        line: 2,
        column: 13,
        message: 'expected a duration with a unit, e.g. 30s, 15m, 6h or 1d',
      },
    ])
  })
})
