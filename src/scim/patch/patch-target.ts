/** Resolution of PATCH paths (RFC 7644 §3.5.2) against a resource type's schemas. */
import type { AttributePath, Filter } from '../filter/filter-ast.ts'
import { compileFilter } from '../filter/filter-evaluator.ts'
import { parsePatchPath } from '../filter/filter-parser.ts'
import type { ResourceSchema } from '../resource-schema.ts'
import { resolveAttribute } from '../resource-schema.ts'
import type { AttributeDefinition, SchemaDefinition } from '../resources.ts'
import type { JsonObject } from './patch-values.ts'
import { fail, isObject, lower, readKey, subAttributeOf, writeKey } from './patch-values.ts'

/** What an operation's path designates. */
export interface PatchTarget {
  schema: SchemaDefinition
  /** Values live under `resource[schema.id]`. */
  extension: boolean
  attribute: AttributeDefinition
  /** The valuePath filter, selecting values of a multi-valued attribute. */
  filter?: Filter
  /** `name.givenName`, or `value` in `emails[type eq "work"].value`. */
  subAttribute?: AttributeDefinition
  /** The path as the client wrote it, for error messages. */
  label: string
}

const common = (
  name: string,
  type: 'string' | 'complex',
  mutability: 'readOnly' | 'readWrite',
  subAttributes?: string[],
): AttributeDefinition => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: true,
  mutability,
  returned: name === 'id' ? 'always' : 'default',
  uniqueness: 'none',
  ...(subAttributes ? { subAttributes: subAttributes.map((s) => common(s, 'string', 'readOnly')) } : {}),
})

// RFC 7643 §3.1 common attributes belong to no schema, yet PATCH paths may name them.
const COMMON_ATTRIBUTES = [
  common('id', 'string', 'readOnly'),
  common('externalId', 'string', 'readWrite'),
  common('meta', 'complex', 'readOnly', ['resourceType', 'created', 'lastModified', 'location', 'version']),
]

/** The extension whose URN is exactly `text` (case-insensitive), if any. */
export function extensionNamed(schema: ResourceSchema, text: string): SchemaDefinition | undefined {
  return schema.extensions.find((e) => lower(e.id) === lower(text))
}

/**
 * Resolves a path (or a path-less value's key) to its target. `uri` qualifies an unqualified name,
 * for the members of an extension object in a path-less value.
 */
export function resolvePatchTarget(schema: ResourceSchema, text: string, uri?: string): PatchTarget {
  const parsed = parsePatchPath(text)
  const path: AttributePath = {
    name: parsed.attribute.name,
    ...(parsed.attribute.uri !== undefined ? { uri: parsed.attribute.uri } : uri ? { uri } : {}),
  }
  const resolved = resolveAttribute(schema, path) ?? resolveCommon(schema, path)
  if (!resolved) {
    throw fail('invalidPath', `"${text}" names no attribute of the ${schema.name} schemas`)
  }
  const { attribute } = resolved
  const subName = parsed.attribute.subAttribute ?? parsed.subAttribute
  const target: PatchTarget = { ...resolved, label: text }
  if (subName !== undefined) {
    const sub = attribute.type === 'complex' ? subAttributeOf(attribute, subName) : undefined
    if (!sub) throw fail('invalidPath', `"${text}": "${attribute.name}" has no sub-attribute "${subName}"`)
    target.subAttribute = sub
  }
  if (parsed.valueFilter) {
    if (!attribute.multiValued) {
      throw fail('invalidPath', `"${text}": a value filter needs a multi-valued attribute`)
    }
    checkFilterPaths(attribute, parsed.valueFilter, text)
    target.filter = parsed.valueFilter
  }
  return target
}

function resolveCommon(schema: ResourceSchema, path: AttributePath) {
  if (path.uri !== undefined && lower(path.uri) !== lower(schema.core.id)) return undefined
  const attribute = COMMON_ATTRIBUTES.find((a) => lower(a.name) === lower(path.name))
  return attribute ? { schema: schema.core, extension: false, attribute } : undefined
}

/** A valuePath filter may only name sub-attributes of the filtered attribute (`value` for simple ones). */
function checkFilterPaths(attribute: AttributeDefinition, filter: Filter, text: string): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      for (const f of filter.filters) checkFilterPaths(attribute, f, text)
      return
    case 'not':
      checkFilterPaths(attribute, filter.filter, text)
      return
    case 'valuePath':
      throw fail('invalidPath', `"${text}": value filters cannot nest`)
    case 'compare':
    case 'present':
      if (!filterTraits(attribute, filter.path)) {
        throw fail('invalidPath', `"${text}": "${attribute.name}" has no sub-attribute "${filter.path.name}"`)
      }
  }
}

function filterTraits(attribute: AttributeDefinition, path: AttributePath) {
  if (path.uri !== undefined || path.subAttribute !== undefined) return undefined
  const def =
    attribute.type === 'complex'
      ? subAttributeOf(attribute, path.name)
      : lower(path.name) === 'value'
        ? attribute
        : undefined
  return def ? { type: def.type, caseExact: def.caseExact, multiValued: false } : undefined
}

/** A predicate over the values of the target's multi-valued attribute. */
export function valueMatcher(target: PatchTarget, coreSchema: string): (value: unknown) => boolean {
  const { attribute, filter } = target
  if (!filter) return () => true
  const test = compileFilter(filter, { traitsOf: (p) => filterTraits(attribute, p), coreSchema })
  // Simple multi-valued values are filtered as `value` (RFC 7644 §3.5.2.2 "comparing a value").
  if (attribute.type !== 'complex') return (value) => test({ value })
  return (value) => isObject(value) && test(value)
}

/**
 * The value a filter of `eq` comparisons describes: `type eq "work"` gives `{type: "work"}`. Used to
 * add a value a filter matched nothing for; undefined when the filter does not pin one value down.
 */
export function valueFromFilter(target: PatchTarget): unknown {
  const { attribute, filter } = target
  if (!filter) return undefined
  const pairs = filter.kind === 'and' ? filter.filters : [filter]
  const out: JsonObject = {}
  for (const f of pairs) {
    if (f.kind !== 'compare' || f.op !== 'eq' || f.value === null) return undefined
    const def = attribute.type === 'complex' ? subAttributeOf(attribute, f.path.name) : attribute
    const name = def && attribute.type === 'complex' ? def.name : 'value'
    if (name in out) return undefined
    out[name] = f.value
  }
  return attribute.type === 'complex' ? out : out.value
}

/** The object holding the target's attribute: the resource, or its extension object. */
export function containerOf(
  resource: JsonObject,
  target: PatchTarget,
  create: boolean,
): JsonObject | undefined {
  if (!target.extension) return resource
  const id = target.schema.id
  const existing = readKey(resource, id)
  if (isObject(existing)) {
    // Normalise the key's case; writeKey would drop an empty object, so assign directly.
    writeKey(resource, id, undefined)
    resource[id] = existing
    return existing
  }
  if (!create) return undefined
  const fresh: JsonObject = {}
  resource[id] = fresh
  return fresh
}
