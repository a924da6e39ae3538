/**
 * Where memberships come from: Group.members, or User.groups when a target only offers that;
 * nested groups kept as group→group edges; targets without groups extract users only and say so.
 */
import { describe, expect, it } from 'vitest'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { seededGroupId, seededUserId } from '../../src/sandbox/index.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import {
  extractionWorld,
  graphSnapshot,
  membershipKey,
  sandboxMemberships,
  TOKEN,
} from '../support/extraction-fixtures.ts'
import { fakeGroup, fakeUser, startFakeTarget } from '../support/fake-scim-target.ts'
import { startRecordingProxy } from '../support/scim-servers.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const edges = (rows: Array<{ group_id: string; member_id: string; member_type: string }>) =>
  rows.map((row) => `${membershipKey(row)}:${row.member_type}`).sort()

describe.each(testBackends())('memberships on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'in the graph',
    () => {
      const label = (name: string) => `extract-members-${name}-${backend.name}`

      it('takes memberships from User.groups when the groups omit their members', async () => {
        const world = await extractionWorld(backend, label('user-groups'))
        const target = await startFakeTarget({
          memberships: 'user-groups',
          users: [
            fakeUser('u1', 'ada@example.com'),
            fakeUser('u2', 'ben@example.com'),
            fakeUser('u3', 'cy@x.io'),
          ],
          groups: [
            fakeGroup('g1', 'Engineering', [{ value: 'u1' }, { value: 'u2' }]),
            fakeGroup('g2', 'Sales', [{ value: 'u2' }]),
            fakeGroup('g3', 'Empty', []),
          ],
        })
        world.defer(() => target.close())
        // The groups really are served without members.
        const served = await fetch(`${target.url}/Groups`).then(
          (r) => r.json() as Promise<{ Resources: object[] }>,
        )
        expect(served.Resources.some((group) => 'members' in group)).toBe(false)

        const summary = await runExtraction(world.db, world.target({ url: target.url }))

        expect(summary).toMatchObject({
          usersSeen: 3,
          groupsSeen: 3,
          membershipsSeen: 3,
          status: 'succeeded',
        })
        expect(edges((await graphSnapshot(world.db)).memberships)).toEqual([
          'g1>u1:User',
          'g1>u2:User',
          'g2>u2:User',
        ])

        // A user leaving a group is seen through User.groups too.
        target.state.groups[0] = fakeGroup('g1', 'Engineering', [{ value: 'u1' }])
        const second = await runExtraction(world.db, world.target({ url: target.url }))
        expect(second.rowsRemoved).toBe(1)
        const removed = (await graphSnapshot(world.db)).memberships.filter((m) => m.removed_at !== null)
        expect(removed.map(membershipKey)).toEqual(['g1>u2'])
      })

      it('keeps nested groups as group→group edges, also when members carry no type', async () => {
        const world = await extractionWorld(backend, label('nested-untyped'))
        const target = await startFakeTarget({
          users: [fakeUser('u1', 'ada@example.com'), fakeUser('u2', 'ben@example.com')],
          groups: [
            // No `type` on any member: g2 is known to be a group only because the target lists it.
            fakeGroup('g1', 'All staff', [{ value: 'g2' }, { value: 'u1' }]),
            fakeGroup('g2', 'Engineering', [{ value: 'u2' }, { value: 'g3' }]),
            fakeGroup('g3', 'Platform', [{ value: 'u2' }]),
          ],
          maxPage: 1,
        })
        world.defer(() => target.close())

        await runExtraction(world.db, world.target({ url: target.url, pageSize: 1 }))

        expect(edges((await graphSnapshot(world.db)).memberships)).toEqual([
          'g1>g2:Group',
          'g1>u1:User',
          'g2>g3:Group',
          'g2>u2:User',
          'g3>u2:User',
        ])
      })

      it('takes only members that name one, reads their type in any case, and survives odd member lists', async () => {
        const world = await extractionWorld(backend, label('odd-members'))
        const odd = (members: unknown): ReturnType<typeof fakeGroup> => ({
          ...fakeGroup('g9', 'Odd', []),
          members,
        })
        const target = await startFakeTarget({
          users: [fakeUser('u1', 'ada@example.com'), fakeUser('zoë', 'zoe@example.com')],
          groups: [
            fakeGroup('g1', 'Mixed', [
              { value: 'u1' },
              { value: 'u1' },
              { value: 'zoë', type: 'User' },
              { value: 'g2', type: 'GROUP' as 'Group' },
              { value: '' },
              { value: 42 as unknown as string },
              'u1' as unknown as { value: string },
              { display: 'no value' } as unknown as { value: string },
            ]),
            fakeGroup('g2', 'Nested', [{ value: 'u1', type: 'group' as 'Group' }]),
            odd({ value: 'u1' }),
            { ...fakeGroup('g8', 'Null', []), members: null },
          ],
          // Escaped as some targets write non-ASCII ids: the edge must still name `zoë`.
          listText: (body) => JSON.stringify(body).replaceAll('ë', '\\u00eb'),
        })
        world.defer(() => target.close())

        const summary = await runExtraction(world.db, world.target({ url: target.url }))

        expect(summary.status).toBe('succeeded')
        expect(edges((await graphSnapshot(world.db)).memberships)).toEqual([
          'g1>g2:Group',
          'g1>u1:User',
          'g1>zoë:User',
          // Typed a group by the target, though no group u1 is listed: the target's word is kept.
          'g2>u1:Group',
        ])
        expect(summary.membershipsSeen).toBe(4)
      })

      it('counts an edge stated by both Group.members and User.groups once, nested ones included', async () => {
        const world = await extractionWorld(backend, label('both-sides'), { seedUsers: 20, seedGroups: 10 })
        const http = new TestClient(world.sandbox.url, TOKEN)
        const nest = [{ op: 'add', path: 'members', value: [{ value: seededGroupId(9), type: 'Group' }] }]
        await http.patch(`/Groups/${seededGroupId(3)}`, nest)
        // The sandbox states each edge on both sides.
        expect(world.sandbox.users().find((u) => u.id === seededUserId(9))?.groups).toBeDefined()

        const summary = await runExtraction(world.db, world.target())

        const expected = sandboxMemberships(world.sandbox)
        expect(summary.membershipsSeen).toBe(expected.length)
        const graph = await graphSnapshot(world.db)
        expect(graph.memberships.map(membershipKey)).toEqual(expected)
        expect(graph.memberships.filter((m) => m.member_type === 'Group').map(membershipKey)).toEqual([
          `${seededGroupId(3)}>${seededGroupId(9)}`,
        ])
        // Indirect memberships (users of Team 9 reach group 3 through it) are not edges.
        expect(
          graph.memberships.some((m) => m.group_id === seededGroupId(3) && m.member_id === seededUserId(9)),
        ).toBe(false)
      })

      it('extracts users only from a target without groups, says so, and never asks for /Groups', async () => {
        const world = await extractionWorld(backend, label('users-only'), { seedUsers: 12, seedGroups: 10 })
        const proxy = await startRecordingProxy(world.sandbox.url)
        world.defer(() => proxy.close())

        const summary = await runExtraction(world.db, world.target({ url: proxy.url, groups: false }))

        expect(summary).toMatchObject({
          status: 'succeeded',
          usersSeen: 12,
          groupsSeen: 0,
          membershipsSeen: 0,
        })
        expect(summary.notes).toContain('users only: the target has no groups')
        const graph = await graphSnapshot(world.db)
        expect(graph.accounts).toHaveLength(12)
        expect(graph.groups).toEqual([])
        // Users still carry `groups` in this sandbox; without groups in the graph they are not edges.
        expect(graph.memberships).toEqual([])
        expect(proxy.to('/Groups')).toEqual([])
      })
    },
  )
})
