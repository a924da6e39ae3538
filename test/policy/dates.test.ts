import { describe, expect, it } from 'vitest'
import {
  addMonths,
  formatIso,
  parseIsoDate,
  parseRelativeDate,
  resolveRelativeDate,
} from '../../src/policy/dates.ts'

const ms = (text: string): number => Date.parse(text)

describe('parseIsoDate', () => {
  it('reads a date as midnight UTC', () => {
    expect(parseIsoDate('2026-12-01')).toEqual({
      ms: ms('2026-12-01T00:00:00Z'),
      dateOnly: true,
      offsetMinutes: 0,
      zone: '',
    })
  })

  it('reads date-times with T or a space, with or without seconds, fractions and zone', () => {
    expect(parseIsoDate('2026-12-01T09:30')?.ms).toBe(ms('2026-12-01T09:30:00Z'))
    expect(parseIsoDate('2026-12-01 09:30:15')?.ms).toBe(ms('2026-12-01T09:30:15Z'))
    expect(parseIsoDate('2026-12-01T09:30:15.123456Z')?.ms).toBe(ms('2026-12-01T09:30:15.123Z'))
    expect(parseIsoDate('2026-12-01T09:30:00+02:00')).toEqual({
      ms: ms('2026-12-01T07:30:00Z'),
      dateOnly: false,
      offsetMinutes: 120,
      zone: '+02:00',
    })
    expect(parseIsoDate('2026-12-01T09:30:00-0530')?.zone).toBe('-05:30')
    expect(parseIsoDate('2026-12-01t09:30:00z')?.zone).toBe('Z')
  })

  it('does not depend on the host time zone: a date-time without zone is UTC', () => {
    expect(parseIsoDate('2026-06-01T12:00:00')?.ms).toBe(ms('2026-06-01T12:00:00Z'))
  })

  it('reads years below 100 as written', () => {
    expect(new Date(parseIsoDate('0050-01-01')?.ms ?? 0).getUTCFullYear()).toBe(50)
  })

  it('refuses impossible days and times and other forms', () => {
    for (const text of [
      '2026-02-29',
      '2026-04-31',
      '2026-00-10',
      '2026-12-01T24:00',
      '2026-12-01T10:60',
      '2026-12-01T10:00+15:00',
      '12/01/2026',
      '2026-1-1',
      '20261201',
      '',
    ]) {
      expect(parseIsoDate(text), text).toBeUndefined()
    }
    expect(parseIsoDate('2028-02-29')).toBeDefined()
  })
})

describe('relative dates', () => {
  const now = new Date('2026-11-28T15:00:00Z')

  it('reads now and today with signed offsets in s, m, h, d and w', () => {
    expect(parseRelativeDate('now')).toEqual({ base: 'now', offsetMs: 0 })
    expect(parseRelativeDate('today+3d')).toEqual({ base: 'today', offsetMs: 3 * 86_400_000 })
    expect(parseRelativeDate('now-12h')).toEqual({ base: 'now', offsetMs: -12 * 3_600_000 })
    expect(parseRelativeDate('now + 90s')).toEqual({ base: 'now', offsetMs: 90_000 })
    expect(parseRelativeDate('now-5m')).toEqual({ base: 'now', offsetMs: -300_000 })
    expect(parseRelativeDate('today-1w')).toEqual({ base: 'today', offsetMs: -604_800_000 })
  })

  it('leaves other text alone and names the problem of a near miss', () => {
    expect(parseRelativeDate('Now')).toBeUndefined()
    expect(parseRelativeDate('nowhere')).toBeUndefined()
    expect(parseRelativeDate('today is fine')).toBeUndefined()
    expect(parseRelativeDate('now+3x')).toEqual({
      problem: expect.stringMatching(/^invalid relative date "now\+3x"/),
    })
    expect(parseRelativeDate('today+')).toEqual({ problem: expect.any(String) })
    expect(parseRelativeDate('now+1234567d')).toEqual({ problem: expect.any(String) })
  })

  it('resolves now to the clock and today to midnight UTC of its day', () => {
    expect(resolveRelativeDate({ base: 'now', offsetMs: 0 }, now)).toBe(now.getTime())
    expect(resolveRelativeDate({ base: 'today', offsetMs: 0 }, now)).toBe(ms('2026-11-28T00:00:00Z'))
    expect(resolveRelativeDate({ base: 'today', offsetMs: 86_400_000 }, now)).toBe(ms('2026-11-29T00:00:00Z'))
    expect(resolveRelativeDate({ base: 'today', offsetMs: 0 }, new Date('1969-12-31T12:00:00Z'))).toBe(
      ms('1969-12-31T00:00:00Z'),
    )
  })
})

describe('calendar arithmetic and output', () => {
  it('adds months clamping the day and keeping the time', () => {
    expect(addMonths(ms('2026-01-31T10:00:00Z'), 1)).toBe(ms('2026-02-28T10:00:00Z'))
    expect(addMonths(ms('2026-03-31T00:00:00Z'), -1)).toBe(ms('2026-02-28T00:00:00Z'))
    expect(addMonths(ms('2026-12-15T00:00:00Z'), 1)).toBe(ms('2027-01-15T00:00:00Z'))
    expect(addMonths(ms('2026-01-15T00:00:00Z'), -13)).toBe(ms('2024-12-15T00:00:00Z'))
  })

  it('writes a date back in the shape it was read', () => {
    for (const text of [
      '2026-12-01',
      '2026-12-01T09:30:00+02:00',
      '2026-12-01T09:30:00Z',
      '2026-12-01T09:30:00.250',
    ]) {
      const parsed = parseIsoDate(text)
      expect(parsed && formatIso(parsed)).toBe(text)
    }
  })
})
