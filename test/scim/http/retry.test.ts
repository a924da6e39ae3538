import { afterEach, describe, expect, it } from 'vitest'
import { ScimNetworkError, ScimResponseError } from '../../../src/scim/errors.ts'
import { type RetryInfo, ScimTransport, type TransportOptions } from '../../../src/scim/http/transport.ts'
import { closedPort, delay, sendJson, startServer, type TestServer } from './test-server.ts'

const servers: TestServer[] = []
const transports: ScimTransport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A server answering the scripted statuses in order, then 200. */
async function scripted(...answers: Array<number | 'drop' | { status: number; retryAfter: string }>) {
  const started = await startServer((req, res, seen) => {
    const answer = answers[started.requests.length - 1] ?? 200
    if (answer === 'drop') {
      req.socket.destroy()
      return
    }
    const status = typeof answer === 'number' ? answer : answer.status
    const headers: Record<string, string> =
      typeof answer === 'number' ? {} : { 'retry-after': answer.retryAfter }
    sendJson(
      res,
      status,
      status === 200 ? { n: started.requests.length, method: seen.method } : { detail: 'x' },
      headers,
    )
  })
  servers.push(started)
  return started
}

function client(server: TestServer | string, options: Partial<TransportOptions> = {}) {
  const retries: RetryInfo[] = []
  const transport = new ScimTransport({
    baseUrl: typeof server === 'string' ? server : server.url,
    auth: { bearer: 'token-abc' },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    onRetry: (info) => retries.push(info),
    ...options,
  })
  transports.push(transport)
  return { transport, retries }
}

const GET = { method: 'GET', path: '/Users' } as const
const CREATE = { method: 'POST', path: '/Users', body: { userName: 'a' } } as const

describe('retries', () => {
  it('retries a 503 and returns the 200 that follows', async () => {
    const server = await scripted(503)
    const { transport, retries } = client(server)
    expect((await transport.request(GET)).body).toEqual({ n: 2, method: 'GET' })
    expect(retries).toMatchObject([{ attempt: 1, reason: 'HTTP 503', request: { method: 'GET' } }])
  })

  it('retries a 500 on GET with backoff, but never on a plain POST', async () => {
    const server = await scripted(500, 500)
    const { transport, retries } = client(server)
    expect((await transport.request(GET)).status).toBe(200)
    expect(server.requests).toHaveLength(3)
    expect(retries.map((r) => r.delayMs).every((d) => d >= 0 && d <= 100)).toBe(true)

    const post = await scripted(500)
    const error = await client(post)
      .transport.request(CREATE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimResponseError)
    expect((error as ScimResponseError).status).toBe(500)
    expect(post.requests).toHaveLength(1)
  })

  it('retries POST /.search and POSTs marked idempotent on 500', async () => {
    const server = await scripted(500, 500)
    const { transport } = client(server)
    await transport.request({ method: 'POST', path: '/Users/.search', body: { filter: 'x' } })
    await transport.request({ ...CREATE, idempotent: true })
    expect(server.requests).toHaveLength(4)
  })

  it('retries a 429 on POST, honouring Retry-After in seconds', async () => {
    const server = await scripted({ status: 429, retryAfter: '1' })
    const { transport, retries } = client(server)
    const started = performance.now()
    expect((await transport.request(CREATE)).body).toEqual({ n: 2, method: 'POST' })
    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)
    expect(waited).toBeGreaterThanOrEqual(990)
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000)
    expect(retries[0]).toMatchObject({ delayMs: 1000, reason: 'HTTP 429' })
  })

  it('honours Retry-After as an HTTP-date', async () => {
    const retryAt = new Date(Date.now() + 1500)
    const header = retryAt.toUTCString()
    const server = await scripted({ status: 503, retryAfter: header })
    const { transport } = client(server)
    await transport.request(GET)
    // The header has whole seconds; the wait asked for runs to that second.
    const secondReached = Date.parse(header)
    expect(Date.now()).toBeGreaterThanOrEqual(secondReached - 5)
    expect(server.requests).toHaveLength(2)
  })

  it('retries a dropped connection on GET, surfaces it on POST', async () => {
    const server = await scripted('drop')
    const { transport, retries } = client(server)
    expect((await transport.request(GET)).status).toBe(200)
    expect(retries).toHaveLength(1)

    const post = await scripted('drop')
    const error = await client(post)
      .transport.request(CREATE)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimNetworkError)
    expect((error as ScimNetworkError).timedOut).toBe(false)
    expect(post.requests).toHaveLength(1)
  })

  it('retries a POST whose connection was refused, then throws the last error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/scim/v2`
    const { transport, retries } = client(url, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } })
    const error = await transport.request(CREATE).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimNetworkError)
    expect((error as ScimNetworkError).code).toBe('ECONNREFUSED')
    expect(retries.map((r) => r.attempt)).toEqual([1, 2])
  })

  it('throws the last error once maxAttempts are spent', async () => {
    const server = await scripted(502, 503, 504, 500)
    const { transport } = client(server, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })
    const error = await transport.request(GET).catch((e: unknown) => e)
    expect((error as ScimResponseError).status).toBe(504)
    expect(server.requests).toHaveLength(3)
  })

  it('does not retry 4xx answers', async () => {
    const server = await scripted(400, 404)
    const { transport } = client(server)
    await expect(transport.request(GET)).rejects.toMatchObject({ status: 400 })
    await delay(10)
    expect(server.requests).toHaveLength(1)
  })
})
