/**
 * A tiny SCIM target on `node:http` for extraction behaviours the sandbox cannot show: groups that
 * omit `members` while users carry `groups`, members without a `type`, no `/Schemas`, a list that
 * answers 500 after some pages. Resources live in `state`, so a test changes the target between
 * extractions by editing it; every request is recorded, so a test can count them by path.
 */
import type { ServerResponse } from 'node:http'
import type { ScimResource } from '../../src/scim/index.ts'
import { compileFilter, parseFilter } from '../../src/scim/index.ts'
import {
  type RecordedRequest,
  type RecordingServer,
  sendScimJson,
  sendText,
  startRecordingServer,
} from './scim-servers.ts'

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
/** The custom User extension the fake target publishes at `/Schemas`. */
export const ACME_USER = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User'
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'

export interface FakeTargetOptions {
  users?: ScimResource[]
  groups?: ScimResource[]
  /**
   * Where memberships are stated: `group-members` (RFC: `Group.members`, the default) or
   * `user-groups` (groups are served without `members`; users carry `groups` derived from them).
   */
  memberships?: 'group-members' | 'user-groups'
  /** Serve `/Schemas` (default true); false answers 404 as targets without it do. */
  schemas?: boolean
  /** Largest page served (default 100). */
  maxPage?: number
  /** What `/ServiceProviderConfig` says of filtering (default true); the target filters either way. */
  filterSupported?: boolean
  /** How list responses are written out (default `JSON.stringify`), e.g. indented or with `\/` escapes. */
  listText?: (body: object) => string
}

export interface FakeTarget extends RecordingServer {
  /** SCIM base URL, e.g. `http://127.0.0.1:40123/scim/v2`. */
  url: string
  /** The target's resources; groups list their members here even when served without them. */
  state: { users: ScimResource[]; groups: ScimResource[] }
  /** Requests whose path ends with `suffix`, e.g. `/Schemas`. */
  to(suffix: string): RecordedRequest[]
  /**
   * From now on, list requests to `endpoint` after its first `pages` pages answer 500 (pages
   * counted from this call); `undefined` turns the failure off.
   */
  failAfterPages(endpoint: '/Users' | '/Groups', pages: number | undefined): void
}

/** A user resource with fixed `meta` times, so the target serves it the same way every time. */
export function fakeUser(id: string, userName: string, extra: Record<string, unknown> = {}): ScimResource {
  return {
    schemas: [CORE_USER],
    id,
    userName,
    active: true,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
    ...extra,
  }
}

/** A group resource; members without `type` when `typed` is false, as some targets send them. */
export function fakeGroup(
  id: string,
  displayName: string,
  members: Array<{ value: string; type?: 'User' | 'Group' }>,
  extra: Record<string, unknown> = {},
): ScimResource {
  return {
    schemas: [CORE_GROUP],
    id,
    displayName,
    ...(members.length > 0 ? { members } : {}),
    meta: { resourceType: 'Group', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
    ...extra,
  }
}

const ACME_SCHEMA = {
  id: ACME_USER,
  name: 'AcmeUser',
  attributes: [
    {
      name: 'badgeColor',
      type: 'string',
      multiValued: false,
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    },
  ],
}

/** Starts a fake target on 127.0.0.1 with a random port. */
export async function startFakeTarget(options: FakeTargetOptions = {}): Promise<FakeTarget> {
  const state = { users: options.users ?? [], groups: options.groups ?? [] }
  const memberships = options.memberships ?? 'group-members'
  const maxPage = options.maxPage ?? 100
  const failure: Record<string, { after: number; served: number } | undefined> = {}

  const userView = (user: ScimResource): ScimResource => {
    if (memberships !== 'user-groups') return user
    const groups = state.groups
      .filter((group) => membersOf(group).some((member) => member.value === user.id))
      .map((group) => ({ value: group.id, display: group.displayName, type: 'direct' }))
    return groups.length > 0 ? { ...user, groups } : user
  }
  const groupView = (group: ScimResource): ScimResource => {
    if (memberships !== 'user-groups') return group
    const { members: _members, ...rest } = group
    return rest
  }

  const list = (seen: RecordedRequest, res: ServerResponse, resources: ScimResource[]): void => {
    const endpoint = seen.path.slice('/scim/v2'.length)
    const rule = failure[endpoint]
    if (rule) {
      if (rule.served >= rule.after) {
        sendScimJson(res, 500, { schemas: [ERROR], status: '500', detail: 'the fake target failed' })
        return
      }
      rule.served += 1
    }
    const filterText = seen.query.get('filter')
    const matching = filterText ? resources.filter(compileFilter(parseFilter(filterText))) : resources
    const start = Math.max(1, Number(seen.query.get('startIndex') ?? 1))
    const count = Math.min(Number(seen.query.get('count') ?? maxPage), maxPage)
    const page = matching.slice(start - 1, start - 1 + count)
    const body = {
      schemas: [LIST],
      totalResults: matching.length,
      itemsPerPage: page.length,
      startIndex: start,
      Resources: page,
    }
    if (options.listText) sendText(res, 200, options.listText(body), 'application/scim+json')
    else sendScimJson(res, 200, body)
  }

  const server = await startRecordingServer((seen, res) => {
    const path = seen.path.replace(/^\/scim\/v2/, '')
    if (seen.method !== 'GET') {
      sendScimJson(res, 405, { schemas: [ERROR], status: '405', detail: 'read only' })
      return
    }
    switch (path) {
      case '/ServiceProviderConfig':
        sendScimJson(res, 200, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: options.filterSupported ?? true, maxResults: 1000 },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [],
        })
        return
      case '/ResourceTypes':
        sendScimJson(res, 200, {
          schemas: [LIST],
          totalResults: 2,
          Resources: [
            {
              id: 'User',
              name: 'User',
              endpoint: '/Users',
              schema: CORE_USER,
              schemaExtensions: [{ schema: ACME_USER, required: false }],
            },
            { id: 'Group', name: 'Group', endpoint: '/Groups', schema: CORE_GROUP },
          ],
        })
        return
      case '/Schemas':
        if (options.schemas === false) break
        sendScimJson(res, 200, { schemas: [LIST], totalResults: 1, Resources: [ACME_SCHEMA] })
        return
      case '/Users':
        list(seen, res, state.users.map(userView))
        return
      case '/Groups':
        list(seen, res, state.groups.map(groupView))
        return
    }
    sendScimJson(res, 404, { schemas: [ERROR], status: '404', detail: `no ${seen.path}` })
  })

  return {
    ...server,
    url: `${server.origin}/scim/v2`,
    state,
    to: (suffix) => server.requests.filter((request) => request.path.endsWith(suffix)),
    failAfterPages(endpoint, pages) {
      failure[endpoint] = pages === undefined ? undefined : { after: pages, served: 0 }
    },
  }
}

function membersOf(group: ScimResource): Array<{ value?: string }> {
  return Array.isArray(group.members) ? (group.members as Array<{ value?: string }>) : []
}
