import { afterEach, describe, expect, it } from 'vitest'
import { Semaphore, TokenBucket } from '../../../src/scim/http/rate-limiter.ts'
import { ScimTransport } from '../../../src/scim/http/transport.ts'
import { delay, sendJson, startServer, type TestServer } from './test-server.ts'

const servers: TestServer[] = []
const transports: ScimTransport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('TokenBucket', () => {
  it('grants the burst at once, then one token per 1/rps, in FIFO order', async () => {
    const bucket = new TokenBucket({ requestsPerSecond: 50, burst: 2 })
    expect(bucket.tryAcquire()).toBe(true)
    expect(bucket.tryAcquire()).toBe(true)
    expect(bucket.tryAcquire()).toBe(false)
    const order: number[] = []
    const started = performance.now()
    await Promise.all([0, 1, 2, 3, 4].map((i) => bucket.acquire().then(() => order.push(i))))
    expect(order).toEqual([0, 1, 2, 3, 4])
    // Five tokens at 50/s take about 100 ms; timers may fire a little early on some platforms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(90)
  })

  it('does not let a newcomer take a token ahead of a waiter', async () => {
    let clock = 0
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1, now: () => clock })
    expect(bucket.tryAcquire()).toBe(true)
    const waiting = bucket.acquire()
    clock = 200
    expect(bucket.tryAcquire()).toBe(false)
    expect(bucket.pending).toBe(1)
    await waiting
  })

  it('rejects nonsense rates', () => {
    expect(() => new TokenBucket({ requestsPerSecond: 0 })).toThrow(RangeError)
    expect(() => new TokenBucket({ requestsPerSecond: Number.NaN })).toThrow(RangeError)
  })
})

describe('Semaphore', () => {
  it('hands released slots to waiters in order', async () => {
    const semaphore = new Semaphore(2)
    expect(semaphore.tryAcquire()).toBe(true)
    await semaphore.acquire()
    const order: string[] = []
    const a = semaphore.acquire().then(() => order.push('a'))
    const b = semaphore.acquire().then(() => order.push('b'))
    expect(semaphore.tryAcquire()).toBe(false)
    semaphore.release()
    await a
    expect(semaphore.tryAcquire()).toBe(false)
    semaphore.release()
    await b
    expect(order).toEqual(['a', 'b'])
    expect(semaphore.active).toBe(2)
    semaphore.release()
    semaphore.release()
    expect(semaphore.active).toBe(0)
  })
})

describe('transport limits', () => {
  it('keeps to requestsPerSecond over any one-second window', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, {}))
    servers.push(server)
    const rps = 20
    const transport = new ScimTransport({ baseUrl: server.url, auth: { none: true }, requestsPerSecond: rps })
    transports.push(transport)
    const started = performance.now()
    await Promise.all(Array.from({ length: 50 }, () => transport.request({ method: 'GET', path: '/Users' })))
    // A burst of `rps`, then 30 more at 20/s: at least 1.5 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400)
    const times = server.requests.map((r) => r.at).sort((x, y) => x - y)
    let worstWindow = 0
    for (const [i, start] of times.entries()) {
      const inWindow = times.slice(i).filter((t) => t < start + 1000).length
      worstWindow = Math.max(worstWindow, inWindow)
    }
    // The initial burst plus one second of refill, with one request of timer slack.
    expect(worstWindow).toBeLessThanOrEqual(2 * rps + 1)
    const afterBurst = times.filter((t) => t >= (times[0] ?? 0) + 100)
    const steady = afterBurst.filter((t) => t < (afterBurst[0] ?? 0) + 1000).length
    expect(steady).toBeLessThanOrEqual(rps + 1)
  })

  it('never has more than `concurrency` requests in flight', async () => {
    const server = await startServer(async (_req, res) => {
      await delay(20)
      sendJson(res, 200, {})
    })
    servers.push(server)
    const transport = new ScimTransport({
      baseUrl: server.url,
      auth: { none: true },
      concurrency: 3,
      connections: 8,
    })
    transports.push(transport)
    await Promise.all(Array.from({ length: 30 }, () => transport.request({ method: 'GET', path: '/Users' })))
    expect(server.requests).toHaveLength(30)
    expect(server.maxInFlight).toBe(3)
  })
})
