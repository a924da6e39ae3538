/** Maps SCIM paths and methods to handlers; shared by the HTTP server and by Bulk operations. */

import { ScimProtocolError } from '../scim/errors.ts'
import { runBulk } from './bulk.ts'
import {
  findResourceType,
  findSchema,
  listOf,
  RESOURCE_TYPES,
  resourceTypeDocument,
  schemaDocument,
  serviceProviderConfig,
} from './discovery.ts'
import type { Reply } from './http-io.ts'
import { listQueryFromParams, listQueryFromSearchRequest } from './list-request.ts'
import {
  createResource,
  deleteResource,
  getResource,
  patchResource,
  replaceResource,
  type SandboxContext,
  type ScimRequest,
} from './resource-endpoints.ts'
import { runListQuery } from './resource-query.ts'
import type { ResourceKind } from './resource-store.ts'
import { ALL_SCHEMAS } from './schema-definitions.ts'

type Handler = (ctx: SandboxContext, request: ScimRequest) => Reply

/** The handlers of one path, by method. */
export interface Route {
  handlers: Partial<Record<string, Handler>>
  /** The endpoint takes bodies up to the bulk payload limit rather than the general one. */
  bulk?: boolean
}

const KINDS: Readonly<Record<string, ResourceKind>> = { Users: 'User', Groups: 'Group' }
const ALL_KINDS: ResourceKind[] = ['User', 'Group']

function search(kinds: ResourceKind[]): Handler {
  return (ctx, request) => ({
    status: 200,
    body: runListQuery(ctx, ctx.limits, kinds, listQueryFromSearchRequest(request.body)),
  })
}

function resourceRoutes(kind: ResourceKind, second: string | undefined): Route {
  if (second === undefined) {
    return {
      handlers: {
        GET: (ctx, request) => ({
          status: 200,
          body: runListQuery(ctx, ctx.limits, [kind], listQueryFromParams(request.params)),
        }),
        POST: (ctx, request) => createResource(ctx, kind, request),
      },
    }
  }
  if (second === '.search') return { handlers: { POST: search([kind]) } }
  return {
    handlers: {
      GET: (ctx, request) => getResource(ctx, kind, second, request),
      PUT: (ctx, request) => replaceResource(ctx, kind, second, request),
      PATCH: (ctx, request) => patchResource(ctx, kind, second, request),
      DELETE: (ctx, request) => deleteResource(ctx, kind, second, request),
    },
  }
}

const notImplemented: Handler = () => {
  throw new ScimProtocolError(501, 'The /Me endpoint is not implemented by the sandbox (RFC 7644 §3.11)')
}

const FIXED: Readonly<Record<string, Route>> = {
  '.search': { handlers: { POST: search(ALL_KINDS) } },
  Bulk: {
    bulk: true,
    handlers: { POST: (ctx, request) => runBulk(ctx, request.body, (r) => dispatch(ctx, r)) },
  },
  ServiceProviderConfig: {
    handlers: { GET: (ctx) => ({ status: 200, body: serviceProviderConfig(ctx.baseUrl, ctx.limits) }) },
  },
  ResourceTypes: {
    handlers: {
      GET: (ctx) => ({
        status: 200,
        body: listOf(RESOURCE_TYPES.map((r) => resourceTypeDocument(ctx.baseUrl, r))),
      }),
    },
  },
  Schemas: {
    handlers: {
      GET: (ctx) => ({ status: 200, body: listOf(ALL_SCHEMAS.map((s) => schemaDocument(ctx.baseUrl, s))) }),
    },
  },
  Me: {
    handlers: {
      GET: notImplemented,
      POST: notImplemented,
      PUT: notImplemented,
      PATCH: notImplemented,
      DELETE: notImplemented,
    },
  },
}

/** The route of a path (segments after the base path), or undefined for 404. */
export function matchRoute(segments: readonly string[]): Route | undefined {
  const [first, second] = segments
  if (first === undefined || segments.length > 2) return undefined
  const kind = KINDS[first]
  if (kind) return resourceRoutes(kind, second)
  if (second === undefined) return Object.hasOwn(FIXED, first) ? FIXED[first] : undefined
  if (first === 'ResourceTypes') {
    return {
      handlers: {
        GET: (ctx) => {
          const type = findResourceType(second)
          if (!type) throw new ScimProtocolError(404, `Resource type ${second} not found`)
          return { status: 200, body: resourceTypeDocument(ctx.baseUrl, type) }
        },
      },
    }
  }
  if (first === 'Schemas') {
    return {
      handlers: {
        GET: (ctx) => {
          const schema = findSchema(second)
          if (!schema) throw new ScimProtocolError(404, `Schema ${second} not found`)
          return { status: 200, body: schemaDocument(ctx.baseUrl, schema) }
        },
      },
    }
  }
  return undefined
}

/** The 404 for paths that exist nowhere. */
export function notFound(path: string): ScimProtocolError {
  return new ScimProtocolError(404, `No SCIM endpoint at ${path}`)
}

/** The 405 reply for a known path asked with a method it does not serve. */
export function methodNotAllowed(route: Route, method: string): Reply {
  const allow = Object.keys(route.handlers)
  const error = new ScimProtocolError(405, `${method} is not allowed here; use ${allow.join(', ')}`)
  return { status: 405, body: error.toBody(), headers: { Allow: allow.join(', ') } }
}

/** Runs a request whose body is already parsed. Throws ScimProtocolError for SCIM errors. */
export function dispatch(ctx: SandboxContext, request: ScimRequest): Reply {
  const route = matchRoute(request.segments)
  if (!route) throw notFound(`/${request.segments.join('/')}`)
  const handler = route.handlers[request.method]
  if (!handler) return methodNotAllowed(route, request.method)
  return handler(ctx, request)
}
