/**
 * List and search requests (RFC 7644 §3.4.2, §3.4.3): filter, sort, index or cursor pagination
 * (RFC 9865), attribute selection. Works over the live insertion-ordered index and copies only
 * what a page needs, so listing 100,000 users stays cheap.
 */

import { ScimProtocolError } from '../scim/errors.ts'
import type { AttributePath } from '../scim/filter/filter-ast.ts'
import { parseDateTime } from '../scim/filter/filter-compare.ts'
import { parseAttributePath } from '../scim/filter/filter-parser.ts'
import { type ResourceSchema, resolveAttribute } from '../scim/resource-schema.ts'
import type { AttributeDefinition, ListResponse, ScimResource } from '../scim/resources.ts'
import { MESSAGE } from '../scim/schemas.ts'
import { selectAttributes } from './attribute-selection.ts'
import { type CursorPosition, decodeCursor, encodeCursor, queryFingerprint } from './list-cursor.ts'
import type { ListQuery, QueryLimits } from './list-request.ts'
import type { StoredResource } from './resource-collection.ts'
import { prepareFilter, unknownAttributeError } from './resource-filter.ts'
import { expandResource, type RenderContext, renderResource } from './resource-render.ts'
import type { ResourceKind } from './resource-store.ts'

function invalidValue(detail: string): ScimProtocolError {
  return new ScimProtocolError(400, detail, 'invalidValue')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

type SortKey = string | number | undefined

/** Reads the sort key of `path` from a resource: multi-valued attributes sort by their primary (else first) value. */
function sortKeyReader(schema: ResourceSchema, path: AttributePath): (data: ScimResource) => SortKey {
  const resolved = resolveAttribute(schema, path)
  if (!resolved) return () => undefined
  const { attribute } = resolved
  let def: AttributeDefinition | undefined = resolved.subAttribute ?? attribute
  let subName = resolved.subAttribute?.name
  if (!resolved.subAttribute && attribute.type === 'complex') {
    def = attribute.subAttributes?.find((s) => s.name === 'value')
    subName = 'value'
  }
  if (!def) return () => undefined
  const type = def.type
  const caseExact = def.caseExact
  const schemaId = resolved.extension ? resolved.schema.id : undefined
  return (data) => {
    const container = schemaId === undefined ? data : data[schemaId]
    if (!isObject(container)) return undefined
    let value = container[attribute.name]
    if (Array.isArray(value)) value = value.find((v) => isObject(v) && v.primary === true) ?? value[0]
    if (subName !== undefined) value = isObject(value) ? value[subName] : undefined
    if (typeof value === 'string') {
      if (type === 'dateTime') {
        const time = parseDateTime(value)
        return Number.isNaN(time) ? undefined : time
      }
      return caseExact ? value : value.toLowerCase()
    }
    if (typeof value === 'number') return value
    if (typeof value === 'boolean') return value ? 1 : 0
    return undefined
  }
}

function sortResources(
  list: readonly StoredResource[],
  schemas: Map<ResourceKind, ResourceSchema>,
  sortBy: string,
  descending: boolean,
): StoredResource[] {
  let path: AttributePath
  try {
    path = parseAttributePath(sortBy)
  } catch (error) {
    throw invalidValue(`"sortBy" is not an attribute path: ${(error as Error).message}`)
  }
  const readers = new Map<string, (data: ScimResource) => SortKey>()
  for (const [kind, schema] of schemas) {
    if (resolveAttribute(schema, path)) readers.set(kind, sortKeyReader(schema, path))
  }
  if (readers.size === 0) throw invalidValue(`"sortBy" names no attribute: ${sortBy}`)
  const keyed = list.map((stored) => {
    const read = readers.get(stored.data.meta?.resourceType ?? '')
    return { stored, key: read ? read(stored.data) : undefined }
  })
  const direction = descending ? -1 : 1
  keyed.sort((a, b) => {
    // Resources without a value come last in either order.
    if (a.key === undefined) return b.key === undefined ? 0 : 1
    if (b.key === undefined) return -1
    return a.key < b.key ? -direction : a.key > b.key ? direction : 0
  })
  return keyed.map((k) => k.stored)
}

function matching(
  ctx: RenderContext,
  kind: ResourceKind,
  filter: string | undefined,
  strict: boolean,
): readonly StoredResource[] {
  const collection = ctx.store.collection(kind)
  if (filter === undefined || filter.trim() === '') return collection.all()
  const compiled = prepareFilter(collection.schema, filter)
  if (strict && compiled.unknownAttributes.length > 0) {
    throw unknownAttributeError(collection.schema.name, compiled.unknownAttributes)
  }
  const candidates = compiled.lookup ? compiled.lookup(collection) : collection.all()
  const out: StoredResource[] = []
  for (const stored of candidates) {
    const target = compiled.needsExpansion ? expandResource(ctx, kind, stored) : stored.data
    if (compiled.matches(target)) out.push(stored)
  }
  // Index lookups may come back out of insertion order; cursors rely on it.
  if (compiled.lookup && out.length > 1) out.sort((a, b) => a.seq - b.seq)
  return out
}

/**
 * Filtered resources of several types. An attribute some types lack has no value in them (so
 * `displayName co "x" or userName sw "y"` searches users and groups); one no type has is an error.
 */
function matchingAll(
  ctx: RenderContext,
  kinds: ResourceKind[],
  filter: string | undefined,
): readonly StoredResource[] {
  if (kinds.length === 1) return matching(ctx, kinds[0]!, filter, true)
  if (filter !== undefined && filter.trim() !== '') {
    const unknownEverywhere = kinds
      .map((kind) => prepareFilter(ctx.store.collection(kind).schema, filter).unknownAttributes)
      .reduce((common, unknown) => common.filter((a) => unknown.includes(a)))
    if (unknownEverywhere.length > 0) throw unknownAttributeError(kinds.join(' or '), unknownEverywhere)
  }
  return kinds.flatMap((kind) => matching(ctx, kind, filter, false))
}

/** Answers a list or search request over the given resource types. */
export function runListQuery(
  ctx: RenderContext,
  limits: QueryLimits,
  kinds: ResourceKind[],
  query: ListQuery,
): ListResponse {
  if (query.cursor !== undefined && query.startIndex !== undefined) {
    throw invalidValue('Use either "cursor" (RFC 9865) or "startIndex" pagination, not both')
  }
  const schemas = new Map(kinds.map((kind) => [kind, ctx.store.collection(kind).schema]))
  const descending = query.sortOrder === 'descending'
  const fingerprint = queryFingerprint(
    [kinds.join(','), query.filter ?? '', query.sortBy ?? '', descending ? 'd' : 'a'].join('\n'),
  )
  // The fingerprint covers types and sortBy, so a valid cursor's mode always matches `bySeq` below.
  const position: CursorPosition | undefined =
    query.cursor === undefined || query.cursor === '' ? undefined : decodeCursor(query.cursor, fingerprint)

  let list = matchingAll(ctx, kinds, query.filter)
  if (query.sortBy !== undefined) list = sortResources(list, schemas, query.sortBy, descending)

  const bySeq = kinds.length === 1 && query.sortBy === undefined
  let start: number
  if (query.cursor === undefined) start = Math.max(1, query.startIndex ?? 1) - 1
  else if (!position) start = 0
  else if (position.mode === 'offset') start = position.offset
  else start = firstAfter(list, position.seq)

  const requested = query.count === undefined ? limits.defaultPageSize : Math.max(0, query.count)
  const count = Math.min(requested, limits.maxResults)
  const page = list.slice(start, start + count)

  const selections = new Map(
    [...schemas].map(([kind, schema]) => [
      kind,
      selectAttributes(schema, query.attributes, query.excludedAttributes),
    ]),
  )
  const resources = page.map((stored) => {
    const kind = (stored.data.meta?.resourceType ?? kinds[0]) as ResourceKind
    return renderResource(ctx, kind, stored, selections.get(kind)!)
  })
  const response: ListResponse = {
    schemas: [MESSAGE.listResponse],
    totalResults: list.length,
    itemsPerPage: resources.length,
  }
  if (query.cursor === undefined) response.startIndex = start + 1
  else if (count > 0 && start + page.length < list.length) {
    const next: CursorPosition = bySeq
      ? { mode: 'afterSeq', seq: page[page.length - 1]!.seq }
      : { mode: 'offset', offset: start + page.length }
    response.nextCursor = encodeCursor(next, fingerprint)
  }
  response.Resources = resources
  return response
}

/** Index of the first resource with a sequence number above `seq`; `list` is in insertion order. */
function firstAfter(list: readonly StoredResource[], seq: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]!.seq <= seq) lo = mid + 1
    else hi = mid
  }
  return lo
}
