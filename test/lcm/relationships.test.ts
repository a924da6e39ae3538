/**
 * manage_relationships and create_entitlement against the sandbox on every backend: memberships
 * by group name, no-ops for what is already so (the target's own noTarget answer included), nested
 * groups, createMissing, and groups created with members or adopted rather than duplicated.
 */
import { describe, expect, it } from 'vitest'
import { SCHEMA } from '../../src/scim/index.ts'
import { lcmWorld, memberIds, shapes } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const user = (name: string) => `- sync_identity: { integration: app, attributes: { user_name: ${name} } }`
const group = (name: string, members: string[] = []) =>
  `- create_entitlement: { integration: app, group: { display_name: ${name}, members: [${members.join(', ')}] } }`

describe.each(testBackends())('manage_relationships and create_entitlement on $name', (backend) => {
  const open = (label: string) => lcmWorld(backend, `lcm-rel-${label}`)

  it.skipIf(backend.skip !== undefined)(
    'adds and removes memberships by group name, and what is already so plans nothing',
    async () => {
      const world = await open('add-remove')
      await world.extract()
      await world.apply(user('ada@example.com'), group('eng'), group('sales'), group('ops'))
      const ada = await world.user('ada@example.com')
      const join = [
        '- manage_relationships: { integration: app, user_name: ada@example.com, add: [eng, sales] }',
      ]
      const joined = await world.apply(...join)
      expect(shapes(joined.plan)).toEqual([
        ['add_members', 'PATCH', `/Groups/${(await world.group('eng'))?.id}`],
        ['add_members', 'PATCH', `/Groups/${(await world.group('sales'))?.id}`],
      ])
      expect(memberIds(await world.group('eng'))).toEqual([ada?.id])
      expect(memberIds(await world.group('sales'))).toEqual([ada?.id])

      const again = await world.plan(...join)
      expect(again.operations).toEqual([])
      expect(again.unchanged).toBe(1)

      const move = [
        '- manage_relationships: { integration: app, user_name: ada@example.com, add: [ENG], remove: [sales, ops] }',
      ]
      const moved = await world.apply(...move)
      expect(shapes(moved.plan)).toEqual([
        ['remove_members', 'PATCH', `/Groups/${(await world.group('sales'))?.id}`],
      ])
      expect(memberIds(await world.group('sales'))).toEqual([])
      expect(memberIds(await world.group('eng'))).toEqual([ada?.id])
      expect((await world.plan(...move)).operations).toEqual([])
      await world.extract()
      expect((await world.plan(...move)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'removing a member the target no longer has (the sandbox answers 400 noTarget) succeeds as already absent',
    async () => {
      const world = await open('no-target')
      await world.extract()
      await world.apply(user('ada@example.com'), group('eng', ['ada@example.com']))
      const eng = await world.group('eng')
      const ada = await world.user('ada@example.com')
      // Someone else removes Ada behind the graph's back.
      await world.client.removeGroupMembers(String(eng?.id), [String(ada?.id)])
      const remove = [
        '- manage_relationships: { integration: app, user_name: ada@example.com, remove: [eng] }',
      ]
      const { runId, status } = await world.apply(...remove)
      expect(status).toBe('succeeded')
      const [op] = await world.store.db
        .selectFrom('lcm_operations')
        .select(['status', 'outcome', 'response_status'])
        .where('run_id', '=', runId)
        .execute()
      expect(op).toEqual({ status: 'succeeded', outcome: 'already absent', response_status: 400 })
      expect((await world.plan(...remove)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'puts a group in a group (nested groups) and takes it out',
    async () => {
      const world = await open('nested')
      await world.extract()
      await world.apply(user('ada@example.com'), group('backend', ['ada@example.com']), group('eng'))
      const nest = ['- manage_relationships: { integration: app, group: backend, add: [eng] }']
      const { plan } = await world.apply(...nest)
      const backendGroup = await world.group('backend')
      expect(plan.operations[0]?.details).toMatchObject({ memberType: 'Group', members: [backendGroup?.id] })
      expect(memberIds(await world.group('eng'))).toEqual([backendGroup?.id])
      const ada = await world.user('ada@example.com')
      expect(((ada?.groups ?? []) as Array<{ display: string }>).map((g) => g.display).sort()).toEqual([
        'backend',
        'eng',
      ])
      expect((await world.plan(...nest)).operations).toEqual([])
      await world.extract()
      expect((await world.plan(...nest)).operations).toEqual([])
      await world.apply('- manage_relationships: { integration: app, group: backend, remove: [eng] }')
      expect(memberIds(await world.group('eng'))).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'createMissing creates an absent group with the member; without it the action is an error',
    async () => {
      const world = await open('create-missing')
      await world.extract()
      await world.apply(user('ada@example.com'))
      const refused = await world.plan(
        '- manage_relationships: { integration: app, user_name: ada@example.com, add: [new-team] }',
      )
      expect(refused.operations).toEqual([])
      expect(refused.problems[0]?.message).toMatch(/no group "new-team" in app \(set createMissing: true/)

      const create = [
        '- manage_relationships: { integration: app, user_name: ada@example.com, add: [new-team], createMissing: true }',
      ]
      const { plan, status } = await world.apply(...create)
      expect(status).toBe('succeeded')
      expect(shapes(plan)).toEqual([
        ['create_group', 'POST', '/Groups'],
        ['add_members', 'PATCH', '/Groups/bulkId:op1'],
      ])
      const team = await world.group('new-team')
      expect(memberIds(team)).toEqual([(await world.user('ada@example.com'))?.id])
      expect((await world.groups()).filter((g) => g.displayName === 'new-team')).toHaveLength(1)
      expect((await world.plan(...create)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'create_entitlement creates a group with its attributes and members, referring to users created in the same run',
    async () => {
      const world = await open('entitlement')
      await world.client.users.create({ schemas: [SCHEMA.user], userName: 'grace@example.com' })
      await world.extract()
      const lines = [
        user('ada@example.com'),
        '- create_entitlement:',
        '    integration: app',
        '    group: { display_name: eng, external_id: G-1, members: [ada@example.com, grace@example.com] }',
      ]
      const { plan, failures } = await world.apply(...lines)
      expect(failures).toEqual([])
      expect(plan.operations[1]?.body).toMatchObject({
        displayName: 'eng',
        externalId: 'G-1',
        members: [{ value: 'bulkId:op1' }, { value: expect.any(String) }],
      })
      const eng = await world.group('eng')
      expect(eng).toMatchObject({ externalId: 'G-1' })
      expect(memberIds(eng)).toEqual(
        [(await world.user('ada@example.com'))?.id, (await world.user('grace@example.com'))?.id].sort(),
      )
      expect((await world.plan(...lines)).operations).toEqual([])
      await world.extract()
      expect((await world.plan(...lines)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'description and group_type: refused in the plan where the target declares no such Group attribute, sent top level where it does',
    async () => {
      const world = await lcmWorld(backend, 'lcm-rel-description', { extensionSchemas: true })
      await world.extract()
      const lines = [
        '- create_entitlement:',
        '    integration: app',
        '    group: { display_name: eng, description: Engineering, group_type: team }',
      ]
      const refused = await world.plan(...lines)
      expect(refused.operations).toEqual([])
      expect(refused.problems).toEqual([
        expect.objectContaining({
          integration: 'app',
          message: expect.stringContaining('app has no Group attribute "description"'),
        }),
      ])
      // A target whose Group schema declares both (as some vendors' do) is sent them top level.
      const declaring = await lcmWorld(backend, 'lcm-rel-description-declared', { extensionSchemas: true })
      await declaring.extract()
      const stored = await declaring.store.db
        .selectFrom('target_schemas')
        .select('definition')
        .where('integration', '=', 'app')
        .where('urn', '=', SCHEMA.group)
        .executeTakeFirstOrThrow()
      const definition = JSON.parse(stored.definition) as { attributes: Array<Record<string, unknown>> }
      for (const name of ['description', 'groupType']) {
        definition.attributes.push({ name, type: 'string', multiValued: false, mutability: 'readWrite' })
      }
      await declaring.store.db
        .updateTable('target_schemas')
        .set({ definition: JSON.stringify(definition) })
        .where('integration', '=', 'app')
        .where('urn', '=', SCHEMA.group)
        .execute()
      const planned = await declaring.plan(...lines)
      expect(planned.problems).toEqual([])
      expect(planned.operations[0]?.body).toMatchObject({ description: 'Engineering', groupType: 'team' })
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'an existing group of that name is adopted, brought in line and given the missing members, never duplicated',
    async () => {
      const world = await open('adopt')
      await world.extract()
      await world.apply(user('ada@example.com'), user('grace@example.com'))
      const ada = await world.user('ada@example.com')
      const grace = await world.user('grace@example.com')
      await world.client.groups.create({
        schemas: [SCHEMA.group],
        displayName: 'eng',
        members: [{ value: String(ada?.id) }],
      })
      await world.extract()
      const lines = [
        '- create_entitlement:',
        '    integration: app',
        '    group: { display_name: Eng, external_id: G-7, members: [ada@example.com, grace@example.com] }',
      ]
      const { plan } = await world.apply(...lines)
      const eng = await world.group('eng')
      expect(shapes(plan)).toEqual([
        ['update_group', 'PATCH', `/Groups/${eng?.id}`],
        ['add_members', 'PATCH', `/Groups/${eng?.id}`],
      ])
      expect(plan.operations[1]?.details.members).toEqual([grace?.id])
      expect(eng?.externalId).toBe('G-7')
      expect(memberIds(eng)).toEqual([ada?.id, grace?.id].sort())
      expect(
        (await world.groups()).filter((g) => String(g.displayName).toLowerCase() === 'eng'),
      ).toHaveLength(1)
      expect((await world.plan(...lines)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a group created in the target after the graph was read is found by the create and adopted, not duplicated',
    async () => {
      const world = await open('adopt-409')
      await world.extract()
      await world.apply(user('ada@example.com'))
      await world.client.groups.create({ schemas: [SCHEMA.group], displayName: 'late' })
      const { runId, status } = await world.apply(group('late', ['ada@example.com']))
      expect(status).toBe('succeeded')
      const late = (await world.groups()).filter((g) => g.displayName === 'late')
      expect(late).toHaveLength(1)
      expect(memberIds(late[0])).toEqual([(await world.user('ada@example.com'))?.id])
      const [op] = await world.store.db
        .selectFrom('lcm_operations')
        .select(['outcome', 'result_id'])
        .where('run_id', '=', runId)
        .execute()
      expect(op).toEqual({ outcome: 'adopted (already in the target)', result_id: late[0]?.id })
      expect((await world.plan(group('late', ['ada@example.com']))).operations).toEqual([])
    },
  )
})
