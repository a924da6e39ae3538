/**
 * deprovision_identity against the sandbox on every backend: deactivation that keeps the account
 * and removes every membership, hard delete, reactivation by a later sync_identity, and a vendor
 * whose deactivation destroys data refusing without consent.
 */
import { describe, expect, it } from 'vitest'
import { lcmWorld, memberIds, shapes } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const joiner = [
  '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, title: Engineer } }',
  '- sync_identity: { integration: app, attributes: { user_name: grace@example.com } }',
  '- create_entitlement: { integration: app, group: { display_name: eng, members: [ada@example.com, grace@example.com] } }',
  '- create_entitlement: { integration: app, group: { display_name: all, members: [ada@example.com] } }',
  '- create_entitlement: { integration: app, group: { display_name: other, members: [grace@example.com] } }',
]

describe.each(testBackends())('deprovision_identity on $name', (backend) => {
  const open = (label: string, options = {}) => lcmWorld(backend, `lcm-deprov-${label}`, options)

  it.skipIf(backend.skip !== undefined)(
    'deactivates and removes every membership, keeping the account; sync_identity with active true reactivates',
    async () => {
      const world = await open('deactivate')
      await world.extract()
      await world.apply(...joiner)
      const ada = await world.user('ada@example.com')
      const grace = await world.user('grace@example.com')
      const leave = ['- deprovision_identity: { integration: app, user_name: ada@example.com }']
      const { plan, failures } = await world.apply(...leave)
      expect(failures).toEqual([])
      // Access is cut first; then each membership goes, in no particular order.
      expect(shapes(plan)[0]).toEqual(['deactivate_user', 'PATCH', `/Users/${ada?.id}`])
      expect(shapes(plan).slice(1).sort()).toEqual(
        [
          ['remove_members', 'PATCH', `/Groups/${(await world.group('eng'))?.id}`],
          ['remove_members', 'PATCH', `/Groups/${(await world.group('all'))?.id}`],
        ].sort(),
      )
      const after = await world.user('ada@example.com')
      expect(after).toMatchObject({ id: ada?.id, active: false, title: 'Engineer' })
      expect(after?.groups ?? []).toEqual([])
      expect(memberIds(await world.group('eng'))).toEqual([grace?.id])
      expect(memberIds(await world.group('all'))).toEqual([])
      expect(memberIds(await world.group('other'))).toEqual([grace?.id])
      expect((await world.plan(...leave)).operations).toEqual([])
      await world.extract()
      expect((await world.plan(...leave)).operations).toEqual([])

      const back = [
        '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, active: true } }',
      ]
      const returned = await world.apply(...back)
      expect(shapes(returned.plan)).toEqual([['update_user', 'PATCH', `/Users/${ada?.id}`]])
      expect(await world.user('ada@example.com')).toMatchObject({ id: ada?.id, active: true })
      expect((await world.plan(...back)).operations).toEqual([])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'mode delete removes the account; the integration setting does the same by default',
    async () => {
      const world = await open('delete')
      await world.extract()
      await world.apply(...joiner)
      const ada = await world.user('ada@example.com')
      const gone = ['- deprovision_identity: { integration: app, user_name: ada@example.com, mode: delete }']
      const { plan, failures } = await world.apply(...gone)
      expect(failures).toEqual([])
      expect(shapes(plan)).toEqual([['delete_user', 'DELETE', `/Users/${ada?.id}`]])
      expect(await world.user('ada@example.com')).toBeUndefined()
      expect(memberIds(await world.group('all'))).toEqual([])
      expect((await world.plan(...gone)).operations).toEqual([])

      const configured = await open('delete-configured', { integration: ['    deprovision: delete'] })
      await configured.extract()
      await configured.apply(...joiner)
      const byDefault = await configured.apply(
        '- deprovision_identity: { integration: app, user_name: grace@example.com }',
      )
      expect(byDefault.plan.operations.map((op) => op.kind)).toEqual(['delete_user'])
      expect(await configured.user('grace@example.com')).toBeUndefined()
    },
  )

  it.skipIf(backend.skip !== undefined)('a user without an account plans nothing', async () => {
    const world = await open('absent')
    await world.extract()
    const plan = await world.plan(
      '- deprovision_identity: { integration: app, user_name: nobody@example.com }',
    )
    expect(plan.operations).toEqual([])
    expect(plan.problems).toEqual([])
  })

  it.skipIf(backend.skip !== undefined)(
    'on a vendor whose deactivation destroys the account (Harness) it is refused without allowDataLoss',
    async () => {
      const world = await open('harness', { integration: ['    vendor: harness'] })
      await world.extract()
      await world.apply('- sync_identity: { integration: app, attributes: { user_name: ada@example.com } }')
      const refused = await world.plan(
        '- deprovision_identity: { integration: app, user_name: ada@example.com }',
      )
      expect(refused.operations).toEqual([])
      expect(refused.problems).toEqual([
        expect.objectContaining({
          kind: 'error',
          identity: 'ada@example.com',
          message: expect.stringMatching(/on Harness deactivation removes the account.*allowDataLoss: true/),
        }),
      ])
      const consented = await world.plan(
        '- deprovision_identity: { integration: app, user_name: ada@example.com, allowDataLoss: true }',
      )
      expect(consented.problems).toEqual([])
      expect(consented.operations.map((op) => op.kind)).toEqual(['deactivate_user'])
    },
  )
})
