/**
 * Filters of list requests against one resource type: attribute names checked against the schema,
 * predicates compiled with the schema's type and case-exactness, equality on indexed attributes
 * answered from the indexes (lookups by userName, id, externalId, displayName must stay O(1) with
 * 100,000 users), compiled filters cached because clients repeat the same few filters.
 */

import { ScimProtocolError, ScimSyntaxError } from '../scim/errors.ts'
import type { AttributePath, Filter } from '../scim/filter/filter-ast.ts'
import { compileFilter } from '../scim/filter/filter-evaluator.ts'
import { parseFilter } from '../scim/filter/filter-parser.ts'
import { type ResourceSchema, resolveAttribute } from '../scim/resource-schema.ts'
import type { ResourceCollection, StoredResource } from './resource-collection.ts'

/** A filter ready to run over one collection. */
export interface CompiledFilter {
  /** Candidates from an index when the filter is an indexed equality, otherwise undefined. */
  lookup: ((collection: ResourceCollection) => StoredResource[]) | undefined
  /** The predicate over a resource (the stored one, or the expanded one when `needsExpansion`). */
  matches: (resource: Record<string, unknown>) => boolean
  /** The filter names derived attributes (User.groups, member `$ref`/`display`, `meta.location`). */
  needsExpansion: boolean
  /** Attributes the filter names that this resource type does not have; they never have a value. */
  unknownAttributes: string[]
}

/** The 400 for a filter naming an attribute no searched resource type has. */
export function unknownAttributeError(typeNames: string, attributes: string[]): ScimProtocolError {
  const list = attributes.map((a) => `"${a}"`).join(', ')
  return new ScimProtocolError(400, `${typeNames} has no attribute ${list}`, 'invalidFilter')
}

const DERIVED: ReadonlySet<string> = new Set([
  'groups',
  'groups.value',
  'groups.$ref',
  'groups.display',
  'groups.type',
  'members.$ref',
  'members.display',
  'meta.location',
  'manager.$ref',
  'manager.displayName',
])

function show(path: AttributePath, sub?: string): string {
  const base = `${path.uri === undefined ? '' : `${path.uri}:`}${path.name}`
  return sub === undefined ? base : `${base}.${sub}`
}

/** Checks every attribute the filter names, collecting unknown ones; returns whether it needs derived attributes. */
function checkPaths(
  schema: ResourceSchema,
  filter: Filter,
  unknown: string[],
  parent?: AttributePath,
): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return filter.filters.map((f) => checkPaths(schema, f, unknown, parent)).some(Boolean)
    case 'not':
      return checkPaths(schema, filter.filter, unknown, parent)
    case 'valuePath': {
      const derived = checkPath(schema, filter.path, unknown)
      return checkPaths(schema, filter.filter, unknown, filter.path) || derived
    }
    default: {
      const path: AttributePath = parent
        ? {
            ...(parent.uri === undefined ? {} : { uri: parent.uri }),
            name: parent.name,
            subAttribute: filter.path.name,
          }
        : filter.path
      return checkPath(schema, path, unknown)
    }
  }
}

function checkPath(schema: ResourceSchema, path: AttributePath, unknown: string[]): boolean {
  const resolved = resolveAttribute(schema, path)
  if (!resolved) {
    unknown.push(show(path, path.subAttribute))
    return false
  }
  const def = resolved.subAttribute ?? resolved.attribute
  if (def.returned === 'never' || resolved.attribute.returned === 'never') {
    throw new ScimProtocolError(
      400,
      `"${show(path)}" is never returned and cannot be filtered on`,
      'invalidFilter',
    )
  }
  const key = resolved.subAttribute
    ? `${resolved.attribute.name}.${resolved.subAttribute.name}`
    : resolved.attribute.name
  return DERIVED.has(key)
}

/** Traits of an attribute for the filter compiler, looked up in the schema. */
function traitsFor(schema: ResourceSchema) {
  return (path: AttributePath) => {
    const resolved = resolveAttribute(schema, path)
    if (!resolved) return undefined
    const def = resolved.subAttribute ?? resolved.attribute
    return { type: def.type, caseExact: def.caseExact, multiValued: def.multiValued }
  }
}

type Lookup = (collection: ResourceCollection) => StoredResource[]

/**
 * The index answering `attr eq "value"`, or an `or` of such equalities (clients look many users
 * up in one request), if every equality has an index for this type.
 */
function indexedLookup(schema: ResourceSchema, filter: Filter): Lookup | undefined {
  if (filter.kind === 'or') {
    const lookups = filter.filters.map((f) => indexedLookup(schema, f))
    if (lookups.some((l) => l === undefined)) return undefined
    return (c) => [...new Set((lookups as Lookup[]).flatMap((lookup) => lookup(c)))]
  }
  return equalityLookup(schema, filter)
}

function equalityLookup(schema: ResourceSchema, filter: Filter): Lookup | undefined {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined
  const { path, value } = filter
  if (path.subAttribute !== undefined) return undefined
  if (path.uri !== undefined && path.uri.toLowerCase() !== schema.core.id.toLowerCase()) return undefined
  const name = path.name.toLowerCase()
  const one = (r: StoredResource | undefined): StoredResource[] => (r ? [r] : [])
  if (name === 'id') return (c) => one(c.get(value))
  if (name === 'externalid') return (c) => c.findByExternalId(value)
  if (name === 'username' && schema.name === 'User') return (c) => one(c.findByUnique(value))
  if (name === 'displayname' && schema.name === 'Group') return (c) => one(c.findByUnique(value))
  return undefined
}

const CACHE_LIMIT = 256
const cache = new Map<string, CompiledFilter>()

/** Parses, checks and compiles a filter for one resource type; throws 400 `invalidFilter`. */
export function prepareFilter(schema: ResourceSchema, text: string): CompiledFilter {
  const key = `${schema.name}\u0000${text}`
  const cached = cache.get(key)
  if (cached) return cached
  let compiled: CompiledFilter
  try {
    const filter = parseFilter(text)
    const unknownAttributes: string[] = []
    const needsExpansion = checkPaths(schema, filter, unknownAttributes)
    compiled = {
      unknownAttributes,
      lookup: needsExpansion ? undefined : indexedLookup(schema, filter),
      matches: compileFilter(filter, { traitsOf: traitsFor(schema), coreSchema: schema.core.id }),
      needsExpansion,
    }
  } catch (error) {
    if (error instanceof ScimSyntaxError) throw new ScimProtocolError(400, error.message, 'invalidFilter')
    throw error
  }
  // Clearing wholesale is crude but bounds memory against clients that never repeat a filter.
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, compiled)
  return compiled
}
