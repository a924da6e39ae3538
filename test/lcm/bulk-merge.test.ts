/**
 * With SCIM Bulk, adds of members to the same group in one batch go as one PATCH of that group;
 * each add stays an operation of its own in the journal, and when the merged PATCH fails, the adds
 * are sent again one by one, so only the one at fault fails.
 */
import { describe, expect, it } from 'vitest'
import { SCHEMA } from '../../src/scim/index.ts'
import { lcmWorld, memberIds, recordingClients } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

type Request = { method: string; path: string; body: unknown }
interface BulkBody {
  Operations: Array<{ method: string; path: string; data?: { Operations?: Array<{ value?: unknown }> } }>
}

/** The bulk operations of every Bulk request sent. */
function bulkOperations(sent: readonly Request[]): BulkBody['Operations'] {
  return sent
    .filter((r) => r.method === 'POST' && r.path === '/Bulk')
    .flatMap((r) => (r.body as BulkBody).Operations)
}

describe.each(testBackends())('merged membership adds in SCIM Bulk on $name', (backend) => {
  it.skipIf(backend.skip !== undefined)(
    'adds of several joiners to one group are one PATCH, each journaled and in the graph',
    async () => {
      const sent: Request[] = []
      const world = await lcmWorld(backend, 'lcm-bulk-merge', {
        bulk: true,
        clientFor: recordingClients(sent),
      })
      for (const displayName of ['eng', 'ops'])
        await world.client.groups.create({ schemas: [SCHEMA.group], displayName })
      await world.extract()
      const names = ['ada', 'grace', 'linus', 'ken']
      const applied = await world.apply(
        ...names.map(
          (n) => `- sync_identity: { integration: app, attributes: { user_name: ${n}@example.com } }`,
        ),
        ...names.map(
          (n, i) =>
            `- manage_relationships: { integration: app, user_name: ${n}@example.com, add: [eng${i % 2 === 0 ? ', ops' : ''}] }`,
        ),
      )
      expect(applied.failures).toEqual([])
      expect(applied.plan.operations.filter((op) => op.kind === 'add_members')).toHaveLength(6)

      const patches = bulkOperations(sent).filter((o) => o.method === 'PATCH')
      const eng = await world.group('eng')
      const ops = await world.group('ops')
      // One PATCH per group, the first of each joiner's adds with its create, the second in the next batch.
      expect(patches.map((p) => [p.path, p.data?.Operations?.[0]?.value])).toEqual([
        [`/Groups/${eng?.id}`, names.map(() => ({ value: expect.stringMatching(/^bulkId:op\d+$/) }))],
        [`/Groups/${ops?.id}`, [{ value: expect.any(String) }, { value: expect.any(String) }]],
      ])
      const users = await world.users()
      const idOf = (n: string) => String(users.find((u) => u.userName === `${n}@example.com`)?.id)
      expect(memberIds(eng)).toEqual(names.map(idOf).sort())
      expect(memberIds(ops)).toEqual(['ada', 'linus'].map(idOf).sort())
      // The graph knows every membership: a second plan has nothing to do.
      const again = await world.plan(
        ...names.map(
          (n, i) =>
            `- manage_relationships: { integration: app, user_name: ${n}@example.com, add: [eng${i % 2 === 0 ? ', ops' : ''}] }`,
        ),
      )
      expect(again.operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a merged PATCH the target refuses is sent again add by add: only the add at fault fails',
    async () => {
      const sent: Request[] = []
      const world = await lcmWorld(backend, 'lcm-bulk-merge-fail', {
        bulk: true,
        clientFor: recordingClients(sent),
      })
      await world.client.groups.create({ schemas: [SCHEMA.group], displayName: 'eng' })
      for (const n of ['ada', 'gone'])
        await world.client.users.create({ schemas: [SCHEMA.user], userName: `${n}@example.com` })
      await world.extract()
      // Deleted behind the graph's back: adding it is refused, and so is a PATCH that lists it.
      const gone = await world.user('gone@example.com')
      await world.client.users.delete(String(gone?.id))

      const applied = await world.apply(
        '- manage_relationships: { integration: app, user_name: ada@example.com, add: [eng] }',
        '- manage_relationships: { integration: app, user_name: gone@example.com, add: [eng] }',
      )
      expect(applied.failures).toEqual([
        expect.objectContaining({ kind: 'add_members', status: 'failed', seq: 2 }),
      ])
      const patches = sent.filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'))
      expect(bulkOperations(sent).filter((o) => o.method === 'PATCH')).toHaveLength(1)
      expect(patches).toHaveLength(2)
      const ada = await world.user('ada@example.com')
      expect(memberIds(await world.group('eng'))).toEqual([String(ada?.id)])
    },
  )
})
