/**
 * One scheduler across processes: schedulers sharing a store extract only while holding the
 * lease, another takes over when the holder stops renewing, runs of a dead process are failed, and
 * one extraction of an integration runs at a time whoever starts it.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.ts'
import { ExtractionBusyError, runExtraction } from '../../src/extract/run-extraction.ts'
import { startRunRecord } from '../../src/extract/run-records.ts'
import { ExtractionScheduler, isDue } from '../../src/extract/scheduler.ts'
import { readLease } from '../../src/store/leases.ts'
import {
  type ExtractionWorld,
  extractionWorld,
  graphSnapshot,
  stagedRowCount,
} from '../support/extraction-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const LEASE = 'extraction-scheduler'

function configFor(url: string, interval: string) {
  return parseConfig(
    ['integrations:', '  app:', `    url: ${url}`, `    extractionInterval: ${interval}`, ''].join('\n'),
    'provisio.yaml',
  )
}

/** A scheduler whose extractions run against the world's sandbox and are logged by holder. */
function scheduler(
  world: ExtractionWorld,
  holder: string,
  extracted: string[],
  options: { interval?: string; leaseMs?: number; now?: () => Date } = {},
): ExtractionScheduler {
  const instance = new ExtractionScheduler({
    db: world.db,
    config: configFor(world.sandbox.url, options.interval ?? '1h'),
    holder,
    leaseMs: options.leaseMs ?? 60_000,
    tickMs: 60_000,
    ...(options.now ? { now: options.now } : {}),
    extract: async (integration) => {
      extracted.push(holder)
      await runExtraction(world.db, world.target({ integration: integration.name }))
    },
  })
  world.defer(() => instance.stop())
  return instance
}

async function runStatuses(world: ExtractionWorld): Promise<string[]> {
  const rows = await world.db.selectFrom('extraction_runs').select('status').orderBy('started_at').execute()
  return rows.map((row) => row.status)
}

describe.each(testBackends())('the extraction scheduler on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'shares one store',
    () => {
      const label = (name: string) => `extract-sched-${name}-${backend.name}`

      it('lets only the lease holder extract when two schedulers tick at once', async () => {
        const world = await extractionWorld(backend, label('concurrent'), { seedUsers: 6 })
        const extracted: string[] = []
        const a = scheduler(world, 'host-a', extracted)
        const b = scheduler(world, 'host-b', extracted)

        await Promise.all([a.tick(), b.tick()])

        expect(extracted).toHaveLength(1)
        expect((await readLease(world.db, LEASE))?.holder).toBe(extracted[0])
        expect(await runStatuses(world)).toEqual(['succeeded'])
        expect((await graphSnapshot(world.db)).accounts).toHaveLength(6)

        // Neither extracts again: the holder finds nothing due, the other has no lease.
        await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()])
        expect(extracted).toHaveLength(1)
      })

      it('hands the schedule to another process once the holder stops renewing its lease', async () => {
        const world = await extractionWorld(backend, label('takeover'), { seedUsers: 3 })
        const extracted: string[] = []
        const options = { interval: '1s', leaseMs: 400 }
        const a = scheduler(world, 'host-a', extracted, options)
        const b = scheduler(world, 'host-b', extracted, options)

        await a.tick()
        expect(extracted).toEqual(['host-a'])
        // host-a now dies (it never ticks again). Its lease still runs: host-b waits.
        await b.tick()
        expect(extracted).toEqual(['host-a'])
        expect((await readLease(world.db, LEASE))?.holder).toBe('host-a')

        // Past the lease and the interval, host-b takes over and extracts.
        await delay(1_100)
        await b.tick()
        expect(extracted).toEqual(['host-a', 'host-b'])
        expect((await readLease(world.db, LEASE))?.holder).toBe('host-b')
        expect(await runStatuses(world)).toEqual(['succeeded', 'succeeded'])
      })

      it('gives the lease up on stop, so another scheduler holds it at its next tick', async () => {
        const world = await extractionWorld(backend, label('stop'), { seedUsers: 2 })
        const extracted: string[] = []
        const a = scheduler(world, 'host-a', extracted)
        const b = scheduler(world, 'host-b', extracted)
        await a.tick()
        await a.stop()
        expect(await readLease(world.db, LEASE)).toBeUndefined()

        await b.tick()

        expect((await readLease(world.db, LEASE))?.holder).toBe('host-b')
        // Nothing was due: host-a extracted moments ago.
        expect(extracted).toEqual(['host-a'])
      })

      it('fails a run whose process died, drops what it staged, and extracts the integration again', async () => {
        const world = await extractionWorld(backend, label('abandoned'), { seedUsers: 4 })
        const stale = await startRunRecord(
          world.db,
          'app',
          'full',
          new Date(Date.now() - 20 * 60_000).toISOString(),
        )
        await world.db
          .insertInto('staged_accounts')
          .values({
            run_id: stale,
            integration: 'app',
            id: 'half-read',
            user_name: 'half@example.com',
            external_id: null,
            display_name: null,
            email: null,
            active: null,
            attributes: '{}',
            raw: '{}',
            created_at: null,
            last_modified: null,
          })
          .execute()
        const extracted: string[] = []
        const a = scheduler(world, 'host-a', extracted)

        await a.tick()

        const stored = await world.db
          .selectFrom('extraction_runs')
          .selectAll()
          .where('id', '=', stale)
          .executeTakeFirst()
        expect(stored).toMatchObject({ status: 'failed', error: 'abandoned: the process running it stopped' })
        expect(stored?.finished_at).not.toBeNull()
        expect(await stagedRowCount(world.db)).toBe(0)
        expect(extracted).toEqual(['host-a'])
        expect(await runStatuses(world)).toEqual(['failed', 'succeeded'])
        expect((await graphSnapshot(world.db)).accounts.map((a) => a.user_name)).not.toContain(
          'half@example.com',
        )
      })

      it('retries a failed integration after the failure back-off, a healthy one after its interval', async () => {
        const world = await extractionWorld(backend, label('due'))
        const integration = configFor(world.sandbox.url, '6h').integrations.app!
        const t0 = new Date('2026-01-01T00:00:00.000Z')
        const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000)
        expect(await isDue(world.db, integration, t0)).toBe(true)

        const failed = await startRunRecord(world.db, 'app', 'full', t0.toISOString())
        await world.db
          .updateTable('extraction_runs')
          .set({ status: 'failed' })
          .where('id', '=', failed)
          .execute()
        expect(await isDue(world.db, integration, at(9))).toBe(false)
        expect(await isDue(world.db, integration, at(10))).toBe(true)

        const running = await startRunRecord(world.db, 'app', 'full', at(30).toISOString())
        expect(await isDue(world.db, integration, at(31))).toBe(false)
        await world.db
          .updateTable('extraction_runs')
          .set({ status: 'succeeded' })
          .where('id', '=', running)
          .execute()
        expect(await isDue(world.db, integration, at(30 + 359))).toBe(false)
        expect(await isDue(world.db, integration, at(30 + 360))).toBe(true)
      })

      it('runs one extraction of an integration at a time, refusing a second one started meanwhile', async () => {
        const world = await extractionWorld(backend, label('one-at-a-time'), {
          seedUsers: 40,
          seedGroups: 10,
        })
        const outcomes = await Promise.allSettled([
          runExtraction(world.db, world.target({ pageSize: 5 })),
          runExtraction(world.db, world.target({ pageSize: 5 })),
        ])

        const refused = outcomes.filter((o) => o.status === 'rejected')
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
        expect(refused).toHaveLength(1)
        const reason = (refused[0] as PromiseRejectedResult).reason as Error
        expect(reason).toBeInstanceOf(ExtractionBusyError)
        expect(reason.message).toMatch(/^Extraction of app not started: another extraction of it is running/)
        const graph = await graphSnapshot(world.db)
        expect(graph.accounts).toHaveLength(40)
        expect(graph.groups).toHaveLength(10)
        expect(await runStatuses(world)).toEqual(['succeeded'])
        // Once it is done, the integration can be extracted again.
        expect((await runExtraction(world.db, world.target())).rowsWritten).toBe(0)
      })
    },
  )
})
