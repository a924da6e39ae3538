/**
 * Full extraction from the sandbox over HTTP, on every backend: exact counts, raw JSON and meta
 * kept, nothing written when nothing changed, exactly the target's changes written when it did,
 * removals marked with their time and cleared when a resource returns.
 */
import { describe, expect, it } from 'vitest'
import type { ExtractionProgress } from '../../src/extract/extraction-target.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { seededGroupId, seededUser, seededUserId } from '../../src/sandbox/index.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import {
  changedKeys,
  extractionWorld,
  graphSnapshot,
  membershipKey,
  runRecord,
  sandboxMemberships,
  stagedRowCount,
  TOKEN,
} from '../support/extraction-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const SEED = { seedUsers: 30, seedGroups: 10 }
const byId = (row: { id: string }) => row.id

describe.each(testBackends())('full extraction on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'from the sandbox',
    () => {
      const label = (name: string) => `extract-full-${name}-${backend.name}`

      it('streams users and groups page by page and stores exactly what the sandbox holds', async () => {
        const world = await extractionWorld(backend, label('first'), SEED)
        const progress: ExtractionProgress[] = []
        const summary = await runExtraction(world.db, world.target({ pageSize: 7 }), {
          onProgress: (update) => progress.push(update),
        })

        const memberships = sandboxMemberships(world.sandbox)
        expect(memberships).toHaveLength(36)
        expect(summary).toMatchObject({
          status: 'succeeded',
          mode: 'full',
          integration: 'app',
          usersSeen: 30,
          groupsSeen: 10,
          membershipsSeen: 36,
          rowsWritten: 30 + 10 + 36,
          rowsRemoved: 0,
          notes: [],
        })
        // 30 users in pages of 7 are 5 pages, 10 groups 2 more.
        expect(progress.filter((p) => p.phase === 'users').map((p) => p.users)).toEqual([7, 14, 21, 28, 30])
        expect(progress.filter((p) => p.phase === 'groups').map((p) => p.groups)).toEqual([7, 10])
        expect(progress.at(-1)).toMatchObject({ phase: 'applying', pages: 7 })

        const graph = await graphSnapshot(world.db)
        expect(graph.accounts.map(byId)).toEqual(
          world.sandbox
            .users()
            .map((u) => u.id)
            .sort(),
        )
        expect(graph.groups.map(byId)).toEqual(
          world.sandbox
            .groups()
            .map((g) => g.id)
            .sort(),
        )
        expect(graph.memberships.map(membershipKey)).toEqual(memberships)
        expect(graph.memberships.every((m) => m.member_type === 'User' && m.removed_at === null)).toBe(true)

        const run = await runRecord(world.db, summary.runId)
        expect(run).toMatchObject({
          integration: 'app',
          mode: 'full',
          status: 'succeeded',
          users_seen: 30,
          groups_seen: 10,
          memberships_seen: 36,
          rows_written: 76,
          rows_removed: 0,
          error: null,
          duration_ms: summary.durationMs,
        })
        expect(run.finished_at! >= run.started_at).toBe(true)
        expect(await stagedRowCount(world.db)).toBe(0)
      })

      it('keeps the raw JSON, meta times and normalized attributes side by side', async () => {
        const world = await extractionWorld(backend, label('raw'), SEED)
        await runExtraction(world.db, world.target())
        const http = new TestClient(world.sandbox.url, TOKEN)
        const served = (await http.get(`/Users/${seededUserId(9)}`)).body
        const graph = await graphSnapshot(world.db)
        const account = graph.accounts.find((a) => a.id === seededUserId(9))!

        expect(JSON.parse(account.raw)).toEqual(served)
        expect(account).toMatchObject({
          user_name: 'user9@example.com',
          email: 'user9@example.com',
          display_name: served.displayName,
          external_id: 'E100009',
          active: 1,
          created_at: served.meta?.created,
          last_modified: served.meta?.lastModified,
          removed_at: null,
        })
        expect(JSON.parse(account.attributes)).toMatchObject({
          user_name: 'user9@example.com',
          title: 'Manager',
          department: 'Sales',
          employee_number: '100009',
          manager: seededUserId(1),
          created_at: served.meta?.created,
          last_modified: served.meta?.lastModified,
        })
        // Seeded user 25 is inactive: the flag column says so.
        expect(graph.accounts.find((a) => a.id === seededUserId(25))?.active).toBe(0)

        const group = graph.groups.find((g) => g.id === seededGroupId(2))!
        const servedGroup = (await http.get(`/Groups/${seededGroupId(2)}`)).body
        expect(JSON.parse(group.raw)).toEqual(servedGroup)
        expect(group).toMatchObject({
          display_name: 'Sales',
          external_id: 'G2',
          created_at: servedGroup.meta?.created,
          last_modified: servedGroup.meta?.lastModified,
        })
        // Members live in the memberships table, not in the group's attributes.
        expect(JSON.parse(group.attributes)).toEqual({
          display_name: 'Sales',
          external_id: 'G2',
          created_at: servedGroup.meta?.created,
          last_modified: servedGroup.meta?.lastModified,
        })
      })

      it('writes no row at all when extracting again with nothing changed', async () => {
        const world = await extractionWorld(backend, label('unchanged'), SEED)
        const target = world.target({ extensionSchemas: true, pageSize: 9 })
        await runExtraction(world.db, target)
        const before = await graphSnapshot(world.db)
        const schemasBefore = await world.db.selectFrom('target_schemas').selectAll().orderBy('urn').execute()
        const indexBefore = await world.db
          .selectFrom('attribute_index')
          .selectAll()
          .orderBy('resource_type')
          .orderBy('normalized_name')
          .execute()

        // Pages are written to staging as they arrive, not held until the end.
        let stagedAfterFirstPage: Promise<number> | undefined
        const second = await runExtraction(world.db, target, {
          onProgress: (progress) => {
            if (progress.phase === 'users' && progress.users === 9) {
              stagedAfterFirstPage = world.db
                .selectFrom('staged_accounts')
                .select((eb) => eb.fn.countAll<number | string>().as('n'))
                .executeTakeFirstOrThrow()
                .then((row) => Number(row.n))
            }
          },
        })

        expect(second).toMatchObject({ status: 'succeeded', rowsWritten: 0, rowsRemoved: 0, usersSeen: 30 })
        const staged = await stagedAfterFirstPage
        // The first page, perhaps the one read ahead meanwhile, never the whole listing.
        expect(staged).toBeGreaterThanOrEqual(9)
        expect(staged).toBeLessThanOrEqual(18)
        expect(await stagedRowCount(world.db)).toBe(0)
        // Byte for byte: every column of every row, updated_at included.
        expect(await graphSnapshot(world.db)).toEqual(before)
        expect(await world.db.selectFrom('target_schemas').selectAll().orderBy('urn').execute()).toEqual(
          schemasBefore,
        )
        expect(
          await world.db
            .selectFrom('attribute_index')
            .selectAll()
            .orderBy('resource_type')
            .orderBy('normalized_name')
            .execute(),
        ).toEqual(indexBefore)
        expect((await runRecord(world.db, second.runId)).rows_written).toBe(0)
      })

      it('writes exactly the changes made in the target and marks what went away removed, with when', async () => {
        const world = await extractionWorld(backend, label('changes'), SEED)
        const target = world.target({ pageSize: 8 })
        await runExtraction(world.db, target)
        const before = await graphSnapshot(world.db)
        const team9Members = before.memberships
          .filter((m) => m.group_id === seededGroupId(9))
          .map((m) => m.member_id)
        expect(team9Members).toEqual([seededUserId(9), seededUserId(19), seededUserId(29)])

        const http = new TestClient(world.sandbox.url, TOKEN)
        const hire = await http.createUser('new.hire@example.com', { title: 'Intern' })
        expect(
          (await http.patch(`/Users/${seededUserId(3)}`, [{ op: 'replace', path: 'title', value: 'Chief' }]))
            .status,
        ).toBe(200)
        expect((await http.delete(`/Users/${seededUserId(5)}`)).status).toBe(204)
        const addToFinance = [{ op: 'add', path: 'members', value: [{ value: seededUserId(7) }] }]
        expect((await http.patch(`/Groups/${seededGroupId(4)}`, addToFinance)).status).toBe(200)
        const removeFromSales = [{ op: 'remove', path: `members[value eq "${seededUserId(9)}"]` }]
        expect((await http.patch(`/Groups/${seededGroupId(2)}`, removeFromSales)).status).toBe(200)
        const nestTeam9 = [
          { op: 'add', path: 'members', value: [{ value: seededGroupId(9), type: 'Group' }] },
        ]
        expect((await http.patch(`/Groups/${seededGroupId(1)}`, nestTeam9)).status).toBe(200)

        const summary = await runExtraction(world.db, target)
        const run = await runRecord(world.db, summary.runId)
        const after = await graphSnapshot(world.db)

        // Accounts whose resource changed: the hire, the new title, Finance's new member, Sales'
        // former member, and Team 9's members (they are now indirectly in Engineering); user 5 is gone.
        const changedAccounts = [hire.id!, seededUserId(3), seededUserId(5), seededUserId(7), ...team9Members]
        expect(changedKeys(before.accounts, after.accounts, byId)).toEqual(
          [...new Set(changedAccounts)].sort(),
        )
        // Groups whose member list changed: Engineering (nesting), Sales, Finance, People (user 5's).
        expect(changedKeys(before.groups, after.groups, byId)).toEqual(
          [1, 2, 4, 6].map((g) => seededGroupId(g)).sort(),
        )
        expect(changedKeys(before.memberships, after.memberships, membershipKey)).toEqual(
          [
            `${seededGroupId(1)}>${seededGroupId(9)}`,
            `${seededGroupId(2)}>${seededUserId(9)}`,
            `${seededGroupId(4)}>${seededUserId(7)}`,
            `${seededGroupId(6)}>${seededUserId(5)}`,
          ].sort(),
        )
        expect(summary).toMatchObject({
          rowsWritten: 6 + 4 + 2,
          rowsRemoved: 3,
          usersSeen: 30,
          groupsSeen: 10,
        })
        expect(run).toMatchObject({ rows_written: 12, rows_removed: 3 })

        const account = (id: string) => after.accounts.find((a) => a.id === id)!
        const membership = (group: number, member: string) =>
          after.memberships.find((m) => m.group_id === seededGroupId(group) && m.member_id === member)!
        const during = (at: string | null) => at !== null && at >= run.started_at && at <= run.finished_at!
        expect(JSON.parse(account(seededUserId(3)).attributes).title).toBe('Chief')
        expect(account(hire.id!)).toMatchObject({ user_name: 'new.hire@example.com', removed_at: null })
        expect(during(account(hire.id!).first_seen_at)).toBe(true)
        expect(during(account(seededUserId(5)).removed_at)).toBe(true)
        expect(account(seededUserId(5)).user_name).toBe('user5@example.com')
        expect(during(membership(6, seededUserId(5)).removed_at)).toBe(true)
        expect(during(membership(2, seededUserId(9)).removed_at)).toBe(true)
        expect(membership(4, seededUserId(7))).toMatchObject({ member_type: 'User', removed_at: null })
        expect(membership(1, seededGroupId(9))).toMatchObject({ member_type: 'Group', removed_at: null })
        // Unchanged rows keep their times: user 1 was not touched.
        expect(account(seededUserId(1))).toEqual(before.accounts.find((a) => a.id === seededUserId(1)))
      })

      it('clears removed_at when an account or membership returns, keeping when it was first seen', async () => {
        const world = await extractionWorld(backend, label('returns'), SEED)
        const target = world.target()
        await runExtraction(world.db, target)
        const original = (await graphSnapshot(world.db)).accounts.find((a) => a.id === seededUserId(4))!
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.delete(`/Users/${seededUserId(4)}`)
        await runExtraction(world.db, target)
        const gone = (await graphSnapshot(world.db)).accounts.find((a) => a.id === seededUserId(4))!
        expect(gone.removed_at).not.toBeNull()

        // The account comes back under the same id (a restore on the target), and into its group.
        world.sandbox.store.create('User', seededUser(4), { id: seededUserId(4) })
        const rejoin = [{ op: 'add', path: 'members', value: [{ value: seededUserId(4) }] }]
        expect((await http.patch(`/Groups/${seededGroupId(5)}`, rejoin)).status).toBe(200)
        const summary = await runExtraction(world.db, target)

        const graph = await graphSnapshot(world.db)
        const back = graph.accounts.find((a) => a.id === seededUserId(4))!
        expect(back.removed_at).toBeNull()
        expect(back.first_seen_at).toBe(original.first_seen_at)
        expect(back.updated_at > gone.updated_at).toBe(true)
        const edge = graph.memberships.find(
          (m) => m.group_id === seededGroupId(5) && m.member_id === seededUserId(4),
        )
        expect(edge).toMatchObject({ removed_at: null, first_seen_at: original.first_seen_at })
        expect(summary.rowsRemoved).toBe(0)
      })

      it('marks a deleted group removed together with its memberships and nested edges', async () => {
        const world = await extractionWorld(backend, label('group-gone'), SEED)
        const http = new TestClient(world.sandbox.url, TOKEN)
        const nest = [{ op: 'add', path: 'members', value: [{ value: seededGroupId(10), type: 'Group' }] }]
        await http.patch(`/Groups/${seededGroupId(9)}`, nest)
        const target = world.target()
        await runExtraction(world.db, target)
        expect(
          (await graphSnapshot(world.db)).memberships.filter((m) => m.member_type === 'Group'),
        ).toHaveLength(1)

        expect((await http.delete(`/Groups/${seededGroupId(9)}`)).status).toBe(204)
        const summary = await runExtraction(world.db, target)

        const graph = await graphSnapshot(world.db)
        expect(graph.groups.find((g) => g.id === seededGroupId(9))?.removed_at).not.toBeNull()
        const team9 = graph.memberships.filter((m) => m.group_id === seededGroupId(9))
        expect(team9).toHaveLength(4)
        expect(team9.every((m) => m.removed_at !== null)).toBe(true)
        // The group, its three users and the nested Team 10 edge.
        expect(summary.rowsRemoved).toBe(1 + 4)
        expect(graph.groups.filter((g) => g.removed_at === null)).toHaveLength(9)
      })
    },
  )
})
