import { describe, expect, it } from 'vitest'
import { TemplateEvaluationError, TemplateSyntaxError } from '../../../src/policy/template/errors.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { apply, NOW, render, templateError } from './helpers.ts'

describe('date_format output', () => {
  it('writes ISO dates with layout tokens', () => {
    expect(apply('date_format DD/MM/YYYY', '2026-12-01')).toBe('01/12/2026')
    expect(apply('date_format "D MMMM YYYY"', '2026-03-05')).toBe('5 March 2026')
    expect(apply('date_format YYMMDD', '2026-03-05')).toBe('260305')
  })

  it('knows every documented token', () => {
    const layout = '"dddd ddd, MMMM MMM M MM, D DD, YYYY YY, H HH h hh:mm:ss.SSS A Z"'
    expect(apply(`date_format ${layout}`, '2026-03-05T14:07:09.045Z')).toBe(
      'Thursday Thu, March Mar 3 03, 5 05, 2026 26, 14 14 2 02:07:09.045 PM Z',
    )
    expect(apply('date_format "h A"', '2026-03-05T00:30:00Z')).toBe('12 AM')
    expect(apply('date_format "h A"', '2026-03-05T12:30:00Z')).toBe('12 PM')
  })

  it('writes text in brackets, and characters that are no token, as they are', () => {
    expect(apply('date_format "[Day] D, [at] HH:mm"', '2026-03-05T09:15:00Z')).toBe('Day 5, at 09:15')
    expect(apply('date_format YYYY-MM-DD[T]HH:mm:ssZ', '2026-03-05T09:15:00Z')).toBe('2026-03-05T09:15:00Z')
  })

  it('keeps the wall clock and zone the date was written in', () => {
    expect(apply('date_format YYYY-MM-DD', '2026-12-01T00:30:00+02:00')).toBe('2026-12-01')
    expect(apply('date_format "HH:mm Z"', '2026-12-01T00:30:00+02:00')).toBe('00:30 +02:00')
    expect(apply('date_format "HH:mm Z"', '2026-12-01T00:30:00-0530')).toBe('00:30 -05:30')
    expect(apply('date_format "HH:mm Z"', '2026-12-01T00:30:00')).toBe('00:30 Z')
  })

  it('reads the ISO forms HR systems write', () => {
    expect(apply('date_format YYYY-MM-DD', '2026-12-01 09:30')).toBe('2026-12-01')
    expect(apply('date_format HH:mm:ss.SSS', '2026-12-01T09:30:15,5Z')).toBe('09:30:15.500')
    expect(apply('date_format YYYY', ' 2026-12-01 ')).toBe('2026')
  })

  it('reads relative dates from the clock', () => {
    expect(render('{"today" | date_format YYYY-MM-DD}')).toBe('2026-11-28')
    expect(render('{"today+3d" | date_format dddd}')).toBe('Tuesday')
    expect(render('{"now-90m" | date_format HH:mm}')).toBe('13:30')
    expect(render('{end_date | default "today+30d" | date_format YYYY-MM-DD}', {})).toBe('2026-12-28')
  })

  it('gives empty for an empty or missing value', () => {
    expect(apply('date_format YYYY', '')).toBe('')
    expect(render('[{hired | date_format YYYY}]')).toBe('[]')
  })

  it('refuses a value that is not a date, or not a real day', () => {
    for (const value of ['soon', '2026-02-30', '2026-13-01', '2026-12-01T24:00:00Z', '01/12/2026']) {
      const error = templateError(() => apply('date_format YYYY', value))
      expect(error).toBeInstanceOf(TemplateEvaluationError)
      expect(error.problem).toContain(`cannot read ${JSON.stringify(value)} as a date`)
    }
    expect(apply('date_format MM-DD', '2028-02-29')).toBe('02-29')
  })

  it('refuses an unclosed bracket at parse time, at the layout', () => {
    const error = templateError(() => parseTemplate('{d | date_format "[Day D"}'))
    expect(error).toBeInstanceOf(TemplateSyntaxError)
    expect(error.problem).toBe(`date_format: unclosed '[' in date layout "[Day D"`)
    expect(error.column).toBe(18)
  })
})

describe('date_format input layouts', () => {
  it('reads dates in the given layout', () => {
    expect(apply('date_format YYYY-MM-DD, MM/DD/YYYY', '12/01/2026')).toBe('2026-12-01')
    expect(apply('date_format YYYY-MM-DD, DD.MM.YYYY', '01.12.2026')).toBe('2026-12-01')
    expect(apply('date_format YYYY-MM-DD, M/D/YYYY', '1/2/2026')).toBe('2026-01-02')
    expect(apply('date_format YYYY-MM-DD, "D MMMM YYYY"', '5 march 2026')).toBe('2026-03-05')
    expect(apply('date_format YYYY-MM-DD, "ddd, D MMM YYYY"', 'Thu, 5 Mar 2026')).toBe('2026-03-05')
  })

  it('reads times, 12-hour clocks and zones', () => {
    expect(apply('date_format "YYYY-MM-DD HH:mm", "M/D/YYYY h:mm A"', '3/1/2026 2:05 PM')).toBe(
      '2026-03-01 14:05',
    )
    expect(apply('date_format "HH:mm", "M/D/YYYY h:mm A"', '3/1/2026 12:05 am')).toBe('00:05')
    expect(apply('date_format "HH:mm Z", "DD/MM/YYYY HH:mm Z"', '01/12/2026 09:00 +0100')).toBe(
      '09:00 +01:00',
    )
  })

  it('pivots two-digit years as POSIX does: 69-99 in the 1900s, 00-68 in the 2000s', () => {
    expect(apply('date_format YYYY, DD/MM/YY', '01/12/69')).toBe('1969')
    expect(apply('date_format YYYY, DD/MM/YY', '01/12/68')).toBe('2068')
  })

  it('refuses a value that does not fit the layout or is no real day', () => {
    expect(() => apply('date_format YYYY, DD/MM/YYYY', '2026-12-01')).toThrow(
      'date_format: cannot read "2026-12-01" as a date in layout DD/MM/YYYY',
    )
    expect(() => apply('date_format YYYY, DD/MM/YYYY', '31/02/2026')).toThrow(TemplateEvaluationError)
    expect(() => apply('date_format YYYY, "M/D/YYYY h A"', '3/1/2026 13 PM')).toThrow(TemplateEvaluationError)
  })

  it('refuses a layout without year, month and day, or a 12-hour clock without AM/PM, at parse time', () => {
    expect(() => parseTemplate('{d | date_format YYYY, MM/YYYY}')).toThrow(/must contain a year .* and a day/)
    const error = templateError(() => parseTemplate('{d | date_format YYYY, "DD/MM/YYYY hh:mm"}'))
    expect(error.problem).toMatch(/12-hour clock \(hh or h\) and AM\/PM \(A\) go together/)
    expect(error.column).toBe(24)
  })
})

describe('date_add', () => {
  it('adds and subtracts days and weeks', () => {
    expect(apply('date_add 3, days', '2026-12-30')).toBe('2027-01-02')
    expect(apply('date_add -1, day', '2026-03-01')).toBe('2026-02-28')
    expect(apply('date_add 2, weeks', '2026-12-01')).toBe('2026-12-15')
    expect(apply('date_add 0, days', '2026-12-01')).toBe('2026-12-01')
  })

  it('adds calendar months and years, clamping to the last day of a shorter month', () => {
    expect(apply('date_add 1, month', '2026-01-31')).toBe('2026-02-28')
    expect(apply('date_add 1, months', '2028-01-31')).toBe('2028-02-29')
    expect(apply('date_add -13, months', '2026-03-15')).toBe('2025-02-15')
    expect(apply('date_add 1, year', '2024-02-29')).toBe('2025-02-28')
    expect(apply('date_add 4, YEARS', '2024-02-29')).toBe('2028-02-29')
  })

  it('keeps the time and zone of a date-time', () => {
    expect(apply('date_add 1, day', '2026-12-01T09:30:00+02:00')).toBe('2026-12-02T09:30:00+02:00')
    expect(apply('date_add 1, month', '2026-01-31T23:00:00-05:00')).toBe('2026-02-28T23:00:00-05:00')
    expect(apply('date_add 90, minutes', '2026-12-01T23:00:00Z')).toBe('2026-12-02T00:30:00Z')
    expect(apply('date_add 1, second', '2026-12-01T00:00:00.250')).toBe('2026-12-01T00:00:01.250')
  })

  it('turns a date into a date-time when hours, minutes or seconds are added', () => {
    expect(apply('date_add 5, hours', '2026-12-01')).toBe('2026-12-01T05:00:00')
  })

  it('starts from the clock for relative dates', () => {
    expect(render('{"today" | date_add 1, month}')).toBe('2026-12-28')
    expect(render('{"now" | date_add -1, hour}')).toBe('2026-11-28T14:00:00Z')
  })

  it('chains with date_format', () => {
    expect(render('{hired | date_add 90, days | date_format DD/MM/YYYY}', { hired: '2026-11-01' })).toBe(
      '30/01/2027',
    )
  })

  it('gives empty for an empty value and refuses what is not an ISO date', () => {
    expect(apply('date_add 1, day', '')).toBe('')
    expect(() => apply('date_add 1, day', '12/01/2026')).toThrow(/cannot read "12\/01\/2026" as a date/)
  })

  it('refuses a result outside the range of dates', () => {
    expect(() => apply('date_add 999999999, years', '2026-01-01')).toThrow(/is out of range/)
  })

  it('checks amount and unit at parse time', () => {
    expect(() => parseTemplate('{d | date_add 1.5, days}')).toThrow(/AMOUNT must be a whole number/)
    expect(() => parseTemplate('{d | date_add 1, fortnights}')).toThrow(
      'UNIT must be one of days, weeks, months, years, hours, minutes, seconds, found "fortnights"',
    )
    expect(() => parseTemplate('{d | date_add 1}')).toThrow(/date_add takes 2 arguments/)
  })

  it('uses the clock passed in, not the machine clock', () => {
    const later = new Date(NOW.getTime() + 86_400_000)
    expect(render('{"today" | date_add 1, day}', {}, later)).toBe('2026-11-30')
  })
})
