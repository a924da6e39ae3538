/** A real `node:http` server on 127.0.0.1 with a random port, recording what it saw. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

export interface TestServer {
  url: string
  requests: SeenRequest[]
  /** TCP connections accepted. */
  connections: number
  /** Most requests being handled at once. */
  maxInFlight: number
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>

/** Starts a server; every request is recorded with its body before `handler` runs. */
export async function startServer(handler: Handler): Promise<TestServer> {
  let inFlight = 0
  const state: TestServer = {
    url: '',
    requests: [],
    connections: 0,
    maxInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      }
      state.requests.push(seen)
      inFlight += 1
      state.maxInFlight = Math.max(state.maxInFlight, inFlight)
      res.on('close', () => {
        inFlight -= 1
      })
      Promise.resolve(handler(req, res, seen)).catch((error: unknown) => {
        res.statusCode = 599
        res.end(String(error))
      })
    })
  })
  server.on('connection', () => {
    state.connections += 1
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

/** Answers with a JSON body and the SCIM media type. */
export function sendJson(
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

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Every text an error exposes: message, JSON form, cause. */
export function errorTexts(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return [error.message, String(error), JSON.stringify(error), String(error.cause), error.stack ?? ''].join(
    '\n',
  )
}
