/** Operations on one resource endpoint (`/Users`, `/Groups`, or any discovered type). */
import type { ScimCapabilities } from './capabilities.ts'
import { ScimMalformedResponseError, ScimUnsupportedError } from './errors.ts'
import type { Filter } from './filter/filter-ast.ts'
import { compileFilter } from './filter/filter-evaluator.ts'
import { formatFilter } from './filter/filter-format.ts'
import { localFilterOptions, selectionForLocalFilter, targetCanEvaluate } from './filter-support.ts'
import type { ScimTransport } from './http/transport.ts'
import { type Page, paginate, readListResponse, wholePage } from './pagination.ts'
import { patchRequestBody } from './patch-builder.ts'
import type { ResourceSchema } from './resource-schema.ts'
import type { PatchOperation, ScimResource } from './resources.ts'
import { MESSAGE } from './schemas.ts'

/** Which attributes a read returns (RFC 7644 §3.4.2.5). */
export interface AttributeSelection {
  attributes?: readonly string[]
  excludedAttributes?: readonly string[]
}

export interface ListQuery extends AttributeSelection {
  /** Built with `where` from the filter builder, so values are always escaped. */
  filter?: Filter
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
  /** Page size asked for; defaults to the capabilities' page size. */
  pageSize?: number
  /**
   * Use `POST /.search` instead of GET, e.g. to keep filter values out of URLs and logs. A target
   * whose capabilities lack `search` refuses it with ScimUnsupportedError rather than the query
   * silently going into the URL.
   */
  usePost?: boolean
}

export interface WriteOptions {
  /** ETag to send as `If-Match`; defaults to `meta.version` of the resource given, when ETags are supported. */
  ifMatch?: string
}

/** What a resource client needs from the client that made it. */
export interface ResourceClientContext {
  transport: ScimTransport
  capabilities: () => ScimCapabilities
  integration: string | undefined
  /** Applies PATCH operations locally, for targets without PATCH (GET + PUT). */
  applyPatchLocally: (resource: ScimResource, operations: PatchOperation[], endpoint: string) => ScimResource
  /** The schema of the endpoint's resource type, so filters applied locally compare as the target does. */
  resourceSchema?: (endpoint: string) => ResourceSchema
}

/** CRUD, listing and search on one endpoint. */
export class ResourceClient<T extends ScimResource = ScimResource> {
  readonly endpoint: string
  readonly #context: ResourceClientContext

  constructor(endpoint: string, context: ResourceClientContext) {
    this.endpoint = endpoint.startsWith('/') ? endpoint : `/${endpoint}`
    this.#context = context
  }

  /** Reads one resource by id. */
  async get(id: string, selection: AttributeSelection = {}): Promise<T> {
    const response = await this.#context.transport.request({
      method: 'GET',
      path: this.#pathOf(id),
      query: selectionQuery(selection),
    })
    return this.#resource(response.body, response.etag, 'GET', id)
  }

  /** Creates a resource (POST). Never retried blindly: on a lost answer, look the resource up first. */
  async create(resource: T): Promise<T> {
    const response = await this.#context.transport.request({
      method: 'POST',
      path: this.endpoint,
      body: resource,
      idempotent: false,
    })
    return this.#resource(response.body, response.etag, 'POST')
  }

  /** Replaces a resource (PUT). */
  async replace(id: string, resource: T, options: WriteOptions = {}): Promise<T> {
    const response = await this.#context.transport.request({
      method: 'PUT',
      path: this.#pathOf(id),
      body: resource,
      headers: this.#ifMatch(options.ifMatch ?? resource.meta?.version),
    })
    return this.#resource(response.body, response.etag, 'PUT', id)
  }

  /**
   * Applies PATCH operations. Returns the resource when the target sends it back (some answer 204).
   * Targets without PATCH get GET + local apply + PUT, with `If-Match` where ETags are supported.
   */
  async patch(id: string, operations: PatchOperation[], options: WriteOptions = {}): Promise<T | undefined> {
    if (operations.length === 0) return undefined
    const capabilities = this.#context.capabilities()
    if (!capabilities.patch) {
      if (!capabilities.put) {
        throw new ScimUnsupportedError(`The target supports neither PATCH nor PUT on ${this.endpoint}`, {
          integration: this.#context.integration,
          request: { method: 'PATCH', url: this.#pathOf(id) },
        })
      }
      const current = await this.get(id)
      const changed = this.#context.applyPatchLocally(current, operations, this.endpoint) as T
      return this.replace(id, changed, { ifMatch: options.ifMatch ?? current.meta?.version ?? '' })
    }
    const response = await this.#context.transport.request({
      method: 'PATCH',
      path: this.#pathOf(id),
      body: patchRequestBody(operations, capabilities),
      headers: this.#ifMatch(options.ifMatch),
      idempotent: operations.every(isRepeatable),
    })
    if (response.body === undefined) return undefined
    return this.#resource(response.body, response.etag, 'PATCH', id)
  }

  /** Deletes a resource. */
  async delete(id: string, options: WriteOptions = {}): Promise<void> {
    await this.#context.transport.request({
      method: 'DELETE',
      path: this.#pathOf(id),
      headers: this.#ifMatch(options.ifMatch),
      expect: 'none',
    })
  }

  /** Every resource matching the query, page by page as the caller iterates. */
  async *list(query: ListQuery = {}): AsyncGenerator<T> {
    for await (const page of this.pages(query)) yield* page.resources
  }

  /**
   * Pages of resources matching the query. A filter the target cannot evaluate (per its
   * capabilities) is applied here instead, over an unfiltered listing; the attributes it reads are
   * then asked for too, so resources may carry more than `attributes` named.
   */
  async *pages(query: ListQuery = {}): AsyncGenerator<Page<T>> {
    const capabilities = this.#context.capabilities()
    const serverFilter =
      query.filter && targetCanEvaluate(query.filter, capabilities) ? query.filter : undefined
    const clientFilter = query.filter && !serverFilter ? query.filter : undefined
    const schema = this.#context.resourceSchema?.(this.endpoint)
    const localFilter = clientFilter
      ? compileFilter(clientFilter, schema ? localFilterOptions(schema) : {})
      : undefined
    const pageSize = Math.min(
      query.pageSize ?? capabilities.pagination.pageSize,
      capabilities.pagination.maxPageSize,
    )
    const usePost = query.usePost === true
    if (usePost && !capabilities.search) {
      throw new ScimUnsupportedError(
        `The target does not support POST ${this.endpoint}/.search (capabilities.search is false)`,
        {
          integration: this.#context.integration,
          request: { method: 'POST', url: `${this.endpoint}/.search` },
        },
      )
    }
    const selection = clientFilter ? { ...query, ...selectionForLocalFilter(clientFilter, query) } : query
    const base: Record<string, string | number | undefined> = {
      ...selectionQuery(selection),
      filter: serverFilter ? formatFilter(serverFilter) : undefined,
      sortBy: capabilities.sort ? query.sortBy : undefined,
      sortOrder: capabilities.sort && query.sortBy ? query.sortOrder : undefined,
    }
    const fetchPage = async (position: { startIndex?: number; cursor?: string; count: number }) => {
      const params = { ...base, ...position }
      const response = usePost
        ? await this.#context.transport.request({
            method: 'POST',
            path: `${this.endpoint}/.search`,
            body: searchBody(params),
            idempotent: true,
            expect: 'list',
          })
        : await this.#context.transport.request({
            method: 'GET',
            path: this.endpoint,
            query: params,
            expect: 'list',
          })
      return response.list ?? wholePage(response.body)
    }
    const pages = paginate<T>(fetchPage, {
      pageSize,
      cursor: capabilities.pagination.cursor,
      totalResultsReliable: capabilities.pagination.totalResultsReliable,
      describe: () => ({
        integration: this.#context.integration,
        request: usePost
          ? { method: 'POST', url: `${this.endpoint}/.search` }
          : { method: 'GET', url: this.endpoint },
      }),
    })
    for await (const page of pages) {
      if (!localFilter) {
        yield page
        continue
      }
      const kept = page.resources.flatMap((resource, at) => (localFilter(resource) ? [at] : []))
      if (kept.length === 0) continue
      const texts = page.texts
      const filtered: Page<T> = { ...page, resources: kept.map((at) => page.resources[at] as T) }
      if (texts) filtered.texts = kept.map((at) => texts[at])
      yield filtered
    }
  }

  /** All resources matching a filter, for lookups expected to return few. */
  async find(filter: Filter, selection: AttributeSelection = {}): Promise<T[]> {
    const found: T[] = []
    for await (const resource of this.list({ ...selection, filter })) found.push(resource)
    return found
  }

  /** Number of resources matching a filter (or all), from one `count=0` request. */
  async count(filter?: Filter): Promise<number> {
    const capabilities = this.#context.capabilities()
    if (filter && !targetCanEvaluate(filter, capabilities)) return (await this.find(filter)).length
    const response = await this.#context.transport.request({
      method: 'GET',
      path: this.endpoint,
      query: { filter: filter ? formatFilter(filter) : undefined, count: 0 },
    })
    return readListResponse(response.body, { describe: () => ({ integration: this.#context.integration }) })
      .totalResults
  }

  #pathOf(id: string): string {
    return `${this.endpoint}/${encodeURIComponent(id)}`
  }

  #ifMatch(version: string | undefined): Record<string, string> | undefined {
    return version && this.#context.capabilities().etag ? { 'If-Match': version } : undefined
  }

  #resource(body: unknown, etag: string | undefined, method: string, id?: string): T {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ScimMalformedResponseError('expected a resource object', {
        integration: this.#context.integration,
        request: { method, url: id === undefined ? this.endpoint : this.#pathOf(id) },
        status: 200,
        body: JSON.stringify(body) ?? '',
      })
    }
    const resource = body as T
    if (etag && !resource.meta?.version) resource.meta = { ...resource.meta, version: etag }
    return resource
  }
}

function selectionQuery(selection: AttributeSelection): Record<string, string | undefined> {
  return {
    attributes: selection.attributes?.length ? selection.attributes.join(',') : undefined,
    excludedAttributes: selection.excludedAttributes?.length
      ? selection.excludedAttributes.join(',')
      : undefined,
  }
}

function searchBody(params: Record<string, string | number | undefined>): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [MESSAGE.searchRequest] }
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue
    body[key] = key === 'attributes' || key === 'excludedAttributes' ? String(value).split(',') : value
  }
  return body
}

/**
 * Whether sending an operation twice leaves the same result: replace and remove do, and so does
 * adding group members (RFC 7644 §3.5.2.1 adds no duplicate members). Adding other multi-valued
 * values may duplicate them, so such a PATCH is not retried after an unknown outcome.
 */
function isRepeatable(operation: PatchOperation): boolean {
  if (operation.op.toLowerCase() !== 'add') return true
  const path = operation.path?.toLowerCase()
  return (
    path === 'members' ||
    (path !== undefined && !MULTI_VALUED_USER_ATTRIBUTES.has(path.split(/[.[]/)[0] ?? ''))
  )
}

const MULTI_VALUED_USER_ATTRIBUTES = new Set([
  'emails',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509certificates',
])
