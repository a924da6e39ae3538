/**
 * The planner reads of the graph only what the actions touch: account attributes and memberships
 * of the accounts they match or name. These tests check that plans stay the same where that set is
 * not obvious: matching on employee_number (every account's attributes), an account a plan deletes
 * handing its user name on, and the graph refusing to answer for attributes it never read.
 */
import { describe, expect, it } from 'vitest'
import { IntegrationGraph } from '../../src/lcm/integration-graph.ts'
import { SCHEMA } from '../../src/scim/index.ts'
import { type LcmWorld, lcmWorld } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const ENTERPRISE = SCHEMA.enterpriseUser

async function account(world: LcmWorld, userName: string, extra: Record<string, unknown> = {}) {
  const created = await world.client.users.create({ schemas: [SCHEMA.user, ENTERPRISE], userName, ...extra })
  return String(created.id)
}

describe.each(testBackends())('what a plan reads on $name', (backend) => {
  const open = (label: string, options = {}) => lcmWorld(backend, `lcm-reads-${label}`, options)

  it.skipIf(backend.skip !== undefined)(
    'matching on employee_number compares with the attributes of the account found',
    async () => {
      const world = await open('employee', { integration: ['    matching: [employee_number]'] })
      await account(world, 'someone', { title: 'Engineer' })
      const ada = await account(world, 'ada.old', {
        title: 'Engineer',
        [ENTERPRISE]: { employeeNumber: '1001' },
      })
      await world.extract()
      const plan = await world.plan(
        '- sync_identity: { integration: app, attributes: { user_name: ada, employee_number: "1001", title: Engineer } }',
      )
      expect(plan.problems).toEqual([])
      expect(plan.operations.map((op) => [op.kind, op.details.targetId])).toEqual([['update_user', ada]])
      // Only the user name differs: the title was compared with the account's own.
      expect(Object.keys(plan.operations[0]?.details.changes ?? {})).toEqual(['user_name'])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'an account deprovisioned after an earlier action of the plan changed it is planned from its attributes and the groups it is in',
    async () => {
      const world = await open('chain')
      const ada = await account(world, 'ada', { externalId: 'E-1', title: 'Engineer' })
      const team = await world.client.groups.create({
        schemas: [SCHEMA.group],
        displayName: 'team',
        members: [{ value: ada }],
      })
      await world.extract()
      // The rename makes `ada.lovelace` name the account only once the first action is planned.
      const plan = await world.plan(
        '- sync_identity: { integration: app, identity: I-1, attributes: { user_name: ada.lovelace, external_id: E-1 } }',
        '- deprovision_identity: { integration: app, user_name: ada.lovelace, mode: delete }',
      )
      expect(plan.problems).toEqual([])
      expect(plan.operations.map((op) => [op.kind, op.details.targetId])).toEqual([
        ['update_user', ada],
        ['delete_user', ada],
      ])
      expect(plan.operations[1]?.details.prior).toMatchObject({
        attributes: { user_name: 'ada.lovelace', title: 'Engineer' },
        groups: [team.id],
      })
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a graph read without attributes reads them on demand and refuses to answer before',
    async () => {
      const world = await open('lazy')
      const ada = await account(world, 'ada', { title: 'Engineer' })
      await world.extract()
      const graph = await IntegrationGraph.load(world.store.db, 'app', { attributes: false })
      expect(graph.account(ada)?.userName).toBe('ada')
      expect(() => graph.account(ada)?.attributes()).toThrow(/not loaded/)
      await graph.loadAttributes([ada])
      expect(graph.account(ada)?.attributes()).toMatchObject({ user_name: 'ada', title: 'Engineer' })
      expect(() => graph.isMember('any', ada)).toThrow(/not loaded/)
      await graph.loadMemberships([ada])
      expect(graph.groupsOf(ada)).toEqual([])

      const onDemand = await IntegrationGraph.load(world.store.db, 'app', { accounts: 'on-demand' })
      expect(() => onDemand.account(ada)).toThrow(/not loaded/)
      expect(() => onDemand.accountsBy('user_name', 'ada')).toThrow(/not all loaded/)
      await onDemand.loadAccounts([ada, 'no-such-id'])
      expect(onDemand.account(ada)?.attributes()).toMatchObject({ title: 'Engineer' })
      expect(onDemand.account('no-such-id')).toBeUndefined()
      onDemand.removeAccount(ada)
      await onDemand.loadAllAccounts()
      // A planned delete stays deleted when every account is read afterwards.
      expect(onDemand.account(ada)).toBeUndefined()
      expect(onDemand.accountsBy('user_name', 'ada')).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a linked identity whose account is gone is matched by its keys again',
    async () => {
      const world = await open('relink')
      const ada = await account(world, 'ada', { title: 'Engineer' })
      await world.extract()
      await world.store.db
        .insertInto('lcm_links')
        .values({
          integration: 'app',
          identity: 'I-1',
          account_id: 'gone',
          run_id: null,
          linked_at: new Date().toISOString(),
        })
        .execute()
      const plan = await world.plan(
        '- sync_identity: { integration: app, identity: I-1, attributes: { user_name: ada, title: Lead } }',
        '- manage_relationships: { integration: app, identity: I-1, user_name: ada, add: [team], createMissing: true }',
      )
      expect(plan.problems).toEqual([])
      expect(plan.operations.map((op) => [op.kind, op.details.targetId])).toEqual([
        ['update_user', ada],
        ['create_group', undefined],
        ['add_members', 'bulkId:op2'],
      ])
    },
  )
})
