/**
 * Incremental extraction: after a successful run, only resources with `meta.lastModified gt` the
 * last start (less a clock-skew margin) are read; what they say is written, and nothing is marked
 * removed on the strength of not being seen.
 */
import { describe, expect, it } from 'vitest'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { seededGroupId, seededUserId } from '../../src/sandbox/index.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import {
  backdateSandbox,
  changedKeys,
  extractionWorld,
  graphSnapshot,
  membershipKey,
  runRecord,
  TOKEN,
} from '../support/extraction-fixtures.ts'
import { fakeGroup, fakeUser, startFakeTarget } from '../support/fake-scim-target.ts'
import { startRecordingProxy } from '../support/scim-servers.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const LONG_AGO = '2024-01-01T00:00:00.000Z'
const byId = (row: { id: string }) => row.id

describe.each(testBackends())('incremental extraction on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'reads changes only',
    () => {
      const label = (name: string) => `extract-incr-${name}-${backend.name}`

      it('asks for meta.lastModified gt …, writes the change, and marks nothing removed', async () => {
        const world = await extractionWorld(backend, label('title'), { seedUsers: 20, seedGroups: 10 })
        const http = new TestClient(world.sandbox.url, TOKEN)
        // In no group, so deleting it changes nothing else in the target.
        const loner = await http.createUser('loner@example.com')
        backdateSandbox(world.sandbox, LONG_AGO)
        const proxy = await startRecordingProxy(world.sandbox.url)
        world.defer(() => proxy.close())
        const target = world.target({ url: proxy.url })
        const full = await runExtraction(world.db, target)
        const before = await graphSnapshot(world.db)

        await http.patch(`/Users/${seededUserId(4)}`, [{ op: 'replace', path: 'title', value: 'Principal' }])
        // Deleted in the target: an incremental run cannot see that, so it must not guess.
        expect((await http.delete(`/Users/${loner.id}`)).status).toBe(204)
        proxy.requests.length = 0

        const incremental = await runExtraction(world.db, target, { mode: 'incremental' })

        expect(incremental).toMatchObject({
          mode: 'incremental',
          status: 'succeeded',
          usersSeen: 1,
          rowsWritten: 1,
          rowsRemoved: 0,
        })
        const filters = proxy.to('/Users', 'GET').map((r) => r.query.get('filter'))
        const since = new Date(
          new Date((await runRecord(world.db, full.runId)).started_at).getTime() - 5 * 60_000,
        )
        expect(filters).toEqual([`meta.lastModified gt "${since.toISOString()}"`])
        const after = await graphSnapshot(world.db)
        expect(changedKeys(before.accounts, after.accounts, byId)).toEqual([seededUserId(4)])
        expect(JSON.parse(after.accounts.find((a) => a.id === seededUserId(4))!.attributes).title).toBe(
          'Principal',
        )
        expect(after.accounts.every((a) => a.removed_at === null)).toBe(true)
        expect(after.groups).toEqual(before.groups)
        expect(after.memberships).toEqual(before.memberships)
        expect((await runRecord(world.db, incremental.runId)).mode).toBe('incremental')

        // The next full run sees the deletion.
        const nextFull = await runExtraction(world.db, target)
        expect(nextFull).toMatchObject({ rowsRemoved: 1, rowsWritten: 0 })
        expect(
          (await graphSnapshot(world.db)).accounts.find((a) => a.id === loner.id)?.removed_at,
        ).not.toBeNull()
      })

      it('replaces the memberships of a group that changed, removing a member that left it', async () => {
        const world = await extractionWorld(backend, label('members'), { seedUsers: 20, seedGroups: 10 })
        backdateSandbox(world.sandbox, LONG_AGO)
        const target = world.target()
        await runExtraction(world.db, target)
        const before = await graphSnapshot(world.db)

        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.patch(`/Groups/${seededGroupId(2)}`, [
          { op: 'remove', path: `members[value eq "${seededUserId(9)}"]` },
          { op: 'add', path: 'members', value: [{ value: seededUserId(4) }] },
        ])
        const incremental = await runExtraction(world.db, target, { mode: 'incremental' })

        expect(incremental).toMatchObject({
          mode: 'incremental',
          usersSeen: 0,
          groupsSeen: 1,
          rowsRemoved: 1,
        })
        const after = await graphSnapshot(world.db)
        expect(changedKeys(before.memberships, after.memberships, membershipKey)).toEqual([
          `${seededGroupId(2)}>${seededUserId(4)}`,
          `${seededGroupId(2)}>${seededUserId(9)}`,
        ])
        expect(changedKeys(before.groups, after.groups, byId)).toEqual([seededGroupId(2)])
      })

      it('removes the memberships of a group whose last members left (it now lists none)', async () => {
        const world = await extractionWorld(backend, label('emptied'), { seedUsers: 20, seedGroups: 10 })
        backdateSandbox(world.sandbox, LONG_AGO)
        const target = world.target()
        await runExtraction(world.db, target)

        // Team 9 holds users 9 and 19; without them the sandbox serves it with no `members` at all.
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.patch(`/Groups/${seededGroupId(9)}`, [{ op: 'remove', path: 'members' }])
        const served = (await http.get(`/Groups/${seededGroupId(9)}`)).body
        expect(served.members).toBeUndefined()
        const incremental = await runExtraction(world.db, target, { mode: 'incremental' })

        expect(incremental).toMatchObject({
          mode: 'incremental',
          usersSeen: 0,
          groupsSeen: 1,
          rowsRemoved: 2,
        })
        const team9 = (await graphSnapshot(world.db)).memberships.filter(
          (m) => m.group_id === seededGroupId(9),
        )
        expect(team9.map((m) => [m.member_id, m.removed_at !== null])).toEqual([
          [seededUserId(9), true],
          [seededUserId(19), true],
        ])
      })

      it('runs full, saying why, when there is no earlier success or the target cannot filter on gt', async () => {
        const world = await extractionWorld(backend, label('fallback'), { seedUsers: 5 })
        const first = await runExtraction(world.db, world.target(), { mode: 'incremental' })
        expect(first.mode).toBe('full')
        expect(first.notes).toContain('full extraction: no earlier successful extraction to start from')

        const eqOnly = world.target({ overrides: { filter: { operators: ['eq'] } } })
        const second = await runExtraction(world.db, eqOnly, { mode: 'incremental' })
        expect(second.mode).toBe('full')
        expect(second.notes).toContain('full extraction: the target cannot filter on meta.lastModified')
        expect((await runRecord(world.db, second.runId)).mode).toBe('full')
      })

      it('runs full when discovery shows the target does not filter at all', async () => {
        const world = await extractionWorld(backend, label('no-filter'))
        const target = await startFakeTarget({
          filterSupported: false,
          users: [fakeUser('u1', 'ada@example.com')],
        })
        world.defer(() => target.close())
        await runExtraction(world.db, world.target({ url: target.url }))

        // A fresh client, as each `provisio extract` has: it learns what the target filters on
        // only from this run's discovery.
        const second = await runExtraction(world.db, world.target({ url: target.url }), {
          mode: 'incremental',
        })

        expect(second).toMatchObject({ mode: 'full', usersSeen: 1, rowsWritten: 0 })
        expect(second.notes).toEqual(['full extraction: the target cannot filter on meta.lastModified'])
        expect((await runRecord(world.db, second.runId)).mode).toBe('full')
        expect(target.to('/Users').every((request) => !request.query.has('filter'))).toBe(true)
      })

      it('keeps nested edges typed Group when only the parent group changed', async () => {
        const world = await extractionWorld(backend, label('nested'))
        const target = await startFakeTarget({
          users: [fakeUser('u1', 'ada@example.com'), fakeUser('u2', 'ben@example.com')],
          groups: [fakeGroup('g1', 'All', [{ value: 'g2' }]), fakeGroup('g2', 'Eng', [{ value: 'u1' }])],
        })
        world.defer(() => target.close())
        const extraction = world.target({ url: target.url })
        await runExtraction(world.db, extraction)

        // g1 gains a user; g2 (its untyped nested member) is unchanged and not read again.
        target.state.groups[0] = fakeGroup('g1', 'All', [{ value: 'g2' }, { value: 'u2' }], {
          meta: { resourceType: 'Group', created: LONG_AGO, lastModified: new Date().toISOString() },
        })
        const incremental = await runExtraction(world.db, extraction, { mode: 'incremental' })

        expect(incremental).toMatchObject({ mode: 'incremental', groupsSeen: 1, rowsRemoved: 0 })
        const memberships = (await graphSnapshot(world.db)).memberships
        expect(
          memberships.map((m) => `${membershipKey(m)}:${m.member_type}:${m.removed_at === null}`),
        ).toEqual(['g1>g2:Group:true', 'g1>u2:User:true', 'g2>u1:User:true'])
      })

      it('keeps memberships stated by User.groups when a group changes but its users did not', async () => {
        const world = await extractionWorld(backend, label('user-groups'))
        const target = await startFakeTarget({
          memberships: 'user-groups',
          users: [fakeUser('u1', 'ada@example.com'), fakeUser('u2', 'ben@example.com')],
          groups: [fakeGroup('g1', 'Eng', [{ value: 'u1' }, { value: 'u2' }])],
        })
        world.defer(() => target.close())
        const extraction = world.target({ url: target.url })
        await runExtraction(world.db, extraction)
        const now = new Date().toISOString()

        // The group is renamed (its members did not change), and u2 leaves it (u2 changes).
        target.state.groups[0] = fakeGroup('g1', 'Engineering', [{ value: 'u1' }], {
          meta: { resourceType: 'Group', created: LONG_AGO, lastModified: now },
        })
        target.state.users[1] = fakeUser('u2', 'ben@example.com', {
          meta: { resourceType: 'User', created: LONG_AGO, lastModified: now },
        })
        const incremental = await runExtraction(world.db, extraction, { mode: 'incremental' })

        expect(incremental).toMatchObject({
          mode: 'incremental',
          usersSeen: 1,
          groupsSeen: 1,
          rowsRemoved: 1,
        })
        const memberships = (await graphSnapshot(world.db)).memberships
        expect(
          memberships.map((m) => `${membershipKey(m)}:${m.removed_at === null ? 'current' : 'removed'}`),
        ).toEqual(['g1>u1:current', 'g1>u2:removed'])
      })
    },
  )
})
