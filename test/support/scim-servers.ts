/**
 * Tiny SCIM-ish servers on plain `node:http` (127.0.0.1, random port) for the client tests:
 * misbehaving list endpoints, a scripted responder, and a recording proxy in front of the sandbox.
 * Every server records what it was asked, so tests can count requests and read the wire.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as a server saw it, body included. */
export interface RecordedRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  /** Path without the query. */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
}

export interface RecordingServer {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  origin: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export type RecordingHandler = (
  seen: RecordedRequest,
  res: ServerResponse,
  req: IncomingMessage,
) => void | Promise<void>

/** Starts a server that records each request (with its body) and hands it to `handler`. */
export async function startRecordingServer(handler: RecordingHandler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = req.url ?? '/'
      const parsed = new URL(url, 'http://localhost')
      const seen: RecordedRequest = {
        method: req.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(seen)
      Promise.resolve(handler(seen, res, req)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(599)
        res.end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Writes a JSON answer with the SCIM media type. */
export function sendScimJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/scim+json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Writes a raw text answer, e.g. broken JSON. */
export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export interface RecordingProxy extends RecordingServer {
  /** The proxied SCIM base URL: the proxy origin plus the target's path. */
  url: string
  /** Requests whose path ends with `suffix` (e.g. `/Users`), optionally of one method. */
  to(suffix: string, method?: string): RecordedRequest[]
}

export interface ProxyOptions {
  /** Rewrites the request body before it is forwarded (the recorded body stays as the client sent it). */
  rewriteBody?: (seen: RecordedRequest) => string
  /** Runs before a request is forwarded, e.g. to change the target's state behind the client's back. */
  beforeForward?: (seen: RecordedRequest) => void | Promise<void>
}

/**
 * A proxy in front of a SCIM base URL (the sandbox) that records every request and forwards it
 * unchanged, unless `rewriteBody` says otherwise.
 */
export async function startRecordingProxy(
  baseUrl: string,
  options: ProxyOptions = {},
): Promise<RecordingProxy> {
  const target = new URL(baseUrl)
  const server = await startRecordingServer(async (seen, res) => {
    await options.beforeForward?.(seen)
    const body = options.rewriteBody ? options.rewriteBody(seen) : seen.body
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(seen.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'content-length') headers[name] = value
    }
    if (body !== '') headers['content-length'] = String(Buffer.byteLength(body))
    await new Promise<void>((resolve, reject) => {
      const forwarded = httpRequest(
        { host: target.hostname, port: target.port, method: seen.method, path: seen.url, headers },
        (answer) => {
          const chunks: Buffer[] = []
          answer.on('data', (chunk: Buffer) => chunks.push(chunk))
          answer.on('end', () => {
            const answerHeaders: Record<string, string | string[]> = {}
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value !== undefined && name !== 'connection' && name !== 'keep-alive')
                answerHeaders[name] = value
            }
            res.writeHead(answer.statusCode ?? 502, answerHeaders)
            res.end(Buffer.concat(chunks))
            resolve()
          })
          answer.on('error', reject)
        },
      )
      // A connection the target dropped is dropped towards the client too.
      forwarded.on('error', () => {
        res.socket?.destroy()
        resolve()
      })
      forwarded.end(body === '' ? undefined : body)
    })
  })
  return {
    ...server,
    url: `${server.origin}${target.pathname.replace(/\/+$/, '')}`,
    to: (suffix, method) =>
      server.requests.filter((r) => r.path.endsWith(suffix) && (method === undefined || r.method === method)),
  }
}

/** How a fake list endpoint misbehaves. */
export interface ListServerOptions {
  /** How many resources the endpoint holds. */
  total: number
  /** Largest page served, whatever `count` asks (a server-side cap). */
  maxPage?: number
  /** The `totalResults` reported for a page (default: the true total); `undefined` leaves it out. */
  reportTotal?: (page: { startIndex: number; served: number; total: number }) => number | undefined
  /** Serve page 1 whatever `startIndex` says. */
  ignoreStartIndex?: boolean
  /** Name of the resources array (default `Resources`). */
  resourcesKey?: string
  /** Cursor pagination: serve by `cursor`; `loop` hands out the same `nextCursor` forever. */
  cursor?: 'honest' | 'loop'
}

/** The resource the fake list server holds at 1-based position n. */
export function listedUser(n: number): { schemas: string[]; id: string; userName: string } {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: `u-${String(n).padStart(4, '0')}`,
    userName: `listed${n}@example.com`,
  }
}

/** Requests a list server answers before refusing every further one. */
export const LIST_SERVER_REQUEST_LIMIT = 50

/** A `/scim/v2/Users` list endpoint over `total` fake users that misbehaves as told. */
export async function startListServer(
  options: ListServerOptions,
): Promise<RecordingServer & { url: string }> {
  const server = await startRecordingServer((seen, res) => {
    // A client that loops is stopped with an error rather than left to run into the test timeout.
    if (server.requests.length > LIST_SERVER_REQUEST_LIMIT) {
      sendScimJson(res, 400, { detail: 'the test list server saw too many requests: the client loops' })
      return
    }
    if (seen.method !== 'GET' || seen.path !== '/scim/v2/Users') {
      sendScimJson(res, 404, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' })
      return
    }
    const asked = Number(seen.query.get('count') ?? 100)
    const size = Math.min(asked, options.maxPage ?? asked)
    let start = options.ignoreStartIndex ? 1 : Number(seen.query.get('startIndex') ?? 1)
    let nextCursor: string | undefined
    if (options.cursor) {
      const cursor = seen.query.get('cursor') ?? ''
      start = options.cursor === 'loop' || cursor === '' ? 1 : Number(cursor)
      const after = start + size
      if (options.cursor === 'loop') nextCursor = 'again'
      else if (after <= options.total) nextCursor = String(after)
    }
    const served: Array<ReturnType<typeof listedUser>> = []
    for (let n = start; n < start + size && n <= options.total; n++) served.push(listedUser(n))
    const total = options.reportTotal
      ? options.reportTotal({ startIndex: start, served: served.length, total: options.total })
      : options.total
    sendScimJson(res, 200, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      ...(total === undefined ? {} : { totalResults: total }),
      itemsPerPage: served.length,
      startIndex: start,
      ...(nextCursor === undefined ? {} : { nextCursor }),
      [options.resourcesKey ?? 'Resources']: served,
    })
  })
  return { ...server, url: `${server.origin}/scim/v2` }
}
