import { describe, expect, it } from 'vitest'
import { parseFaultSpec } from '../../../src/sandbox/index.ts'
import { ScimError } from '../../../src/scim/errors.ts'
import { where } from '../../../src/scim/filter/filter-builder.ts'
import type { RetryInfo } from '../../../src/scim/http/transport.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import { collect, scimFixtures } from '../../support/scim-client-fixtures.ts'

const fx = scimFixtures()

interface Expected {
  id: string
  title: string | undefined
}

const RUNS: Array<{ name: string; spec: string; adopted: 'none' | 'some'; reasons: string[] }> = [
  {
    name: 'faults before processing',
    // Retry-After 0 keeps the run fast; the waiting itself is covered in faults.test.ts.
    spec: '429=0.05,500=0.03,503=0.02,drop=0.02,retryAfter=0,seed=7',
    // The sandbox injects these before doing anything, so no failed create may have happened.
    adopted: 'none',
    reasons: ['HTTP 429', 'HTTP 500', 'HTTP 503', 'UND_ERR_SOCKET'],
  },
  {
    name: 'connections dropped after processing',
    spec: '429=0.05,503=0.02,dropAfter=0.05,retryAfter=0,seed=7',
    // A create carried out whose answer was lost surfaces an error, yet the user exists.
    adopted: 'some',
    reasons: ['HTTP 429', 'HTTP 503', 'UND_ERR_SOCKET'],
  },
]

describe.each(RUNS)('a 300-operation mixed run with $name', ({ spec, adopted, reasons }) => {
  it('leaves the sandbox in exactly the state the successful operations describe, without duplicates', async () => {
    const sandbox = await fx.sandbox()
    const retries: RetryInfo[] = []
    const client = fx.client(sandbox.url, {
      retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 8 },
      onRetry: (info) => retries.push(info),
    })
    await client.discover()
    sandbox.setFaults(parseFaultSpec(spec))

    const expected = new Map<string, Expected>()
    const tally = {
      created: 0,
      createFailed: 0,
      adoptedAfterFailure: 0,
      patched: 0,
      patchFailed: 0,
      listed: 0,
      listFailed: 0,
    }
    const snapshot = () =>
      [...expected]
        .map(([userName, e]) => ({ userName, id: e.id, title: e.title }))
        .sort((a, b) => a.userName.localeCompare(b.userName))

    for (let i = 0; i < 300; i++) {
      const slot = i % 5
      if (slot < 2) {
        const userName = `mix${i}@example.com`
        try {
          const created = await client.users.create({ schemas: [SCHEMA.user], userName })
          expected.set(userName, { id: created.id!, title: undefined })
          tally.created += 1
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError)
          tally.createFailed += 1
          // A create that surfaced an error may or may not have happened: look it up and account for it.
          const found = await client.users.find(where.eq('userName', userName))
          expect(found.length).toBeLessThanOrEqual(1)
          if (found[0]) {
            expected.set(userName, { id: found[0].id!, title: found[0].title as string | undefined })
            tally.adoptedAfterFailure += 1
          }
        }
      } else if (slot < 4) {
        const entries = [...expected.values()]
        const target = entries[(i * 7) % entries.length]
        if (!target) continue
        const title = `Title ${i}`
        try {
          await client.users.patch(target.id, [{ op: 'replace', path: 'title', value: title }])
          target.title = title
          tally.patched += 1
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError)
          tally.patchFailed += 1
          target.title = (await client.users.get(target.id)).title as string | undefined
        }
      } else {
        try {
          const users = await collect(
            client.users.list({ filter: where.sw('userName', 'mix'), pageSize: 25 }),
          )
          const listed = users
            .map((u) => ({
              userName: String(u.userName),
              id: String(u.id),
              title: u.title as string | undefined,
            }))
            .sort((a, b) => a.userName.localeCompare(b.userName))
          expect(listed, `list at operation ${i}`).toEqual(snapshot())
          tally.listed += 1
        } catch (error) {
          if (!(error instanceof ScimError)) throw error
          tally.listFailed += 1
        }
      }
    }
    sandbox.setFaults(undefined)

    const stored = sandbox
      .users()
      .map((u) => ({ userName: String(u.userName), id: String(u.id), title: u.title as string | undefined }))
      .sort((a, b) => a.userName.localeCompare(b.userName))
    expect(stored).toEqual(snapshot())
    expect(new Set(stored.map((u) => u.id)).size).toBe(stored.length)
    // Every create that reported success is there exactly once.
    expect(tally.created + tally.adoptedAfterFailure).toBe(stored.length)
    expect(tally.createFailed).toBeGreaterThan(0)
    if (adopted === 'none') expect(tally.adoptedAfterFailure).toBe(0)
    else expect(tally.adoptedAfterFailure).toBeGreaterThan(0)
    expect(tally.patched + tally.patchFailed).toBe(120)
    expect(tally.listed + tally.listFailed).toBe(60)
    expect([...new Set(retries.map((r) => r.reason))].sort()).toEqual(reasons)
    expect(retries.length).toBeGreaterThan(20)
  })
})
