/**
 * A SCIM 2.0 service provider the project did not write: `scimmy` resources behind the
 * `scimmy-routers` express middleware, over a small in-memory store. Test code only.
 *
 * SCIMMY keeps its declarations and its ServiceProviderConfig in module singletons, so the
 * resources are declared once per process and the handlers find their store through the
 * per-request context (`req.app.locals`): every server started here has its own store and token.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type Request } from 'express'
import SCIMMY from 'scimmy'
import SCIMMYRouters from 'scimmy-routers'

/** The token every request must carry as `Authorization: Bearer …`. */
export const SCIMMY_TOKEN = 'scimmy-test-token'

/** Most resources a filtered query returns, as `/ServiceProviderConfig` says. */
export const SCIMMY_MAX_RESULTS = 50

/** A stored resource: plain JSON as SCIMMY handed it over, plus the server-assigned members. */
type Stored = Record<string, unknown> & { id: string; meta: { created: string; lastModified: string } }

interface Store {
  users: Map<string, Stored>
  groups: Map<string, Stored>
}

/** A request as the server received it, for asserting on what the client sent. */
export interface SeenRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  headers: IncomingHttpHeaders
  body: unknown
}

export interface ScimmyServer {
  /** SCIM base URL, e.g. `http://127.0.0.1:PORT/scim/v2`. */
  url: string
  /** Every request received since the last `reset()`. */
  requests: SeenRequest[]
  close(): Promise<void>
  /** Empties the store and the request log. */
  reset(): void
}

interface Locals {
  store: Store
  token: string
}

function locals(req: Request): Locals {
  return req.app.locals as Locals
}

/** The store passed by the router's `context` to every handler. */
function storeOf(ctx: unknown): Store {
  const store = ctx as Partial<Store> | undefined
  if (!(store?.users instanceof Map) || !(store.groups instanceof Map)) {
    throw new SCIMMY.Types.Error(500, '', 'no store in the request context')
  }
  return store as Store
}

/** SCIMMY hands handlers schema instances; the store keeps plain JSON copies. */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>
}

function notFound(id: string | undefined): never {
  throw new SCIMMY.Types.Error(404, '', `Resource ${id} not found`)
}

/** Creates (no id) or replaces (id) a resource; `userName` is unique case-insensitively (caseExact false). */
function write(map: Map<string, Stored>, id: string | undefined, instance: unknown): Stored {
  const data = plain(instance)
  const existing = id === undefined ? undefined : map.get(id)
  if (id !== undefined && !existing) notFound(id)
  const userName = data.userName
  if (typeof userName === 'string') {
    for (const other of map.values()) {
      const taken = other.userName
      if (other.id !== id && typeof taken === 'string' && taken.toLowerCase() === userName.toLowerCase()) {
        throw new SCIMMY.Types.Error(
          409,
          'uniqueness',
          `userName ${JSON.stringify(userName)} is already taken`,
        )
      }
    }
  }
  // SCIMMY calls ingress for every PATCH, even one that changes nothing (it then answers 204):
  // an unchanged resource keeps its lastModified.
  if (existing && sameContent(existing, data)) return existing
  const now = new Date().toISOString()
  const stored: Stored = {
    ...data,
    id: existing?.id ?? randomUUID(),
    meta: { created: existing?.meta.created ?? now, lastModified: now },
  }
  map.set(stored.id, stored)
  return stored
}

function sameContent(existing: Stored, data: Record<string, unknown>): boolean {
  const { id: _id, meta: _meta, ...before } = existing
  const { meta: _incoming, ...after } = data
  return JSON.stringify(before) === JSON.stringify(after)
}

/**
 * One resource by id, or every resource matching the filter. `resource.constraints` (sortBy,
 * startIndex, count) are applied by SCIMMY's ListResponse, which `read()` builds from this array:
 * it takes `totalResults` from the array's length, so slicing a page here would misreport it.
 */
function read(map: Map<string, Stored>, id: string | undefined, filter: SCIMMY.Types.Filter | undefined) {
  if (id !== undefined) return map.get(id) ?? notFound(id)
  const all = [...map.values()]
  return filter ? (filter.match(all) as Stored[]) : all
}

function dispose(map: Map<string, Stored>, id: string | undefined): void {
  if (id === undefined || !map.delete(id)) notFound(id)
}

let router: express.Router | undefined

/**
 * Declares User and Group once per process and builds the router. The router's constructor
 * writes its own defaults into SCIMMY.Config (patch, filter, sort, bulk all on), so the
 * configuration is set after it.
 */
function scimmyRouter(): express.Router {
  if (router) return router
  // SCIMMY's handler types expect its schema classes; the store deals in plain JSON. The casts
  // to `never` keep the adapter honest about that without spreading `any`.
  // The enterprise extension is declared as a deployment with managers and departments would:
  // without it scimmy keeps the extension's URN in `schemas` and silently drops its values.
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .ingress((resource, instance, ctx) => write(storeOf(ctx).users, resource.id, instance) as never)
    .egress((resource, ctx) => read(storeOf(ctx).users, resource.id, resource.filter) as never)
    .degress((resource, ctx) => dispose(storeOf(ctx).users, resource.id))
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance, ctx) => write(storeOf(ctx).groups, resource.id, instance) as never)
    .egress((resource, ctx) => read(storeOf(ctx).groups, resource.id, resource.filter) as never)
    .degress((resource, ctx) => dispose(storeOf(ctx).groups, resource.id))
  const created = new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (req.header('authorization') !== `Bearer ${locals(req).token}`) {
        throw new Error('Invalid bearer token')
      }
      return 'scimmy-test-client'
    },
    context: (req) => locals(req).store,
  })
  SCIMMY.Config.set({
    patch: true,
    filter: { supported: true, maxResults: SCIMMY_MAX_RESULTS },
    sort: true,
    // scimmy-routers serves /Bulk through SCIMMY.Messages.BulkRequest.
    bulk: { supported: true, maxOperations: 10, maxPayloadSize: 1_048_576 },
    etag: false,
    changePassword: false,
  })
  router = created as unknown as express.Router
  return router
}

export interface ScimmyServerOptions {
  /**
   * Keep `req.query` fixed so scimmy-routers can cast `startIndex`/`count` (default true). Off,
   * the server behaves as scimmy-routers 1.3.2 does on express 5: both parameters are ignored.
   */
  castPagingParameters?: boolean
}

/** Starts scimmy on 127.0.0.1 with a random port, its SCIM base URL at `/scim/v2`. */
export async function startScimmyServer(options: ScimmyServerOptions = {}): Promise<ScimmyServer> {
  const app = express()
  const store: Store = { users: new Map(), groups: new Map() }
  const requests: SeenRequest[] = []
  Object.assign(app.locals, { store, token: SCIMMY_TOKEN } satisfies Locals)
  // Parsed here (as the router would) so the log sees the body; the router's parser then skips it.
  app.use('/scim/v2', express.json({ type: ['application/scim+json', 'application/json'] }))
  app.use('/scim/v2', (req, _res, next) => {
    // Express 5 parses `req.query` afresh on every read, so scimmy-routers' cast of `startIndex`
    // and `count` to numbers (written for express 4) would be lost and SCIMMY would ignore both.
    if (options.castPagingParameters !== false) {
      Object.defineProperty(req, 'query', {
        value: req.query,
        writable: true,
        configurable: true,
        enumerable: true,
      })
    }
    requests.push({
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      body: req.body as unknown,
    })
    next()
  })
  app.use('/scim/v2', scimmyRouter())
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    )
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
    reset: () => {
      store.users.clear()
      store.groups.clear()
      requests.length = 0
    },
  }
}
