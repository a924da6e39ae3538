/**
 * A failed page fails the run loudly: the error names the integration, phase and run, the run is
 * recorded failed with that error, no staging rows stay behind, and every graph row is as it was.
 */
import { describe, expect, it } from 'vitest'
import { ExtractionError } from '../../src/extract/extraction-error.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { failAbandonedRuns, startRunRecord } from '../../src/extract/run-records.ts'
import { seededGroupId, seededUserId } from '../../src/sandbox/index.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import {
  extractionWorld,
  graphSnapshot,
  runRecord,
  stagedRowCount,
  TOKEN,
} from '../support/extraction-fixtures.ts'
import { fakeGroup, fakeUser, startFakeTarget } from '../support/fake-scim-target.ts'
import { rejectionOf } from '../support/scim-client-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

/** The one run of an integration that failed. */
async function failedRun(db: Parameters<typeof runRecord>[0]) {
  const rows = await db.selectFrom('extraction_runs').selectAll().where('status', '=', 'failed').execute()
  expect(rows).toHaveLength(1)
  return rows[0]!
}

describe.each(testBackends())('failed extractions on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'leave the graph whole',
    () => {
      const label = (name: string) => `extract-fail-${name}-${backend.name}`

      it('a 500 between user pages fails the run and leaves every graph row as it was', async () => {
        const world = await extractionWorld(backend, label('users-500'), { seedUsers: 30, seedGroups: 10 })
        const target = world.target({ pageSize: 5 })
        await runExtraction(world.db, target)
        // Changes a successful run would write: a title, a deletion, a membership.
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.patch(`/Users/${seededUserId(2)}`, [{ op: 'replace', path: 'title', value: 'CFO' }])
        await http.delete(`/Users/${seededUserId(3)}`)
        await http.patch(`/Groups/${seededGroupId(1)}`, [
          { op: 'add', path: 'members', value: [{ value: seededUserId(2) }] },
        ])
        const before = await graphSnapshot(world.db)

        let pagesBeforeFault = 0
        const error = await rejectionOf(
          runExtraction(world.db, target, {
            onProgress: (progress) => {
              // Two user pages in, the target starts failing every request.
              if (progress.phase === 'users' && progress.users === 10) {
                pagesBeforeFault = progress.pages
                world.sandbox.setFaults({ statusRates: { 500: 1 } })
              }
            },
          }),
        )

        expect(pagesBeforeFault).toBe(2 + 2)
        expect(error).toBeInstanceOf(ExtractionError)
        const failure = error as ExtractionError
        expect(failure.phase).toBe('users')
        expect(failure.integration).toBe('app')
        expect(failure.message).toMatch(
          /^Extraction of app failed while reading users \(run [0-9a-f-]{36}\): /,
        )
        expect(failure.message).toContain('500')
        expect(failure.message).toContain('The access graph keeps the previous extraction.')

        expect(await graphSnapshot(world.db)).toEqual(before)
        const run = await runRecord(world.db, failure.runId)
        expect(run).toMatchObject({
          status: 'failed',
          error: failure.message,
          rows_written: 0,
          rows_removed: 0,
        })
        expect(run.users_seen).toBeGreaterThanOrEqual(10)
        expect(run.finished_at).not.toBeNull()
        expect(run.duration_ms).toBeGreaterThanOrEqual(0)
        expect(await stagedRowCount(world.db)).toBe(0)

        // Once the target recovers, the next run writes the changes that were waiting.
        world.sandbox.setFaults(undefined)
        const recovered = await runExtraction(world.db, target)
        expect(recovered.status).toBe('succeeded')
        expect(recovered.rowsRemoved).toBeGreaterThan(0)
        const graph = await graphSnapshot(world.db)
        expect(JSON.parse(graph.accounts.find((a) => a.id === seededUserId(2))!.attributes).title).toBe('CFO')
      })

      it('a users page answering 500 after the groups were staged applies none of them', async () => {
        const world = await extractionWorld(backend, label('users-after-groups'))
        const target = await startFakeTarget({
          users: [fakeUser('u1', 'ada@example.com'), fakeUser('u2', 'ben@example.com')],
          groups: [1, 2, 3].map((n) => fakeGroup(`g${n}`, `Group ${n}`, [{ value: 'u1', type: 'User' }])),
          maxPage: 1,
        })
        world.defer(() => target.close())
        const extraction = world.target({ url: target.url, pageSize: 1 })
        await runExtraction(world.db, extraction)
        const before = await graphSnapshot(world.db)
        expect(before.accounts).toHaveLength(2)

        // A new group (read and staged whole), then the second users page fails.
        target.state.groups.push(fakeGroup('g4', 'Group 4', [{ value: 'u2', type: 'User' }]))
        target.state.users.push(fakeUser('u3', 'chloe@example.com'))
        target.failAfterPages('/Users', 1)
        const error = (await rejectionOf(runExtraction(world.db, extraction))) as ExtractionError

        expect(error).toBeInstanceOf(ExtractionError)
        expect(error.phase).toBe('users')
        expect(error.message).toContain('failed while reading users')
        expect(await graphSnapshot(world.db)).toEqual(before)
        expect(await stagedRowCount(world.db)).toBe(0)
        const run = await failedRun(world.db)
        expect(run).toMatchObject({ id: error.runId, users_seen: 1, groups_seen: 4, error: error.message })
      })

      it('a first extraction failing part-way leaves the graph empty', async () => {
        const world = await extractionWorld(backend, label('first-fails'), { seedUsers: 30, seedGroups: 10 })
        const error = (await rejectionOf(
          runExtraction(world.db, world.target({ pageSize: 5 }), {
            onProgress: (progress) => {
              if (progress.phase === 'users' && progress.users === 10) {
                world.sandbox.setFaults({ statusRates: { 503: 1 }, retryAfterSeconds: 0 })
              }
            },
          }),
        )) as ExtractionError

        expect(error).toBeInstanceOf(ExtractionError)
        expect(error.phase).toBe('users')
        expect(await graphSnapshot(world.db)).toEqual({ accounts: [], groups: [], memberships: [] })
        expect(await stagedRowCount(world.db)).toBe(0)
        expect((await failedRun(world.db)).error).toBe(error.message)
      })

      it('a run declared abandoned while it was still reading applies nothing', async () => {
        const world = await extractionWorld(backend, label('abandoned-alive'), {
          seedUsers: 12,
          seedGroups: 10,
        })
        const target = world.target({ pageSize: 4 })
        await runExtraction(world.db, target)
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.delete(`/Users/${seededUserId(1)}`)
        const before = await graphSnapshot(world.db)

        let declared: Promise<number> | undefined
        const error = (await rejectionOf(
          runExtraction(world.db, target, {
            onProgress: (progress) => {
              // Another process, seeing no heartbeat, gives the run up while it still reads.
              if (progress.phase === 'users' && progress.users === 4)
                declared = failAbandonedRuns(world.db, new Date(Date.now() + 3_600_000), 60_000)
            },
          }),
        )) as ExtractionError

        expect(await declared).toBe(1)
        expect(error).toBeInstanceOf(ExtractionError)
        expect(error.phase).toBe('applying')
        expect(error.message).toContain('failed while applying it to the access graph')
        expect(error.message).toContain('no longer running')
        expect(await graphSnapshot(world.db)).toEqual(before)
        expect(await stagedRowCount(world.db)).toBe(0)
      })

      it('the next extraction fails a run its dead process left running, and drops what it staged', async () => {
        const world = await extractionWorld(backend, label('left-running'), { seedUsers: 3 })
        // A `provisio extract` killed a moment ago: its run looks alive and its staging is still there.
        const dead = await startRunRecord(world.db, 'app', 'full', new Date().toISOString())
        await world.db
          .insertInto('staged_memberships')
          .values({ run_id: dead, integration: 'app', group_id: 'g', member_id: 'u', member_type: 'User' })
          .execute()
        const other = await startRunRecord(world.db, 'crm', 'full', new Date().toISOString())

        const summary = await runExtraction(world.db, world.target())

        expect(summary.status).toBe('succeeded')
        expect(await runRecord(world.db, dead)).toMatchObject({
          status: 'failed',
          error: 'abandoned: the process running it stopped',
        })
        expect(await stagedRowCount(world.db)).toBe(0)
        // Another integration's run is not this extraction's business.
        expect((await runRecord(world.db, other)).status).toBe('running')
      })

      it('a resource listed twice (the listing shifted between pages) does not fail the run', async () => {
        const world = await extractionWorld(backend, label('listed-twice'))
        const ada = fakeUser('u1', 'ada@example.com')
        const eng = fakeGroup('g1', 'Eng', [{ value: 'u1', type: 'User' }])
        const target = await startFakeTarget({
          users: [ada, fakeUser('u2', 'ben@example.com'), ada],
          // Not on consecutive pages: that is a server looping, which the client refuses.
          groups: [eng, fakeGroup('g2', 'Ops', []), eng],
          maxPage: 1,
        })
        world.defer(() => target.close())
        const extraction = world.target({ url: target.url, pageSize: 1 })

        const first = await runExtraction(world.db, extraction)
        const second = await runExtraction(world.db, extraction)

        expect(first).toMatchObject({ status: 'succeeded', usersSeen: 3, groupsSeen: 3, membershipsSeen: 1 })
        expect(second).toMatchObject({ status: 'succeeded', rowsWritten: 0, rowsRemoved: 0 })
        const graph = await graphSnapshot(world.db)
        expect(graph.accounts.map((a) => a.id)).toEqual(['u1', 'u2'])
        expect(graph.groups.map((g) => g.id)).toEqual(['g1', 'g2'])
      })

      it('a first extraction refused by the target records a failed run and writes nothing', async () => {
        const world = await extractionWorld(backend, label('refused'), { seedUsers: 3 })
        const error = (await rejectionOf(
          runExtraction(world.db, world.target({ token: 'not-the-token' })),
        )) as ExtractionError

        expect(error).toBeInstanceOf(ExtractionError)
        expect(error.phase).toBe('discovery')
        expect(error.message).toContain('401')
        expect(await graphSnapshot(world.db)).toEqual({ accounts: [], groups: [], memberships: [] })
        const run = await failedRun(world.db)
        expect(run).toMatchObject({ status: 'failed', users_seen: 0, error: error.message })
        expect(await stagedRowCount(world.db)).toBe(0)
      })
    },
  )
})
