/**
 * SCIM Bulk on every backend: with `bulk: true` against the sandbox (which advertises Bulk), a
 * group is created in the same request as the users it lists, by bulkId; and the target ends
 * exactly as it does when the same actions go one request at a time.
 */
import { describe, expect, it } from 'vitest'
import { SCHEMA } from '../../src/scim/index.ts'
import { lcmWorld, recordingClients, targetState } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const joiners = [
  '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, email: ada@example.com, title: Engineer, department: R&D } }',
  '- sync_identity: { integration: app, attributes: { user_name: grace@example.com, manager: ada@example.com } }',
  '- sync_identity: { integration: app, attributes: { user_name: linus@example.com, phone_numbers: [{ value: "1", type: work }] } }',
  '- create_entitlement: { integration: app, group: { display_name: eng, external_id: G-1, members: [ada@example.com, grace@example.com] } }',
  '- manage_relationships: { integration: app, user_name: linus@example.com, add: [eng, ops] }',
  '- manage_relationships: { integration: app, user_name: ada@example.com, add: [new-team], createMissing: true }',
  '- manage_relationships: { integration: app, group: new-team, add: [ops] }',
]
const movers = [
  '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, title: Principal, phone_numbers: [{ value: "2", type: mobile }] } }',
  '- manage_relationships: { integration: app, user_name: grace@example.com, remove: [eng], add: [ops] }',
  '- deprovision_identity: { integration: app, user_name: ada@example.com }',
  '- deprovision_identity: { integration: app, user_name: linus@example.com, mode: delete }',
]

type Request = { method: string; path: string; body: unknown }
interface BulkBody {
  Operations: Array<{ method: string; path: string; bulkId?: string; data?: Record<string, unknown> }>
}

describe.each(testBackends())('SCIM Bulk on $name', (backend) => {
  it.skipIf(backend.skip !== undefined)(
    'creates a group with members created in the same bulk request, and ends as single requests do',
    async () => {
      const sent: Request[] = []
      const sentSingle: Request[] = []
      const bulk = await lcmWorld(backend, 'lcm-bulk-on', { bulk: true, clientFor: recordingClients(sent) })
      const single = await lcmWorld(backend, 'lcm-bulk-off', {
        bulk: false,
        clientFor: recordingClients(sentSingle),
      })
      for (const world of [bulk, single]) {
        await world.client.groups.create({ schemas: [SCHEMA.group], displayName: 'ops' })
        await world.extract()
      }
      expect(await targetState(bulk)).toEqual(await targetState(single))

      sent.length = 0
      sentSingle.length = 0
      const withBulk = await bulk.apply(...joiners)
      const without = await single.apply(...joiners)
      const discovery = /^\/(ServiceProviderConfig|ResourceTypes|Schemas)/
      expect(withBulk.failures).toEqual([])
      expect(without.failures).toEqual([])
      expect(withBulk.plan.operations.map((op) => op.kind)).toEqual(
        without.plan.operations.map((op) => op.kind),
      )
      // The plan states its cost: a bulk request (more where lanes order operations into several)
      // and a look-up query for the user names it creates and one for the groups; or exactly the
      // requests apply then sends, one per operation, one look-up for the users it creates (a
      // generic target may not answer 409) and one per group, at concurrency 8 × 100 ms.
      const count = without.plan.operations.length
      const groups = without.plan.operations.filter((op) => op.kind === 'create_group').length
      expect(withBulk.plan.cost).toEqual([
        expect.objectContaining({ integration: 'app', operations: count, requests: 3, bulk: true }),
      ])
      expect(sentSingle.filter((r) => !discovery.test(r.path))).toHaveLength(count + 1 + groups)
      expect(without.plan.cost).toEqual([
        {
          integration: 'app',
          operations: count,
          requests: count + 1 + groups,
          rate: 80,
          rateSource: 'concurrency',
          estimatedSeconds: Math.round(((count + 1 + groups) / 80) * 10) / 10,
          bulk: false,
        },
      ])

      const writes = sent.filter((r) => r.method !== 'GET')
      expect(writes.every((r) => r.method === 'POST' && r.path === '/Bulk')).toBe(true)
      const first = (writes[0]?.body as BulkBody | undefined)?.Operations ?? []
      const created = first.filter((o) => o.method === 'POST' && o.path === '/Users')
      expect(created.map((o) => o.data?.userName)).toEqual([
        'ada@example.com',
        'grace@example.com',
        'linus@example.com',
      ])
      const eng = first.find((o) => o.method === 'POST' && o.data?.displayName === 'eng')
      const refs = created.slice(0, 2).map((o) => ({ value: `bulkId:${o.bulkId}` }))
      expect(eng?.data?.members).toEqual(refs)
      const grace = created[1]?.data?.[SCHEMA.enterpriseUser] as { manager?: unknown }
      expect(grace.manager).toEqual({ value: `bulkId:${created[0]?.bulkId}` })
      // Lanes and references order the rest into a few more requests, never one per operation.
      expect(writes.length).toBeLessThan(withBulk.plan.operations.length / 2)

      expect(await targetState(bulk)).toEqual(await targetState(single))
      expect((await bulk.plan(...joiners)).operations).toEqual([])

      const moved = await bulk.apply(...movers)
      await single.apply(...movers)
      expect(moved.failures).toEqual([])
      expect(await targetState(bulk)).toEqual(await targetState(single))
      expect((await bulk.plan(...movers)).operations).toEqual([])
      await bulk.extract()
      expect((await bulk.plan(...movers)).operations).toEqual([])
    },
  )

  for (const vendor of ['zapier', 'generic']) {
    it.skipIf(backend.skip !== undefined)(
      vendor === 'zapier'
        ? 'a create refused with 409 inside a bulk request is resolved by adopting the existing account'
        : 'where a duplicate may not be refused, creates are looked up before the bulk request and adopted',
      async () => {
        const world = await lcmWorld(backend, `lcm-bulk-adopt-${vendor}`, {
          bulk: true,
          integration: [`    vendor: ${vendor}`],
        })
        await world.extract()
        // Created behind the graph's back: the plan still says create.
        await world.client.users.create({ schemas: [SCHEMA.user], userName: 'ada@example.com' })
        const { plan, failures, runId } = await world.apply(
          '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, title: Engineer } }',
          '- create_entitlement: { integration: app, group: { display_name: eng, members: [ada@example.com] } }',
        )
        expect(plan.operations.map((op) => op.kind)).toEqual(['create_user', 'create_group'])
        expect(failures).toEqual([])
        const users = await world.users()
        expect(users).toHaveLength(1)
        expect(users[0]?.title).toBe('Engineer')
        const outcomes = await world.store.db
          .selectFrom('lcm_operations')
          .select(['seq', 'outcome'])
          .where('run_id', '=', runId)
          .orderBy('seq')
          .execute()
        expect(outcomes[0]?.outcome).toBe(
          vendor === 'zapier' ? 'adopted (found before sending again)' : 'adopted (already in the target)',
        )
        // Zapier answers the bulk create 409 (and the group referring to it cannot be resolved):
        // the account is then looked up and adopted, and the group sent again; no second create.
        const conflicts = await world.store.db
          .selectFrom('lcm_audit')
          .select('seq')
          .where('run_id', '=', runId)
          .where('status', '=', 409)
          .orderBy('seq')
          .execute()
        expect(conflicts.map((c) => c.seq)).toEqual(vendor === 'zapier' ? [1, 2] : [])
        expect((await world.group('eng'))?.members).toEqual([
          expect.objectContaining({ value: users[0]?.id }),
        ])
      },
    )
  }
})
