/** Value comparison of SCIM filters (RFC 7644 §3.4.2.2), typed by attribute traits when they are known. */
import type { CompareOperator, FilterValue } from './filter-ast.ts'

/** What a filter needs to know of an attribute's definition (RFC 7643 §2.2, §7). */
export interface AttributeTraits {
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary'
  caseExact: boolean
  multiValued: boolean
}

/** A problem with the filter itself, reported by the caller as `invalidFilter`. */
export type Refuse = (problem: string) => never

/** Decides one present value against the literal of a comparison. */
export type ValueTest = (value: unknown) => boolean

/** Sign of `value` against the literal, or undefined when the two are not comparable. */
type Order = (value: unknown) => number | undefined

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le'])
const SUBSTRING = new Set<CompareOperator>(['co', 'sw', 'ew'])
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/

/** Milliseconds of an xsd:dateTime (RFC 7643 §2.3.5), NaN when the text is none; no zone means UTC. */
export function parseDateTime(text: string): number {
  if (text.length < 19 || text.length > 64) return Number.NaN
  const match = DATE_TIME.exec(text)
  if (!match) return Number.NaN
  // Date.parse reads a zone-less date-time as local time; results must not depend on the host's zone.
  return Date.parse(match[1] === undefined ? `${text}Z` : text)
}

const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0)
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const fold = (text: string, caseExact: boolean): string => (caseExact ? text : text.toLowerCase())

function stringOrder(literal: string, caseExact: boolean): Order {
  const folded = fold(literal, caseExact)
  return (value) => (typeof value === 'string' ? compareText(fold(value, caseExact), folded) : undefined)
}

function dateOrder(literalMs: number): Order {
  return (value) => {
    if (typeof value !== 'string') return undefined
    const ms = parseDateTime(value)
    return Number.isNaN(ms) ? undefined : sign(ms - literalMs)
  }
}

const numberOrder =
  (literal: number): Order =>
  (value) =>
    typeof value === 'number' ? sign(value - literal) : undefined

const booleanOrder =
  (literal: boolean): Order =>
  (value) =>
    typeof value === 'boolean' ? (value === literal ? 0 : 1) : undefined

/** Without traits the value's JSON type decides; strings that both read as dateTimes compare as dates. */
function dynamicOrder(
  literal: string | number | boolean,
  op: CompareOperator,
  notDefinedFor: (kind: string) => never,
): Order {
  let order: Order
  if (typeof literal === 'boolean') order = booleanOrder(literal)
  else if (typeof literal === 'number') order = numberOrder(literal)
  else {
    const byText = stringOrder(literal, false)
    const literalMs = parseDateTime(literal)
    const byDate = dateOrder(literalMs)
    order = Number.isNaN(literalMs) ? byText : (value) => byDate(value) ?? byText(value)
  }
  if (!ORDERING.has(op)) return order
  // Only a value tells a boolean attribute apart when no traits are known; RFC 7644 still wants a 400.
  return (value) => (typeof value === 'boolean' ? notDefinedFor('boolean') : order(value))
}

function typedOrder(
  literal: string | number | boolean,
  traits: AttributeTraits,
  expect: (what: string) => never,
) {
  switch (traits.type) {
    case 'boolean':
      return typeof literal === 'boolean' ? booleanOrder(literal) : expect('true or false')
    case 'integer':
    case 'decimal':
      return typeof literal === 'number' ? numberOrder(literal) : expect('a number')
    case 'dateTime': {
      const ms = typeof literal === 'string' ? parseDateTime(literal) : Number.NaN
      return Number.isNaN(ms) ? expect('a dateTime string such as "2011-05-13T04:42:34Z"') : dateOrder(ms)
    }
    default:
      return typeof literal === 'string' ? stringOrder(literal, traits.caseExact) : expect('a string')
  }
}

function substringTest(op: CompareOperator, literal: string, caseExact: boolean): ValueTest {
  const folded = fold(literal, caseExact)
  if (op === 'co') return (value) => typeof value === 'string' && fold(value, caseExact).includes(folded)
  if (op === 'sw') return (value) => typeof value === 'string' && fold(value, caseExact).startsWith(folded)
  return (value) => typeof value === 'string' && fold(value, caseExact).endsWith(folded)
}

/** The test of `op literal` on one present value; `refuse` gets what RFC 7644 answers with 400 invalidFilter. */
// Refused: ordering booleans or binaries (RFC 7644 §3.4.2.2), substrings of non-strings, literals of the wrong type.
export function valueTest(
  op: CompareOperator,
  literal: Exclude<FilterValue, null>,
  traits: AttributeTraits | undefined,
  attribute: string,
  refuse: Refuse,
): ValueTest {
  const type = traits?.type === 'complex' ? undefined : traits?.type
  const undefinedFor = (kind: string): never =>
    refuse(`${op} is not defined for ${kind} attribute ${attribute}`)
  if (ORDERING.has(op)) {
    if (type === 'boolean' || type === 'binary') undefinedFor(type)
    if (typeof literal === 'boolean')
      refuse(`${op} is not defined for boolean values (${attribute} ${op} ${literal})`)
  }
  if (SUBSTRING.has(op)) {
    if (type === 'boolean' || type === 'integer' || type === 'decimal') undefinedFor(type)
    if (typeof literal !== 'string') refuse(`${op} needs a string value, found ${literal} for ${attribute}`)
    return substringTest(op, literal, traits !== undefined && type !== undefined && traits.caseExact)
  }
  const expect = (what: string): never =>
    refuse(`expected ${what} for ${type} attribute ${attribute}, found ${JSON.stringify(literal)}`)
  const order =
    traits === undefined || type === undefined
      ? dynamicOrder(literal, op, undefinedFor)
      : typedOrder(literal, { ...traits, type }, expect)
  switch (op) {
    case 'eq':
      return (value) => order(value) === 0
    case 'ne':
      return (value) => order(value) !== 0
    case 'gt':
      return (value) => (order(value) ?? 0) > 0
    case 'ge':
      return (value) => (order(value) ?? -1) >= 0
    case 'lt':
      return (value) => (order(value) ?? 0) < 0
    default:
      return (value) => (order(value) ?? 1) <= 0
  }
}
