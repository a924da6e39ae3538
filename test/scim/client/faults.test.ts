import { describe, expect, it } from 'vitest'
import { type FaultSpec, parseFaultSpec } from '../../../src/sandbox/index.ts'
import { ScimNetworkError, ScimResponseError } from '../../../src/scim/errors.ts'
import type { RetryInfo } from '../../../src/scim/http/transport.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import type { ScimClientOptions } from '../../../src/scim/scim-client.ts'
import { FaultDice, RETRIED_ON } from '../../support/fault-prediction.ts'
import { rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'

const fx = scimFixtures()
const MAX_ATTEMPTS = 6

/** A discovered client on a sandbox with `seedUsers`; faults switched on after discovery. */
async function faulty(faults: FaultSpec, options: Partial<ScimClientOptions> = {}) {
  const sandbox = await fx.sandbox({ seedUsers: 5 })
  const retries: RetryInfo[] = []
  const client = fx.client(sandbox.url, {
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 2, maxDelayMs: 10 },
    onRetry: (info) => retries.push(info),
    ...options,
  })
  await client.discover()
  sandbox.setFaults(faults)
  const before = sandbox.requestCount()
  return { sandbox, client, retries, requests: () => sandbox.requestCount() - before }
}

const user = (userName: string) => ({ schemas: [SCHEMA.user], userName })
const reasons = (retries: readonly RetryInfo[]) => [...new Set(retries.map((r) => r.reason))]

describe('429 and 503', () => {
  it('waits for the Retry-After of a 429 and then succeeds', async () => {
    const { sandbox, client, retries, requests } = await faulty(
      { statusRates: { 429: 1 }, retryAfterSeconds: 1, seed: 1 },
      {
        onRetry: (info) => {
          retries.push(info)
          // The retry finds the target healthy again.
          sandbox.setFaults(undefined)
        },
      },
    )
    const started = performance.now()

    const read = await client.users.get('00000000-0000-4000-8000-000000000001')

    expect(read.userName).toBe('user1@example.com')
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(retries).toMatchObject([{ attempt: 1, delayMs: 1000, reason: 'HTTP 429' }])
    expect(requests()).toBe(2)
  })

  it('retries seeded 429s and 503s on reads and creates until every call succeeds', async () => {
    const spec = parseFaultSpec('429=0.2,503=0.2,retryAfter=0,seed=8')
    const dice = new FaultDice(spec)
    const reads = dice.play(10, RETRIED_ON.read, MAX_ATTEMPTS)
    const creates = dice.play(10, RETRIED_ON.create, MAX_ATTEMPTS)
    expect(reads.retries + creates.retries, 'the seed must inject faults').toBeGreaterThan(4)
    expect([...reads.outcomes, ...creates.outcomes].every((o) => o === undefined)).toBe(true)
    const { sandbox, client, retries, requests } = await faulty(spec)

    for (let n = 1; n <= 10; n++) await client.users.get(`00000000-0000-4000-8000-00000000000${n % 5 || 5}`)
    for (let n = 1; n <= 10; n++) await client.users.create(user(`retried${n}@example.com`))

    expect(retries).toHaveLength(reads.retries + creates.retries)
    expect(reasons(retries).sort()).toEqual(['HTTP 429', 'HTTP 503'])
    expect(requests()).toBe(reads.requests + creates.requests)
    const created = sandbox.users().filter((u) => String(u.userName).startsWith('retried'))
    expect(created.map((u) => u.userName).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `retried${i + 1}@example.com`).sort(),
    )
  })
})

describe('500', () => {
  it('retries a 500 on GET with backoff until it succeeds', async () => {
    const spec = parseFaultSpec('500=0.4,seed=5')
    const predicted = new FaultDice(spec).play(15, RETRIED_ON.read, MAX_ATTEMPTS)
    expect(predicted.retries).toBeGreaterThan(3)
    const { client, retries, requests } = await faulty(spec)

    const names: string[] = []
    for (let n = 0; n < 15; n++) {
      names.push(
        String((await client.users.get(`00000000-0000-4000-8000-00000000000${(n % 5) + 1}`)).userName),
      )
    }

    expect(names).toEqual(Array.from({ length: 15 }, (_, n) => `user${(n % 5) + 1}@example.com`))
    expect(retries).toHaveLength(predicted.retries)
    expect(reasons(retries)).toEqual(['HTTP 500'])
    expect(requests()).toBe(predicted.requests)
  })

  it('surfaces a 500 on create without retrying, so the target never gains two users', async () => {
    const spec = parseFaultSpec('500=0.4,seed=5')
    const predicted = new FaultDice(spec).play(15, RETRIED_ON.create, MAX_ATTEMPTS)
    const failing = predicted.outcomes.filter((o) => o !== undefined).length
    expect(failing).toBeGreaterThan(3)
    const { sandbox, client, retries, requests } = await faulty(spec)

    const outcomes: Array<string | undefined> = []
    for (let n = 0; n < 15; n++) {
      try {
        await client.users.create(user(`once${n}@example.com`))
        outcomes.push(undefined)
      } catch (error) {
        expect(error).toBeInstanceOf(ScimResponseError)
        outcomes.push(String((error as ScimResponseError).status))
      }
    }

    expect(outcomes).toEqual(predicted.outcomes)
    expect(retries).toEqual([])
    expect(requests()).toBe(15)
    const created = sandbox.users().filter((u) => String(u.userName).startsWith('once'))
    expect(created.map((u) => u.userName).sort()).toEqual(
      outcomes.flatMap((o, n) => (o === undefined ? [`once${n}@example.com`] : [])).sort(),
    )
  })
})

describe('dropped connections', () => {
  it('retries a GET whose connection was dropped', async () => {
    const spec = parseFaultSpec('drop=0.4,seed=9')
    const predicted = new FaultDice(spec).play(15, RETRIED_ON.read, MAX_ATTEMPTS)
    expect(predicted.retries).toBeGreaterThan(3)
    const { client, retries, requests } = await faulty(spec)

    for (let n = 0; n < 15; n++) await client.users.get(`00000000-0000-4000-8000-00000000000${(n % 5) + 1}`)

    expect(retries).toHaveLength(predicted.retries)
    expect(retries.every((r) => r.request.method === 'GET')).toBe(true)
    expect(requests()).toBe(predicted.requests)
  })

  it('does not retry a create whose connection was dropped, since it may have been carried out', async () => {
    const { sandbox, client, retries, requests } = await faulty({ drop: 1, seed: 1 })

    const error = await rejectionOf(client.users.create(user('dropped@example.com')))

    expect(error).toBeInstanceOf(ScimNetworkError)
    expect(retries).toEqual([])
    expect(requests()).toBe(1)
    expect(sandbox.users().map((u) => u.userName)).not.toContain('dropped@example.com')
  })
})

describe('latency and rate limits', () => {
  it('waits out added latency without retrying', async () => {
    const { client, retries, requests } = await faulty(parseFaultSpec('latency=40-60,seed=2'))
    const started = performance.now()

    for (let n = 1; n <= 3; n++) await client.users.get(`00000000-0000-4000-8000-00000000000${n}`)

    expect(performance.now() - started).toBeGreaterThanOrEqual(120)
    expect(retries).toEqual([])
    expect(requests()).toBe(3)
  })

  it('meets no 429 when requestsPerSecond stays below the target cap', async () => {
    const { client, retries, requests } = await faulty(parseFaultSpec('rps=12'), {
      requestsPerSecond: 9,
      retry: { maxAttempts: 1 },
    })

    const results = await Promise.allSettled(
      Array.from({ length: 18 }, (_, n) =>
        client.users.get(`00000000-0000-4000-8000-00000000000${(n % 5) + 1}`),
      ),
    )

    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    expect(retries).toEqual([])
    expect(requests()).toBe(18)
  })

  it('meets 429s from the same cap without requestsPerSecond (the control)', async () => {
    const { client } = await faulty(parseFaultSpec('rps=12'), { retry: { maxAttempts: 1 } })

    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        client.users.get(`00000000-0000-4000-8000-00000000000${(n % 5) + 1}`),
      ),
    )

    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as ScimResponseError] : []))
    expect(refused.length).toBeGreaterThanOrEqual(10)
    expect(refused.every((e) => e.status === 429 && e.retryAfterMs === 1000)).toBe(true)
  })
})
