/**
 * `date_format` and `date_add`. Input is ISO 8601 (`2026-12-01`, `2026-12-01T09:30:00+02:00`),
 * a relative date (`now`, `today+3d`, so `{"today" | date_format YYYY}` works), or for
 * `date_format` a date in a given input layout. Output keeps the zone the input was written in.
 */
import {
  addMonths,
  formatIso,
  type ParsedDate,
  parseIsoDate,
  parseRelativeDate,
  resolveRelativeDate,
} from '../dates.ts'
import { formatDate, layoutReader, splitLayout } from './date-layouts.ts'
import {
  type Apply,
  type Args,
  type EvaluationEnv,
  FunctionProblem,
  type FunctionSpec,
} from './function-contract.ts'

const ISO_EXAMPLE = 'ISO 8601 such as 2026-12-01 or 2026-12-01T09:30:00Z, or a relative date such as today+3d'
/** Date's own range: ±100,000,000 days around 1970. */
const MAX_MS = 8.64e15

/** Reads an ISO or relative date; throws a problem naming what was expected. */
function readDate(value: string, env: EvaluationEnv): ParsedDate {
  const relative = parseRelativeDate(value.trim())
  if (relative !== undefined && !('problem' in relative)) {
    const ms = resolveRelativeDate(relative, env.now)
    const today = relative.base === 'today' && relative.offsetMs % 86_400_000 === 0
    return { ms, dateOnly: today, offsetMinutes: 0, zone: today ? '' : 'Z' }
  }
  const date = parseIsoDate(value)
  if (date === undefined)
    throw new FunctionProblem(`cannot read ${JSON.stringify(value)} as a date (expected ${ISO_EXAMPLE})`)
  return date
}

export const dateFormat: FunctionSpec = {
  name: 'date_format',
  usage: 'date_format OUTPUT_LAYOUT[, INPUT_LAYOUT]',
  minArgs: 1,
  maxArgs: 2,
  compile(args: Args): Apply {
    const output = splitLayout(args.nonEmptyText(0, 'the output layout'))
    if ('problem' in output) throw new FunctionProblem(output.problem, 0)
    let read = readDate
    if (args.count > 1) {
      const layout = args.nonEmptyText(1, 'the input layout')
      const pieces = splitLayout(layout)
      const reader = 'problem' in pieces ? pieces : layoutReader(pieces)
      if ('problem' in reader) throw new FunctionProblem(reader.problem, 1)
      read = (value) => {
        const date = reader(value)
        if (date === undefined)
          throw new FunctionProblem(`cannot read ${JSON.stringify(value)} as a date in layout ${layout}`)
        return date
      }
    }
    return (value, env) => (value.trim() === '' ? '' : formatDate(read(value, env), output))
  },
}

const UNITS = ['days', 'weeks', 'months', 'years', 'hours', 'minutes', 'seconds'] as const
type Unit = (typeof UNITS)[number]
const SINGULAR: readonly string[] = ['day', 'week', 'month', 'year', 'hour', 'minute', 'second']
const UNIT_MS: Readonly<Partial<Record<Unit, number>>> = {
  days: 86_400_000,
  weeks: 604_800_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
}

export const dateAdd: FunctionSpec = {
  name: 'date_add',
  usage: 'date_add AMOUNT, UNIT (days, weeks, months, years, hours, minutes or seconds)',
  minArgs: 2,
  maxArgs: 2,
  compile(args: Args): Apply {
    const amount = args.integer(0, 'AMOUNT')
    const written = args.text(1).toLowerCase()
    const singular = SINGULAR.indexOf(written)
    const unit = singular >= 0 ? (UNITS[singular] as Unit) : args.choice(1, 'UNIT', UNITS)
    const fixed = UNIT_MS[unit]
    const clockUnit = unit === 'hours' || unit === 'minutes' || unit === 'seconds'
    return (value, env) => {
      if (value.trim() === '') return ''
      const date = readDate(value, env)
      // Calendar arithmetic happens on the wall clock of the written zone, so a day stays a day.
      const wall = date.ms + date.offsetMinutes * 60_000
      const moved =
        fixed !== undefined ? wall + amount * fixed : addMonths(wall, unit === 'years' ? amount * 12 : amount)
      const ms = moved - date.offsetMinutes * 60_000
      if (!(Math.abs(ms) <= MAX_MS))
        throw new FunctionProblem(`${value} plus ${amount} ${unit} is out of range`)
      return formatIso({ ...date, ms, dateOnly: date.dateOnly && !clockUnit })
    }
  },
}
