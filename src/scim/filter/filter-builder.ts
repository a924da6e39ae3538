/** A typed filter builder: values become AST literals, never text, so user input cannot inject filter syntax. */
import { ScimSyntaxError } from '../errors.ts'
import {
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
  valueFilterProblem,
} from './filter-ast.ts'
import { formatAttributePath } from './filter-format.ts'
import { parseAttributePath } from './filter-parser.ts'

/** An attribute path as text (`name.givenName`, `urn:…:User:employeeNumber`) or as an AST. */
export type PathInput = string | AttributePath
/** A comparison value; a Date becomes its ISO 8601 text, as SCIM dateTime literals are strings. */
export type BuilderValue = FilterValue | Date
/** Values the ordering operators accept: booleans and null have no order (RFC 7644 §3.4.2.2). */
export type OrderedValue = string | number | Date

/** Reads a path input; text goes through the parser, so `userName eq "x" or 1` as a path is refused. */
function toPath(path: PathInput): AttributePath {
  if (typeof path === 'string') return parseAttributePath(path)
  // Printing checks every part is a legal name; a copy keeps later edits of the caller's object out.
  formatAttributePath(path)
  const copy: AttributePath = { name: path.name }
  if (path.uri !== undefined) copy.uri = path.uri
  if (path.subAttribute !== undefined) copy.subAttribute = path.subAttribute
  return copy
}

function toValue(value: BuilderValue): FilterValue {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('filter value is an invalid Date')
    return value.toISOString()
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`filter value ${value} is not a finite number`)
  }
  return value
}

function compare(path: PathInput, op: CompareOperator, value: BuilderValue): Filter {
  return { kind: 'compare', path: toPath(path), op, value: toValue(value) }
}

/** Joins filters, lifting members of the same kind so the result stays flat. */
function combine(kind: 'and' | 'or', filters: readonly Filter[]): Filter {
  const members: Filter[] = []
  for (const filter of filters) {
    if (filter.kind === kind) members.push(...filter.filters)
    else members.push(filter)
  }
  if (members.length === 0) throw new RangeError(`where.${kind}() needs at least one filter`)
  return members.length === 1 ? (members[0] as Filter) : { kind, filters: members }
}

/** Builds filters: `where.and(where.eq('userName', input), where.present('title'))`. */
export const where = {
  /** `path eq value`. */
  eq: (path: PathInput, value: BuilderValue): Filter => compare(path, 'eq', value),
  /** `path ne value`. */
  ne: (path: PathInput, value: BuilderValue): Filter => compare(path, 'ne', value),
  /** `path co value`: substring. */
  co: (path: PathInput, value: string): Filter => compare(path, 'co', value),
  /** `path sw value`: prefix. */
  sw: (path: PathInput, value: string): Filter => compare(path, 'sw', value),
  /** `path ew value`: suffix. */
  ew: (path: PathInput, value: string): Filter => compare(path, 'ew', value),
  /** `path gt value`. */
  gt: (path: PathInput, value: OrderedValue): Filter => compare(path, 'gt', value),
  /** `path ge value`. */
  ge: (path: PathInput, value: OrderedValue): Filter => compare(path, 'ge', value),
  /** `path lt value`. */
  lt: (path: PathInput, value: OrderedValue): Filter => compare(path, 'lt', value),
  /** `path le value`. */
  le: (path: PathInput, value: OrderedValue): Filter => compare(path, 'le', value),
  /** `path op value` with the operator chosen at run time. */
  compare: (path: PathInput, op: CompareOperator, value: BuilderValue): Filter => compare(path, op, value),
  /** `path pr`: the attribute has a non-empty value. */
  present: (path: PathInput): Filter => ({ kind: 'present', path: toPath(path) }),
  /** All of the filters; one filter is returned as is. */
  and: (...filters: Filter[]): Filter => combine('and', filters),
  /** Any of the filters; one filter is returned as is. */
  or: (...filters: Filter[]): Filter => combine('or', filters),
  /** `not (filter)`. */
  not: (filter: Filter): Filter => ({ kind: 'not', filter }),
  /** `path[filter]`: some value of the multi-valued `path` matches `filter`, which names its sub-attributes. */
  valuePath: (path: PathInput, filter: Filter): Filter => {
    const attribute = toPath(path)
    const problem = valueFilterProblem(attribute, filter)
    if (problem !== undefined) {
      throw new ScimSyntaxError(problem, formatAttributePath(attribute), 0, 'invalidFilter')
    }
    return { kind: 'valuePath', path: attribute, filter }
  },
}
