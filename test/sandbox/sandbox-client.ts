/** Plain-fetch helpers for the sandbox tests: no Provisio client code, so the server is tested alone. */
import { SCHEMA } from '../../src/scim/schemas.ts'

export const USER = SCHEMA.user
export const GROUP = SCHEMA.group
export const ENTERPRISE = SCHEMA.enterpriseUser
export const PROVISIO = 'urn:ietf:params:scim:schemas:extension:provisio:2.0:User'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

export interface Ref {
  value?: string
  display?: string
  type?: string
  $ref?: string
}

/** The members of SCIM bodies the tests read; everything else is `unknown`. */
export interface ScimBody {
  [key: string]: unknown
  schemas?: string[]
  id?: string
  userName?: string
  displayName?: string
  meta?: {
    version?: string
    created?: string
    lastModified?: string
    location?: string
    resourceType?: string
  }
  Resources?: ScimBody[]
  totalResults?: number
  itemsPerPage?: number
  startIndex?: number
  nextCursor?: string
  status?: string
  scimType?: string
  detail?: string
  Operations?: ScimBody[]
  members?: Ref[]
  groups?: Ref[]
  location?: string
  version?: string
  bulkId?: string
  method?: string
  response?: ScimBody
}

export interface TestResponse {
  status: number
  headers: Headers
  body: ScimBody
  text: string
}

export interface RequestOptions {
  body?: unknown
  /** Sent as-is instead of `body`. */
  raw?: string
  headers?: Record<string, string>
}

/** A minimal SCIM caller over global fetch. */
export class TestClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.token !== undefined && headers.authorization === undefined)
      headers.authorization = `Bearer ${this.token}`
    let body: string | undefined
    if (options.raw !== undefined) body = options.raw
    else if (options.body !== undefined) body = JSON.stringify(options.body)
    if (body !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/scim+json'
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text ? (JSON.parse(text) as ScimBody) : {},
    }
  }

  get(path: string, headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('GET', path, headers ? { headers } : {})
  }

  post(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('POST', path, { body, ...(headers ? { headers } : {}) })
  }

  put(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('PUT', path, { body, ...(headers ? { headers } : {}) })
  }

  patch(path: string, operations: unknown[], headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('PATCH', path, {
      body: { schemas: [PATCH_OP], Operations: operations },
      ...(headers ? { headers } : {}),
    })
  }

  delete(path: string, headers?: Record<string, string>): Promise<TestResponse> {
    return this.request('DELETE', path, headers ? { headers } : {})
  }

  /** Creates a user and returns its body; fails the test when the server refuses. */
  async createUser(userName: string, extra: Record<string, unknown> = {}): Promise<ScimBody> {
    const res = await this.post('/Users', { schemas: [USER], userName, ...extra })
    if (res.status !== 201) throw new Error(`creating ${userName}: ${res.status} ${res.text}`)
    return res.body
  }

  /** Creates a group with the given member ids. */
  async createGroup(displayName: string, memberIds: string[] = []): Promise<ScimBody> {
    const res = await this.post('/Groups', {
      schemas: [GROUP],
      displayName,
      ...(memberIds.length > 0 ? { members: memberIds.map((value) => ({ value })) } : {}),
    })
    if (res.status !== 201) throw new Error(`creating group ${displayName}: ${res.status} ${res.text}`)
    return res.body
  }

  /** userNames (or displayNames) of a list response, sorted. */
  async names(path: string): Promise<string[]> {
    const res = await this.get(path)
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`)
    return (res.body.Resources ?? []).map((r) => String(r.userName ?? r.displayName)).sort()
  }
}

/** `?filter=…` with the filter URL-encoded. */
export function filterQuery(filter: string, extra = ''): string {
  return `?filter=${encodeURIComponent(filter)}${extra}`
}
