/**
 * The sandbox: a local SCIM 2.0 service provider on plain `node:http`, for trying policies, for
 * tests and for benchmarks. Per request it does a fault decision, a token check, a route lookup and
 * the handler; nothing scans or copies the store unless the request asks for a listing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { ScimProtocolError } from '../scim/errors.ts'
import type { ScimResource } from '../scim/resources.ts'
import { FaultInjector, type FaultSpec } from './faults.ts'
import { asSandboxError, errorReply, parseJsonBody, type Reply, readBody, sendReply } from './http-io.ts'
import type { SandboxContext, ScimRequest } from './resource-endpoints.ts'
import { expandResource } from './resource-render.ts'
import { ResourceStore } from './resource-store.ts'
import { matchRoute, methodNotAllowed, notFound } from './scim-router.ts'
import { seedGroups, seedUsers } from './seed.ts'
import { StateFile } from './state-file.ts'

/** How to start a sandbox; every field is optional. */
export interface SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number
  /** Listen address, default `127.0.0.1`. */
  host?: string
  /** Bearer token clients must send; without it authentication is off. */
  token?: string
  /** Path prefix of the SCIM endpoints, default `/scim/v2`. */
  basePath?: string
  /** Faults to inject; see faults.ts. */
  faults?: FaultSpec
  /** Generated users to start with (ignored when a state file is loaded). */
  seedUsers?: number
  /** Generated groups to start with (ignored when a state file is loaded). */
  seedGroups?: number
  /** Teams each seeded user joins besides its department group (default 1). */
  seedTeamsPerUser?: number
  /** JSON file holding the state across restarts. */
  stateFile?: string
  /** Largest page (and `filter.maxResults`), default 1000. */
  maxResults?: number
  /** Page size when a list request gives no `count`, default min(100, maxResults). */
  defaultPageSize?: number
  /** Most operations in one Bulk request, default 1000. */
  bulkMaxOperations?: number
  /** Largest Bulk request body in bytes, default 1 MiB. */
  bulkMaxPayloadSize?: number
  /** Told of every request once it is answered (or dropped), for tests that count what arrived. */
  onRequest?: (request: SandboxRequestRecord) => void
}

/** A request as the sandbox handled it. */
export interface SandboxRequestRecord {
  method: string
  /** Path and query as received. */
  url: string
  /** The parsed JSON body, for requests that carry one. */
  body: unknown
  /** The status of what was done (a fault's status for an injected one); 0 when nothing was done. */
  status: number
  /** False when the connection was destroyed instead of answered (a `drop` or `dropAfter` fault). */
  answered: boolean
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL of the SCIM endpoints, e.g. `http://127.0.0.1:7300/scim/v2`. */
  url: string
  port: number
  /** Stops listening, drops open connections and writes the state file. */
  close(): Promise<void>
  /** Requests received so far, faulted and refused ones included. */
  requestCount(): number
  /** Copies of all users as stored (password included) with derived `groups` and `meta.location`. */
  users(): ScimResource[]
  /** Copies of all groups as stored, with member references filled in. */
  groups(): ScimResource[]
  /** The live store, for tests that need to arrange or inspect state directly. */
  store: ResourceStore
  /** Replaces the fault injection (undefined turns it off). */
  setFaults(spec: FaultSpec | undefined): void
}

// Larger than any realistic single resource (a group with 100,000 members is about 6 MB).
const MAX_BODY = 16 * 1024 * 1024
const WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH'])

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`SandboxOptions.${name} must be an integer ≥ 1`)
  return value
}

function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** Checks `Authorization: Bearer …` in constant time (hashing first hides the token's length too). */
function bearerCheck(token: string): (header: string | undefined) => Reply | undefined {
  if (token === '')
    throw new RangeError('SandboxOptions.token must not be empty; omit it to disable authentication')
  const expected = createHash('sha256').update(token).digest()
  return (header) => {
    const space = header ? header.indexOf(' ') : -1
    const scheme = header && space > 0 ? header.slice(0, space).toLowerCase() : undefined
    if (!header || scheme !== 'bearer') {
      const error = new ScimProtocolError(401, 'Authentication required: send Authorization: Bearer <token>')
      return errorReply(error, { 'WWW-Authenticate': 'Bearer realm="provisio-sandbox"' })
    }
    const given = createHash('sha256')
      .update(header.slice(space + 1).trim())
      .digest()
    if (timingSafeEqual(given, expected)) return undefined
    return errorReply(new ScimProtocolError(401, 'The bearer token is not valid'), {
      'WWW-Authenticate': 'Bearer realm="provisio-sandbox", error="invalid_token"',
    })
  }
}

/** Path segments after the base path, or undefined when the path is outside it or badly encoded. */
function segmentsOf(pathname: string, basePath: string): string[] | undefined {
  if (!pathname.startsWith(basePath)) return undefined
  const rest = pathname.slice(basePath.length)
  if (rest !== '' && rest[0] !== '/') return undefined
  try {
    return rest
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const maxResults = positiveInteger('maxResults', options.maxResults, 1000)
  const ctx: SandboxContext = {
    store: new ResourceStore(),
    baseUrl: '',
    limits: {
      maxResults,
      defaultPageSize: Math.min(positiveInteger('defaultPageSize', options.defaultPageSize, 100), maxResults),
      bulkMaxOperations: positiveInteger('bulkMaxOperations', options.bulkMaxOperations, 1000),
      bulkMaxPayloadSize: positiveInteger('bulkMaxPayloadSize', options.bulkMaxPayloadSize, 1_048_576),
    },
  }
  const { store } = ctx
  const checkToken = options.token === undefined ? undefined : bearerCheck(options.token)
  const basePath = normalizeBasePath(options.basePath ?? '/scim/v2')
  let faults = options.faults ? new FaultInjector(options.faults) : undefined
  let requests = 0

  const stateFile = options.stateFile ? new StateFile(options.stateFile, store) : undefined
  const loaded = stateFile ? await stateFile.load() : false
  if (!loaded) {
    seedUsers(store, options.seedUsers ?? 0)
    seedGroups(store, options.seedGroups ?? 0, options.seedUsers ?? 0, options.seedTeamsPerUser ?? 1)
  }
  if (stateFile) {
    store.onChange(() => stateFile.schedule())
    if (!loaded && store.users.size + store.groups.size > 0) stateFile.schedule()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1
    let dropAfter = false
    let body: unknown
    const told = (status: number, answered = !dropAfter) =>
      options.onRequest?.({ method: req.method ?? 'GET', url: req.url ?? '/', body, status, answered })
    try {
      if (faults) {
        const { latencyMs, fault } = faults.decide()
        if (latencyMs > 0) await delay(latencyMs)
        if (fault.kind === 'drop') {
          req.socket.destroy()
          told(0, false)
          return
        }
        if (fault.kind === 'status') {
          const headers: Record<string, string> =
            fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }
          sendReply(
            res,
            errorReply(new ScimProtocolError(fault.status, `Injected fault: HTTP ${fault.status}`), headers),
          )
          told(fault.status)
          return
        }
        dropAfter = fault.kind === 'dropAfter'
      }
      const refusal = checkToken?.(req.headers.authorization)
      if (refusal) {
        sendReply(res, refusal)
        told(refusal.status)
        return
      }
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const pathname = q < 0 ? url : url.slice(0, q)
      const segments = segmentsOf(pathname, basePath)
      const route = segments && matchRoute(segments)
      if (!segments || !route) throw notFound(pathname)
      const method = req.method ?? 'GET'
      const handler = route.handlers[method]
      if (!handler) {
        sendReply(res, methodNotAllowed(route, method))
        return
      }
      if (WITH_BODY.has(method)) {
        const limit = route.bulk ? ctx.limits.bulkMaxPayloadSize : MAX_BODY
        const tooLarge = route.bulk
          ? `The size of the bulk request exceeds the maxPayloadSize (${limit} bytes)`
          : `The request body exceeds ${limit} bytes`
        body = parseJsonBody(await readBody(req, limit, tooLarge), req.headers['content-type'])
      }
      const request: ScimRequest = {
        method,
        segments,
        params: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        ifMatch: req.headers['if-match'],
        ifNoneMatch: req.headers['if-none-match'],
        body,
      }
      const reply = handler(ctx, request)
      if (dropAfter) req.socket.destroy()
      else sendReply(res, reply)
      told(reply.status)
    } catch (error) {
      const scimError = asSandboxError(error)
      if (dropAfter) req.socket.destroy()
      else if (!res.headersSent) {
        // An unread oversized body is not worth draining: close the connection instead.
        sendReply(res, errorReply(scimError, scimError.status === 413 ? { Connection: 'close' } : undefined))
      }
      told(scimError.status)
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  ctx.baseUrl = `http://${host}:${address.port}${basePath}`

  let closing: Promise<void> | undefined
  return {
    url: ctx.baseUrl,
    port: address.port,
    store,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await stateFile?.close()
      })()
      return closing
    },
    requestCount: () => requests,
    users: () => store.users.all().map((s) => structuredClone(expandResource(ctx, 'User', s))),
    groups: () => store.groups.all().map((s) => structuredClone(expandResource(ctx, 'Group', s))),
    setFaults(spec) {
      faults = spec ? new FaultInjector(spec) : undefined
    },
  }
}
