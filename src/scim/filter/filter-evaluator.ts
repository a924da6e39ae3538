/** Evaluates SCIM filters against resources (RFC 7644 §3.4.2.2, RFC 7643 §2.1), compiled once into closures. */
import { ScimSyntaxError } from '../errors.ts'
import { type AttributePath, type Filter, valueFilterProblem } from './filter-ast.ts'
import { type AttributeTraits, type Refuse, type ValueTest, valueTest } from './filter-compare.ts'
import { formatFilter } from './filter-format.ts'

export type { AttributeTraits } from './filter-compare.ts'

export interface EvaluationOptions {
  /** traits of an attribute; undefined = unknown (strings compared case-insensitively, ISO dates compared as dates when both sides parse) */
  traitsOf?(path: AttributePath): AttributeTraits | undefined
  /** schema URN of the resource's core schema, so core-qualified paths resolve */
  coreSchema?: string
}

type JsonObject = Record<string, unknown>

/** A compiled filter. */
export type FilterPredicate = (resource: JsonObject) => boolean

/** Calls `test` on each value a path reaches in `root` until one passes. */
type Probe = (root: JsonObject, test: ValueTest) => boolean

interface Context {
  options: EvaluationOptions
  /** The attribute of the enclosing value filter: paths inside name its sub-attributes. */
  outer?: AttributePath
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Attribute names are case-insensitive (RFC 7643 §2.1); the exact key is tried first as the usual case. */
function member(object: JsonObject, name: string, lower: string): unknown {
  if (Object.hasOwn(object, name)) return object[name]
  for (const key in object) {
    if (key.length === name.length && key.toLowerCase() === lower && Object.hasOwn(object, key))
      return object[key]
  }
  return undefined
}

function some(value: unknown, test: ValueTest): boolean {
  if (!Array.isArray(value)) return test(value)
  for (const item of value) if (test(item)) return true
  return false
}

/** RFC 7643 §2.5: unassigned, null, "" and empty arrays or objects are all "no value". */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string') return value.length > 0
  if (Array.isArray(value)) return value.some(isPresent)
  if (typeof value === 'object') {
    for (const key in value)
      if (Object.hasOwn(value, key) && isPresent((value as JsonObject)[key])) return true
    return false
  }
  return true
}

/** A comparison without sub-attribute on a complex value compares its `value` sub-attribute. */
const compared = (value: unknown): unknown => (isObject(value) ? member(value, 'value', 'value') : value)

const pathText = (path: AttributePath): string =>
  `${path.uri === undefined ? '' : `${path.uri}:`}${path.name}${path.subAttribute === undefined ? '' : `.${path.subAttribute}`}`

function listsSchema(root: JsonObject, lower: string): boolean {
  const schemas = member(root, 'schemas', 'schemas')
  return Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lower)
}

/** Where a path's attribute lives: the resource, or the extension object named by its schema URN. */
function compileScope(
  uri: string | undefined,
  options: EvaluationOptions,
): (root: JsonObject) => JsonObject | undefined {
  if (uri === undefined) return (root) => root
  const lower = uri.toLowerCase()
  const { coreSchema } = options
  if (coreSchema !== undefined && coreSchema.toLowerCase() === lower) return (root) => root
  return (root) => {
    const extension = member(root, uri, lower)
    if (isObject(extension)) return extension
    // Without a declared core schema, a listed schema that holds no extension object is the core one.
    return coreSchema === undefined && extension === undefined && listsSchema(root, lower) ? root : undefined
  }
}

function compileProbe(path: AttributePath, context: Context): Probe {
  const scope =
    context.outer === undefined ? compileScope(path.uri, context.options) : (root: JsonObject) => root
  const { name, subAttribute: sub } = path
  const lowerName = name.toLowerCase()
  if (sub === undefined) {
    return (root, test) => {
      const object = scope(root)
      return object !== undefined && some(member(object, name, lowerName), test)
    }
  }
  const lowerSub = sub.toLowerCase()
  const inItem = (item: unknown, test: ValueTest): boolean =>
    isObject(item) && some(member(item, sub, lowerSub), test)
  return (root, test) => {
    const object = scope(root)
    if (object === undefined) return false
    const value = member(object, name, lowerName)
    if (!Array.isArray(value)) return inItem(value, test)
    for (const item of value) if (inItem(item, test)) return true
    return false
  }
}

function refuser(node: Filter): Refuse {
  return (problem) => {
    let text: string
    try {
      text = formatFilter(node)
    } catch {
      text = JSON.stringify(node)
    }
    throw new ScimSyntaxError(problem, text, 0, 'invalidFilter')
  }
}

function compileCompare(node: Extract<Filter, { kind: 'compare' }>, context: Context): FilterPredicate {
  const { path, op, value } = node
  const { outer, options } = context
  const refuse: Refuse = refuser(node)
  const traitsPath = outer === undefined ? path : { ...outer, subAttribute: path.name }
  const shown = pathText(traitsPath)
  let traits = options.traitsOf?.(traitsPath)
  if (traits?.type === 'complex' && traitsPath.subAttribute === undefined) {
    if (!traits.multiValued)
      refuse(`${shown} is complex: compare one of its sub-attributes, e.g. ${shown}.value`)
    traits = options.traitsOf?.({ ...traitsPath, subAttribute: 'value' })
  }
  const probe = compileProbe(path, context)
  const present: ValueTest = (item) => isPresent(compared(item))
  // RFC 7643 §2.5 makes null and "no value" one state: `eq null` is "not present", `ne null` is "present".
  if (value === null) {
    if (op === 'eq') return (root) => !probe(root, present)
    if (op === 'ne') return (root) => probe(root, present)
    refuse(`${op} null is not defined; test for a value with 'pr' or 'not (… pr)'`)
  }
  const test = valueTest(op, value, traits, shown, refuse)
  const item: ValueTest = (raw) => {
    const v = compared(raw)
    return v !== undefined && v !== null && test(v)
  }
  // `ne` matches when any value differs, and, like every operator on an absent attribute, ne is true.
  if (op === 'ne') return (root) => probe(root, item) || !probe(root, present)
  return (root) => probe(root, item)
}

function compile(node: Filter, context: Context): FilterPredicate {
  switch (node.kind) {
    case 'compare':
      return compileCompare(node, context)
    case 'present': {
      const probe = compileProbe(node.path, context)
      return (root) => probe(root, isPresent)
    }
    case 'not': {
      const inner = compile(node.filter, context)
      return (root) => !inner(root)
    }
    case 'and': {
      const members = node.filters.map((f) => compile(f, context))
      const [a, b] = members
      if (members.length === 2 && a && b) return (root) => a(root) && b(root)
      return (root) => {
        for (const m of members) if (!m(root)) return false
        return true
      }
    }
    case 'or': {
      const members = node.filters.map((f) => compile(f, context))
      const [a, b] = members
      if (members.length === 2 && a && b) return (root) => a(root) || b(root)
      return (root) => {
        for (const m of members) if (m(root)) return true
        return false
      }
    }
    case 'valuePath': {
      const problem =
        context.outer === undefined
          ? valueFilterProblem(node.path, node.filter)
          : 'value filters cannot be nested'
      if (problem !== undefined) refuser(node)(problem)
      const probe = compileProbe(node.path, context)
      const inner = compile(node.filter, { options: context.options, outer: node.path })
      // Each value is the namespace of the inner filter; a simple value is seen as `{ value }`.
      const test: ValueTest = (item) =>
        isObject(item) ? inner(item) : item !== undefined && item !== null && inner({ value: item })
      return (root) => probe(root, test)
    }
  }
}

/** Compiles a filter once into a predicate, for evaluation over many resources. */
export function compileFilter(filter: Filter, options: EvaluationOptions = {}): FilterPredicate {
  return compile(filter, { options })
}

/** True when the resource matches the filter; compile once with compileFilter when testing many. */
export function matchesFilter(filter: Filter, resource: JsonObject, options?: EvaluationOptions): boolean {
  return compileFilter(filter, options)(resource)
}
