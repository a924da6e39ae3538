/**
 * A first extraction writes straight into the graph, about a thousand resources per transaction:
 * a directory bigger than that commits part of its rows before the listing ends, and must still
 * end with every row (nothing lost between transactions) or, when it fails, with none.
 */
import { describe, expect, it } from 'vitest'
import { ExtractionError } from '../../src/extract/extraction-error.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { extractionWorld, graphSnapshot, sandboxMemberships } from '../support/extraction-fixtures.ts'
import { rejectionOf } from '../support/scim-client-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const SEED = { seedUsers: 2_500, seedGroups: 12 }

describe.each(testBackends())('a first extraction of thousands of users on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'in several transactions',
    () => {
      const label = (name: string) => `extract-first-${name}-${backend.name}`

      it('stores every account and membership, each once, and a second run writes nothing', async () => {
        const world = await extractionWorld(backend, label('whole'), SEED)
        const target = world.target({ pageSize: 100 })
        const first = await runExtraction(world.db, target)

        expect(first).toMatchObject({ status: 'succeeded', usersSeen: 2_500, groupsSeen: 12 })
        const graph = await graphSnapshot(world.db)
        expect(graph.accounts.map((a) => a.id)).toEqual(
          world.sandbox
            .users()
            .map((u) => u.id)
            .sort(),
        )
        expect(graph.memberships.map((m) => `${m.group_id}>${m.member_id}`).sort()).toEqual(
          sandboxMemberships(world.sandbox),
        )
        expect(first.rowsWritten).toBe(2_500 + 12 + graph.memberships.length)

        const second = await runExtraction(world.db, target)
        expect(second).toMatchObject({ status: 'succeeded', rowsWritten: 0, rowsRemoved: 0 })
        expect(await graphSnapshot(world.db)).toEqual(graph)
      })

      it('takes back the transactions it had committed when a later page fails', async () => {
        const world = await extractionWorld(backend, label('fails-late'), SEED)
        let committedBeforeFailure: Promise<number> | undefined
        const error = await rejectionOf(
          runExtraction(world.db, world.target({ pageSize: 100 }), {
            onProgress: (progress) => {
              if (progress.phase === 'users' && progress.users === 2_100) {
                committedBeforeFailure = world.db
                  .selectFrom('accounts')
                  .select((eb) => eb.fn.countAll<number | string>().as('n'))
                  .executeTakeFirstOrThrow()
                  .then((row) => Number(row.n))
              }
              // Past the first two thousand users, so those are committed already.
              if (progress.phase === 'users' && progress.users === 2_200) {
                world.sandbox.setFaults({ statusRates: { 500: 1 } })
              }
            },
          }),
        )

        expect(error).toBeInstanceOf(ExtractionError)
        expect(await committedBeforeFailure).toBeGreaterThanOrEqual(2_000)
        expect(await graphSnapshot(world.db)).toEqual({ accounts: [], groups: [], memberships: [] })
      })
    },
  )
})
