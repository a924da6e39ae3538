/**
 * The resources of one type: by id, in insertion order for stable paging, with the unique index
 * (userName / Group displayName, case-insensitive) and the externalId index; keeps `meta` current.
 */
import { randomUUID } from 'node:crypto'
import { ScimProtocolError } from '../scim/errors.ts'
import type { ResourceSchema } from '../scim/resource-schema.ts'
import type { ScimResource } from '../scim/resources.ts'

/** A resource as kept in memory. `data` carries `id` and `meta` (without `location`); never mutate it. */
export interface StoredResource {
  readonly id: string
  /** Insertion sequence: orders unsorted listings and anchors cursors. */
  readonly seq: number
  /** Counter behind the weak ETag `W/"n"`. */
  version: number
  data: ScimResource
  removed: boolean
}

/** Weak entity tag of a version number. */
export function etagOf(version: number): string {
  return `W/"${version}"`
}

/** Options of an insertion that bypasses id and timestamp generation (seeding, state files). */
export interface InsertOptions {
  id?: string
  created?: string
  lastModified?: string
  version?: number
}

/** The resources of one type with their indexes. */
export class ResourceCollection {
  readonly schema: ResourceSchema
  /** Core attribute whose values are unique case-insensitively. */
  readonly uniqueAttribute: string
  private readonly byId = new Map<string, StoredResource>()
  private order: StoredResource[] = []
  private removedInOrder = 0
  private readonly unique = new Map<string, string>()
  /** externalId → id, or ids when several share it (externalId is not unique; one id is the common case). */
  private readonly byExternalId = new Map<string, string | string[]>()
  private nextSeq = 1

  constructor(schema: ResourceSchema, uniqueAttribute: string) {
    this.schema = schema
    this.uniqueAttribute = uniqueAttribute
  }

  /** Number of resources. */
  get size(): number {
    return this.byId.size
  }

  /** The resource with this id (ids are case-exact). */
  get(id: string): StoredResource | undefined {
    return this.byId.get(id)
  }

  /** All resources in insertion order. The array is the live index: do not modify it. */
  all(): readonly StoredResource[] {
    if (this.removedInOrder > 0) {
      // Deletions only mark entries, so a burst of deletes costs one compaction at the next read.
      this.order = this.order.filter((r) => !r.removed)
      this.removedInOrder = 0
    }
    return this.order
  }

  /** The resource holding this unique value, compared case-insensitively. */
  findByUnique(value: string): StoredResource | undefined {
    const id = this.unique.get(value.toLowerCase())
    return id === undefined ? undefined : this.byId.get(id)
  }

  /** The resources with this externalId (case-exact). */
  findByExternalId(value: string): StoredResource[] {
    const ids = this.byExternalId.get(value)
    if (ids === undefined) return []
    const list = typeof ids === 'string' ? [ids] : ids
    return list.map((id) => this.byId.get(id)).filter((r): r is StoredResource => r !== undefined)
  }

  /** Adds a checked resource; assigns id and meta unless `options` carry them. */
  insert(data: ScimResource, options: InsertOptions = {}): StoredResource {
    const key = this.uniqueKey(data)
    this.assertUnique(data, key, undefined)
    const id = options.id ?? randomUUID()
    if (this.byId.has(id)) throw new ScimProtocolError(409, `id ${id} already exists`, 'uniqueness')
    const now = new Date().toISOString()
    const version = options.version ?? 1
    const created = options.created ?? now
    const stored: StoredResource = {
      id,
      seq: this.nextSeq++,
      version,
      removed: false,
      data: this.withMeta(data, id, created, options.lastModified ?? created, version),
    }
    this.byId.set(id, stored)
    this.order.push(stored)
    if (key !== undefined) this.unique.set(key, id)
    this.indexExternalId(id, undefined, data.externalId)
    return stored
  }

  /** Replaces the attributes of a stored resource, bumping its version. */
  replace(stored: StoredResource, data: ScimResource): StoredResource {
    const key = this.uniqueKey(data)
    const oldKey = this.uniqueKey(stored.data)
    this.assertUnique(data, key, stored.id)
    const oldExternalId = stored.data.externalId
    stored.version += 1
    const created = stored.data.meta?.created ?? new Date().toISOString()
    stored.data = this.withMeta(data, stored.id, created, new Date().toISOString(), stored.version)
    if (oldKey !== key) {
      if (oldKey !== undefined) this.unique.delete(oldKey)
      if (key !== undefined) this.unique.set(key, stored.id)
    }
    this.indexExternalId(stored.id, oldExternalId, data.externalId)
    return stored
  }

  /** Removes a resource from every index. */
  remove(stored: StoredResource): void {
    if (stored.removed) return
    stored.removed = true
    this.byId.delete(stored.id)
    this.removedInOrder += 1
    const key = this.uniqueKey(stored.data)
    if (key !== undefined && this.unique.get(key) === stored.id) this.unique.delete(key)
    this.indexExternalId(stored.id, stored.data.externalId, undefined)
  }

  /** Removes everything. */
  clear(): void {
    this.byId.clear()
    this.order = []
    this.removedInOrder = 0
    this.unique.clear()
    this.byExternalId.clear()
  }

  private uniqueKey(data: ScimResource): string | undefined {
    const value = data[this.uniqueAttribute]
    return typeof value === 'string' ? value.toLowerCase() : undefined
  }

  private assertUnique(data: ScimResource, key: string | undefined, self: string | undefined): void {
    if (key === undefined) return
    const holder = this.unique.get(key)
    if (holder !== undefined && holder !== self) {
      const value = String(data[this.uniqueAttribute])
      throw new ScimProtocolError(
        409,
        `${this.schema.name} ${this.uniqueAttribute} "${value}" is already in use (compared case-insensitively)`,
        'uniqueness',
      )
    }
  }

  private indexExternalId(id: string, before: unknown, after: unknown): void {
    if (before === after) return
    if (typeof before === 'string') {
      const ids = this.byExternalId.get(before)
      if (ids === id) this.byExternalId.delete(before)
      else if (Array.isArray(ids)) {
        const rest = ids.filter((other) => other !== id)
        this.byExternalId.set(before, rest.length === 1 ? rest[0]! : rest)
      }
    }
    if (typeof after === 'string') {
      const ids = this.byExternalId.get(after)
      if (ids === undefined) this.byExternalId.set(after, id)
      else if (typeof ids === 'string') this.byExternalId.set(after, [ids, id])
      else ids.push(id)
    }
  }

  /**
   * Sets id and meta. `data` is owned by the collection from here on: callers hand over fresh
   * objects, which lets seeding and restoring (where `id` is already in place) skip a copy.
   */
  private withMeta(
    data: ScimResource,
    id: string,
    created: string,
    lastModified: string,
    version: number,
  ): ScimResource {
    const meta = { resourceType: this.schema.name, created, lastModified, version: etagOf(version) }
    if (data.id === id) {
      data.meta = meta
      return data
    }
    const { schemas, id: _id, meta: _meta, ...rest } = data
    return { schemas, id, ...rest, meta }
  }
}
