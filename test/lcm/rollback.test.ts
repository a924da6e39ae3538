/**
 * Rollback on every backend: a run that creates, updates (multi-valued attributes included), adds
 * and removes memberships and deprovisions is undone from its journal, and the target compared
 * resource by resource with its state before the run: equal, but for the accounts the run created
 * (gone with `deprovision: delete`, inactive with deactivate).
 */
import { describe, expect, it } from 'vitest'
import type { ScimResource } from '../../src/scim/index.ts'
import { type LcmWorld, lcmWorld } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const before = [
  '- sync_identity:',
  '    integration: app',
  '    attributes:',
  '      user_name: ada@example.com',
  '      title: Engineer',
  '      email: ada@example.com',
  '      phone_numbers: [{ value: "+44 1", type: work }, { value: "+44 2", type: mobile }]',
  '      addresses: [{ type: work, locality: London }]',
  '- sync_identity: { integration: app, attributes: { user_name: grace@example.com, email: grace@example.com } }',
  '- sync_identity: { integration: app, attributes: { user_name: linus@example.com, department: Kernel } }',
  '- create_entitlement: { integration: app, group: { display_name: eng, members: [ada@example.com, linus@example.com] } }',
  '- create_entitlement: { integration: app, group: { display_name: ops, members: [linus@example.com] } }',
  '- create_entitlement: { integration: app, group: { display_name: sales } }',
]

const run = [
  '- sync_identity: { integration: app, attributes: { user_name: newbie@example.com, title: Intern } }',
  '- manage_relationships: { integration: app, user_name: newbie@example.com, add: [eng, fresh], createMissing: true }',
  '- sync_identity:',
  '    integration: app',
  '    attributes:',
  '      user_name: ada@example.com',
  '      title: Principal',
  '      department: R&D',
  '      phone_numbers: [{ value: "+44 9", type: work }, { value: "+44 3", type: home }]',
  '- sync_identity: { integration: app, attributes: { user_name: grace@example.com, email: grace.h@example.com } }',
  '- manage_relationships: { integration: app, user_name: ada@example.com, add: [sales], remove: [eng] }',
  '- deprovision_identity: { integration: app, user_name: linus@example.com, mode: deactivate }',
  '- create_entitlement: { integration: app, group: { display_name: temp, members: [grace@example.com] } }',
]

/** Every resource by id, without meta, with member and group lists as sets. */
async function snapshot(world: LcmWorld): Promise<Map<string, ScimResource>> {
  const resources = [...(await world.users()), ...(await world.groups())]
  return new Map(
    resources.map((resource) => {
      const { meta: _meta, ...rest } = resource
      for (const key of ['members', 'groups'] as const) {
        const list = rest[key]
        if (Array.isArray(list)) rest[key] = [...list].sort((a, b) => (a.value < b.value ? -1 : 1))
      }
      return [String(resource.id), rest as ScimResource]
    }),
  )
}

async function rollBack(world: LcmWorld, runId: string) {
  const plan = await world.engine.rollbackPlan(runId)
  expect(plan.problems).toEqual([])
  const stored = await world.engine.store(plan, `rollback:${runId}`, { kind: 'rollback', rollbackOf: runId })
  expect(stored.status).toBe('pending')
  const summary = await world.engine.execute(stored.runId)
  const failed = await world.store.db
    .selectFrom('lcm_operations')
    .select(['seq', 'kind', 'path', 'error'])
    .where('run_id', '=', stored.runId)
    .where('status', '!=', 'succeeded')
    .execute()
  expect(failed).toEqual([])
  expect(summary.status).toBe('succeeded')
  return plan
}

describe.each(testBackends())('rollback on $name', (backend) => {
  for (const mode of ['delete', 'deactivate'] as const) {
    it.skipIf(backend.skip !== undefined)(
      `restores every resource the run changed (deprovision: ${mode})`,
      { timeout: 60_000 },
      async () => {
        const world = await lcmWorld(backend, `lcm-rollback-${mode}`, {
          integration: [`    deprovision: ${mode}`],
        })
        await world.extract()
        expect((await world.apply(...before)).failures).toEqual([])
        const prior = await snapshot(world)

        const forward = await world.apply(...run)
        expect(forward.failures).toEqual([])
        expect(forward.plan.operations.map((op) => op.kind).sort()).toEqual(
          [
            'create_user',
            'create_group',
            'add_members',
            'add_members',
            'update_user',
            'update_user',
            'add_members',
            'remove_members',
            'deactivate_user',
            'remove_members',
            'remove_members',
            'create_group',
          ].sort(),
        )
        const changed = await snapshot(world)
        expect(changed).not.toEqual(prior)

        await rollBack(world, forward.runId)
        const after = await snapshot(world)
        const newbie = [...after.values()].find((r) => r.userName === 'newbie@example.com')
        const created = [...after.values()].filter(
          (r) => r.displayName === 'fresh' || r.displayName === 'temp',
        )
        expect(created).toEqual([])
        if (mode === 'delete') expect(newbie).toBeUndefined()
        else {
          expect(newbie).toMatchObject({ active: false, title: 'Intern' })
          expect(newbie?.groups ?? []).toEqual([])
          after.delete(String(newbie?.id))
        }
        for (const [id, resource] of prior) expect(after.get(id)).toEqual(resource)
        expect([...after.keys()].sort()).toEqual([...prior.keys()].sort())
      },
    )
  }

  it.skipIf(backend.skip !== undefined)(
    'undoes a hard delete by creating the account again with its attributes and groups',
    async () => {
      const world = await lcmWorld(backend, 'lcm-rollback-recreate')
      await world.extract()
      await world.apply(...before)
      const prior = await snapshot(world)
      const gone = await world.apply(
        '- deprovision_identity: { integration: app, user_name: linus@example.com, mode: delete }',
      )
      expect(await world.user('linus@example.com')).toBeUndefined()
      const plan = await rollBack(world, gone.runId)
      expect(plan.operations.map((op) => op.kind)).toEqual(['create_user', 'add_members', 'add_members'])
      const linus = await world.user('linus@example.com')
      const old = [...prior.values()].find((r) => r.userName === 'linus@example.com')
      const { id: _old, groups: oldGroups, ...oldRest } = (old ?? {}) as Record<string, unknown>
      const {
        id: _new,
        groups: newGroups,
        meta: _meta,
        ...newRest
      } = (linus ?? {}) as Record<string, unknown>
      // A new id (the target gives it), everything else as it was.
      expect(newRest).toEqual(oldRest)
      const names = (list: unknown) =>
        ((list ?? []) as Array<{ display: string }>).map((g) => g.display).sort()
      expect(names(newGroups)).toEqual(names(oldGroups))
    },
  )

  it.skipIf(backend.skip !== undefined)('refuses to roll back a run that has not finished', async () => {
    const world = await lcmWorld(backend, 'lcm-rollback-refused')
    await world.extract()
    const plan = await world.plan(
      '- sync_identity: { integration: app, attributes: { user_name: x@example.com } }',
    )
    const stored = await world.engine.store(plan, 'actions:test')
    await expect(world.engine.rollbackPlan(stored.runId)).rejects.toThrow(
      /is pending: only a finished run \(succeeded or failed\) can be rolled back/,
    )
  })
})
