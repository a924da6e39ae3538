/** Canonical text of filters and paths: what `parseFilter`/`parsePatchPath` read back to the same AST. */
import { ScimSyntaxError } from '../errors.ts'
import {
  type AttributePath,
  type Filter,
  type FilterValue,
  type PatchPath,
  valueFilterProblem,
} from './filter-ast.ts'
import { parseAttributePath } from './filter-parser.ts'

/** Prints `[uri:]name[.subAttribute]`; throws ScimSyntaxError `invalidPath` when a part is no legal name. */
export function formatAttributePath(path: AttributePath): string {
  const uri = path.uri === undefined ? '' : `${path.uri}:`
  const sub = path.subAttribute === undefined ? '' : `.${path.subAttribute}`
  const text = `${uri}${path.name}${sub}`
  // Re-reading guards against ASTs built by hand: a name like `x eq 1 or y` must never reach the text.
  const read = parseAttributePath(text)
  if (read.uri !== path.uri || read.name !== path.name || read.subAttribute !== path.subAttribute) {
    throw new ScimSyntaxError("attribute path parts must not contain ':' or '.'", text, 0, 'invalidPath')
  }
  return text
}

/** Prints a literal as JSON: strings escaped by JSON.stringify, so values cannot leave their quotes. */
export function formatValue(value: FilterValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`filter value ${value} is not a finite number`)
    return Object.is(value, -0) ? '-0' : String(value)
  }
  return JSON.stringify(value)
}

/** An `and`/`or` of one filter is that filter; printing it alone keeps the text parseable. */
function unwrap(filter: Filter): Filter {
  let current = filter
  while ((current.kind === 'and' || current.kind === 'or') && current.filters.length === 1) {
    current = current.filters[0] as Filter
  }
  return current
}

/** Prints a filter member of an `and`/`or`, in parentheses when printing it bare would regroup it. */
function formatMember(filter: Filter, parent: 'and' | 'or'): string {
  const member = unwrap(filter)
  const text = formatFilter(member)
  // `and` inside `or` needs none (`and` binds tighter); same-kind nesting keeps its own node on re-parse.
  const bare = member.kind !== 'or' && (member.kind !== 'and' || parent === 'or')
  return bare ? text : `(${text})`
}

/** Prints a filter as canonical SCIM text; `parseFilter(formatFilter(f))` equals `f`. */
export function formatFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatAttributePath(filter.path)} ${filter.op} ${formatValue(filter.value)}`
    case 'present':
      return `${formatAttributePath(filter.path)} pr`
    case 'and':
    case 'or': {
      if (filter.filters.length === 0) throw new RangeError(`an empty '${filter.kind}' has no text form`)
      const { kind } = filter
      return filter.filters.map((member) => formatMember(member, kind)).join(` ${kind} `)
    }
    case 'not':
      return `not (${formatFilter(filter.filter)})`
    case 'valuePath':
      return `${formatAttributePath(filter.path)}[${formatValueFilter(filter.path, filter.filter)}]`
  }
}

/** Prints a PATCH path: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`. */
export function formatPatchPath(path: PatchPath): string {
  const attribute = formatAttributePath(path.attribute)
  if (path.valueFilter === undefined) {
    if (path.subAttribute !== undefined) {
      throw new RangeError(
        'a PATCH path has a subAttribute only after a value filter; use attribute.subAttribute',
      )
    }
    return attribute
  }
  const sub = path.subAttribute === undefined ? '' : `.${formatAttributePath({ name: path.subAttribute })}`
  return `${attribute}[${formatValueFilter(path.attribute, path.valueFilter)}]${sub}`
}

function formatValueFilter(path: AttributePath, filter: Filter): string {
  const problem = valueFilterProblem(path, filter)
  if (problem !== undefined) throw new RangeError(problem)
  return formatFilter(filter)
}
