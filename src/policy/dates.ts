/**
 * Dates shared by conditions and transformer functions: ISO 8601 dates and date-times as HR
 * systems write them, and relative dates (`now`, `today+3d`) resolved against an injected clock.
 * A date without time is midnight UTC and a date-time without zone is UTC, as in the SCIM filter
 * code, so results never depend on the host's time zone.
 */

/** A point in time, with the zone its text was written in so output can keep it. */
export interface ParsedDate {
  /** Milliseconds since the epoch. */
  readonly ms: number
  /** True for `2026-12-01`: no time of day was written. */
  readonly dateOnly: boolean
  /** Offset from UTC in minutes of the written zone (0 for `Z` or none). */
  readonly offsetMinutes: number
  /** The zone as written, normalized: `''` (none), `Z` or `+02:00`. */
  readonly zone: string
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/** Days in a month (1-12) of a year. */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 31)

/** Milliseconds of a UTC calendar time; years below 100 are taken as written, not as 19xx. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0) {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, ms)
  return date.getTime()
}

/** A valid calendar date and time of day, or false (February 30th, 24:00 and 12:60 are not). */
export function isValidCalendar(year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  )
}

/** Reads `2026-12-01`, `2026-12-01T09:30`, `2026-12-01 09:30:00.5+02:00` and the like. */
export function parseIsoDate(text: string): ParsedDate | undefined {
  const m = ISO.exec(text.trim())
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (!isValidCalendar(year, month, day, hour, minute, second)) return undefined
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  let offsetMinutes = 0
  let zone = m[8] === undefined ? '' : 'Z'
  if (m[9] !== undefined) {
    const hours = Number(m[10])
    const minutes = Number(m[11])
    if (hours > 14 || minutes > 59) return undefined
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes)
    zone = `${m[9]}${m[10]}:${m[11]}`
  }
  const wall = utcMs(year, month, day, hour, minute, second, fraction)
  return { ms: wall - offsetMinutes * 60_000, dateOnly: m[4] === undefined, offsetMinutes, zone }
}

/** The calendar fields of an instant seen in a zone offset. */
export function wallClock(ms: number, offsetMinutes: number) {
  const d = new Date(ms + offsetMinutes * 60_000)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  }
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0')

/** ISO text of a date in the shape it was read: `2026-12-04`, or `2026-12-04T09:30:00+02:00`. */
export function formatIso(date: ParsedDate): string {
  const w = wallClock(date.ms, date.offsetMinutes)
  const year = w.year < 0 ? `-${pad(w.year, 6)}` : w.year > 9999 ? `+${pad(w.year, 6)}` : pad(w.year, 4)
  const day = `${year}-${pad(w.month)}-${pad(w.day)}`
  if (date.dateOnly) return day
  const ms = w.millisecond === 0 ? '' : `.${pad(w.millisecond, 3)}`
  return `${day}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${ms}${date.zone}`
}

/** Adds calendar months, keeping the time and clamping the day: January 31st + 1 month = February 28th or 29th. */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms)
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months
  const year = Math.floor(total / 12)
  const month = total - year * 12 + 1
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month))
  return utcMs(
    year,
    month,
    day,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  )
}

/** `now` or `today`, plus a signed offset: the parsed form of `"today+3d"`. */
export interface RelativeDate {
  readonly base: 'now' | 'today'
  readonly offsetMs: number
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}
const RELATIVE = /^(now|today)(?:\s*([+-])\s*(\d{1,6})\s*([smhdw]))?$/
const LOOKS_RELATIVE = /^(now|today)\s*[+-]/

/** How to write a relative date, for error messages. */
export const RELATIVE_DATE_FORM =
  'now or today, optionally followed by +N or -N and a unit s, m, h, d or w (e.g. "today+3d")'

/**
 * Reads a relative date. Only lower-case `now` and `today` are relative, so a condition can still
 * compare with the word itself as `"Now"` (comparisons ignore case). A string that starts like one
 * but does not parse (`now+3x`) gives a problem instead of passing silently as text.
 */
export function parseRelativeDate(text: string): RelativeDate | { problem: string } | undefined {
  const m = RELATIVE.exec(text)
  if (!m) {
    return LOOKS_RELATIVE.test(text)
      ? { problem: `invalid relative date ${JSON.stringify(text)}: write ${RELATIVE_DATE_FORM}` }
      : undefined
  }
  const base = m[1] === 'today' ? 'today' : 'now'
  if (m[2] === undefined) return { base, offsetMs: 0 }
  const offsetMs = Number(m[3]) * (UNIT_MS[m[4] ?? 'd'] ?? 0) * (m[2] === '-' ? -1 : 1)
  return { base, offsetMs }
}

/** Milliseconds of a relative date at `now`; `today` is midnight UTC of the current UTC day. */
export function resolveRelativeDate(relative: RelativeDate, now: Date): number {
  const nowMs = now.getTime()
  const base = relative.base === 'now' ? nowMs : nowMs - (((nowMs % 86_400_000) + 86_400_000) % 86_400_000)
  return base + relative.offsetMs
}
