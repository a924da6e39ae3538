/**
 * Date layouts of `date_format`: tokens such as `YYYY-MM-DD` for writing a date, and for reading
 * one that is not ISO 8601 (`DD/MM/YYYY`). Text in `[brackets]` is literal; any other character
 * that is not part of a token is literal too.
 */
import { isValidCalendar, type ParsedDate, utcMs, wallClock } from '../dates.ts'

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** Longest first, so `MMMM` is not read as `MM` twice. */
const TOKENS = [
  'YYYY',
  'MMMM',
  'dddd',
  'MMM',
  'ddd',
  'SSS',
  'YY',
  'MM',
  'DD',
  'HH',
  'hh',
  'mm',
  'ss',
  'M',
  'D',
  'H',
  'h',
  'A',
  'Z',
]

type Piece = { token: string } | { literal: string }

/** Splits a layout into tokens and literal text; a problem for an unclosed `[`. */
export function splitLayout(layout: string): Piece[] | { problem: string } {
  const pieces: Piece[] = []
  let i = 0
  while (i < layout.length) {
    if (layout[i] === '[') {
      const close = layout.indexOf(']', i + 1)
      if (close < 0) return { problem: `unclosed '[' in date layout ${JSON.stringify(layout)}` }
      pieces.push({ literal: layout.slice(i + 1, close) })
      i = close + 1
      continue
    }
    const token = TOKENS.find((t) => layout.startsWith(t, i))
    if (token === undefined) {
      pieces.push({ literal: layout[i] as string })
      i++
    } else {
      pieces.push({ token })
      i += token.length
    }
  }
  return pieces
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** Writes a date with a layout, in the zone it was read in (UTC when it had none). */
export function formatDate(date: ParsedDate, pieces: readonly Piece[]): string {
  const w = wallClock(date.ms, date.offsetMinutes)
  const hour12 = w.hour % 12 === 0 ? 12 : w.hour % 12
  const values: Readonly<Record<string, string>> = {
    YYYY: pad(w.year, 4),
    YY: pad(w.year % 100),
    MMMM: MONTHS[w.month - 1] ?? '',
    MMM: (MONTHS[w.month - 1] ?? '').slice(0, 3),
    MM: pad(w.month),
    M: String(w.month),
    DD: pad(w.day),
    D: String(w.day),
    dddd: WEEKDAYS[w.weekday] ?? '',
    ddd: (WEEKDAYS[w.weekday] ?? '').slice(0, 3),
    HH: pad(w.hour),
    H: String(w.hour),
    hh: pad(hour12),
    h: String(hour12),
    mm: pad(w.minute),
    ss: pad(w.second),
    SSS: pad(w.millisecond, 3),
    A: w.hour < 12 ? 'AM' : 'PM',
    Z: date.zone === '' ? 'Z' : date.zone,
  }
  return pieces.map((p) => ('literal' in p ? p.literal : (values[p.token] ?? ''))).join('')
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const PATTERNS: Readonly<Record<string, string>> = {
  YYYY: '(\\d{4})',
  YY: '(\\d{2})',
  MMMM: `(${MONTHS.join('|')})`,
  MMM: `(${MONTHS.map((m) => m.slice(0, 3)).join('|')})`,
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
  dddd: `(${WEEKDAYS.join('|')})`,
  ddd: `(${WEEKDAYS.map((d) => d.slice(0, 3)).join('|')})`,
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  hh: '(\\d{2})',
  h: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{3})',
  A: '(AM|PM)',
  Z: '(Z|[+-]\\d{2}:?\\d{2})',
}

/** A reader of dates written in one layout; undefined from it means the text does not fit. */
export type DateReader = (text: string) => ParsedDate | undefined

const monthIndex = (name: string): number =>
  MONTHS.findIndex((m) => m.slice(0, name.length).toLowerCase() === name.toLowerCase()) + 1

/** Compiles an input layout, which must name the year, month and day. */
export function layoutReader(pieces: readonly Piece[]): DateReader | { problem: string } {
  const tokens = pieces.flatMap((p) => ('token' in p ? [p.token] : []))
  const has = (...names: string[]): boolean => names.some((n) => tokens.includes(n))
  if (!has('YYYY', 'YY') || !has('MMMM', 'MMM', 'MM', 'M') || !has('DD', 'D')) {
    return {
      problem:
        'an input layout must contain a year (YYYY or YY), a month (MM, M, MMM or MMMM) and a day (DD or D)',
    }
  }
  if (has('hh', 'h') !== has('A'))
    return { problem: 'a 12-hour clock (hh or h) and AM/PM (A) go together in an input layout' }
  const pattern = new RegExp(
    `^${pieces.map((p) => ('literal' in p ? escapeRegExp(p.literal) : PATTERNS[p.token])).join('')}$`,
    'i',
  )
  const dateOnly = !has('HH', 'H', 'hh', 'h')
  return (text) => {
    const match = pattern.exec(text.trim())
    if (!match) return undefined
    const f = {
      year: 0,
      month: 0,
      day: 0,
      hour: 0,
      minute: 0,
      second: 0,
      ms: 0,
      pm: false,
      offset: 0,
      zone: '',
    }
    tokens.forEach((token, i) => {
      const raw = match[i + 1] ?? ''
      const n = Number(raw)
      if (token === 'YYYY') f.year = n
      // Two-digit years pivot as POSIX strptime does: 69-99 are 19xx, 00-68 are 20xx.
      else if (token === 'YY') f.year = n >= 69 ? 1900 + n : 2000 + n
      else if (token === 'MMMM' || token === 'MMM') f.month = monthIndex(raw)
      else if (token === 'MM' || token === 'M') f.month = n
      else if (token === 'DD' || token === 'D') f.day = n
      else if (token === 'HH' || token === 'H' || token === 'hh' || token === 'h') f.hour = n
      else if (token === 'mm') f.minute = n
      else if (token === 'ss') f.second = n
      else if (token === 'SSS') f.ms = n
      else if (token === 'A') f.pm = raw.toUpperCase() === 'PM'
      else if (token === 'Z' && raw.toUpperCase() !== 'Z') {
        const digits = raw.replace(':', '')
        f.offset = (raw[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)))
        f.zone = `${digits.slice(0, 3)}:${digits.slice(3, 5)}`
      } else if (token === 'Z') f.zone = 'Z'
    })
    if (has('A')) {
      if (f.hour < 1 || f.hour > 12) return undefined
      f.hour = (f.hour % 12) + (f.pm ? 12 : 0)
    }
    if (!isValidCalendar(f.year, f.month, f.day, f.hour, f.minute, f.second)) return undefined
    const wall = utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second, f.ms)
    return { ms: wall - f.offset * 60_000, dateOnly, offsetMinutes: f.offset, zone: f.zone }
  }
}
