/**
 * Matching an identity to an existing account on every backend: user_name, then external_id,
 * then email (or the integration's own order); several candidates, or a candidate already linked
 * to another identity, is a disputed match that the plan reports and leaves alone.
 */
import { describe, expect, it } from 'vitest'
import { SCHEMA } from '../../src/scim/index.ts'
import { actions } from '../support/lcm-fixtures.ts'
import { type LcmWorld, lcmWorld, patchOps } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const sync = (attributes: string, identity?: string) =>
  `- sync_identity: { integration: app, ${identity ? `identity: ${identity}, ` : ''}attributes: { ${attributes} } }`

async function account(world: LcmWorld, userName: string, extra: Record<string, unknown> = {}) {
  const created = await world.client.users.create({ schemas: [SCHEMA.user], userName, ...extra })
  return String(created.id)
}

describe.each(testBackends())('matching on $name', (backend) => {
  const open = (label: string, options = {}) => lcmWorld(backend, `lcm-match-${label}`, options)

  it.skipIf(backend.skip !== undefined)(
    'user_name wins over external_id, which wins over email; the account found is updated, not duplicated',
    async () => {
      const world = await open('precedence')
      const byName = await account(world, 'ada@example.com', { externalId: 'E-2' })
      const byExternal = await account(world, 'ada.old@example.com', { externalId: 'E-1' })
      const byEmail = await account(world, 'a.lovelace', {
        emails: [{ value: 'ada@work.example', type: 'work', primary: true }],
      })
      await world.extract()

      const first = await world.plan(sync('user_name: ada@example.com, external_id: E-1, title: A'))
      expect(first.problems).toEqual([])
      expect(first.operations.map((op) => op.details.targetId)).toEqual([byName])

      const second = await world.plan(sync('user_name: ada.lovelace@example.com, external_id: E-1, title: A'))
      expect(second.operations.map((op) => op.details.targetId)).toEqual([byExternal])
      expect(patchOps(second)).toContainEqual({
        op: 'replace',
        path: 'userName',
        value: 'ada.lovelace@example.com',
      })

      const third = await world.plan(
        sync('user_name: lovelace@example.com, email: ADA@work.example, title: A'),
      )
      expect(third.operations.map((op) => op.details.targetId)).toEqual([byEmail])

      const none = await world.plan(
        sync('user_name: grace@example.com, external_id: E-9, email: g@example.com'),
      )
      expect(none.operations.map((op) => op.kind)).toEqual(['create_user'])

      const { failures } = await world.apply(
        sync('user_name: lovelace@example.com, email: ada@work.example, title: A'),
      )
      expect(failures).toEqual([])
      expect((await world.users()).map((u) => u.userName).sort()).toEqual([
        'ada.old@example.com',
        'ada@example.com',
        'lovelace@example.com',
      ])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'several accounts with the matching value is a disputed match, reported with its candidates and left alone',
    async () => {
      const world = await open('several')
      const one = await account(world, 'ada1', { emails: [{ value: 'ada@example.com', primary: true }] })
      const two = await account(world, 'ada2', { emails: [{ value: 'ada@example.com', primary: true }] })
      await world.extract()
      const list = actions(
        sync('user_name: ada@example.com, email: ada@example.com, title: Engineer'),
        sync('user_name: grace@example.com'),
      )
      const plan = await world.engine.plan(list)
      expect(plan.operations.map((op) => [op.kind, op.identity])).toEqual([
        ['create_user', 'grace@example.com'],
      ])
      expect(plan.problems).toEqual([
        {
          kind: 'disputed',
          integration: 'app',
          action: 'sync_identity',
          identity: 'ada@example.com',
          message: '2 accounts have email "ada@example.com"',
          candidates: expect.arrayContaining([`${one} (ada1)`, `${two} (ada2)`]),
        },
      ])
      const stored = await world.engine.store(plan, 'actions:test')
      const summary = await world.engine.execute(stored.runId)
      expect(summary.status).toBe('succeeded')
      const users = await world.users()
      expect(users.map((u) => u.userName).sort()).toEqual(['ada1', 'ada2', 'grace@example.com'])
      expect(users.filter((u) => u.title !== undefined)).toEqual([])
      // The dispute stays until someone resolves it: the next plan reports it again.
      expect((await world.engine.plan(list)).problems.map((p) => p.kind)).toEqual(['disputed'])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'an account already linked to another identity is disputed; the linked identity itself keeps matching it',
    async () => {
      const world = await open('linked')
      await world.extract()
      await world.apply(sync('user_name: ada@example.com, external_id: E-1', 'emp-1'))
      const ada = await world.user('ada@example.com')
      const links = await world.store.db.selectFrom('lcm_links').select(['identity', 'account_id']).execute()
      expect(links).toEqual([{ identity: 'emp-1', account_id: ada?.id }])

      const other = await world.plan(sync('user_name: ada@example.com, title: Imposter', 'emp-2'))
      expect(other.operations).toEqual([])
      expect(other.problems).toEqual([
        expect.objectContaining({
          kind: 'disputed',
          identity: 'ada@example.com',
          message: `the account with user_name "ada@example.com" is already linked to "emp-1"`,
        }),
      ])
      // The owner matches by its link even after the account's user name changed elsewhere.
      await world.client.users.patch(String(ada?.id), [
        { op: 'replace', path: 'userName', value: 'ada.l@example.com' },
      ])
      await world.extract()
      const owner = await world.plan(sync('user_name: ada.l@example.com, title: Engineer', 'emp-1'))
      expect(owner.problems).toEqual([])
      expect(owner.operations.map((op) => [op.kind, op.details.targetId])).toEqual([['update_user', ada?.id]])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    "the integration's matching list is the order used; attributes outside it never match",
    async () => {
      const world = await open('configured', { integration: ['    matching: [email]'] })
      const byEmail = await account(world, 'someone', {
        emails: [{ value: 'ada@example.com', primary: true }],
      })
      await account(world, 'ada@example.com')
      await world.extract()
      const plan = await world.plan(sync('user_name: ada@example.com, email: ada@example.com'))
      expect(plan.problems).toEqual([])
      expect(plan.operations.map((op) => op.details.targetId)).toEqual([byEmail])
    },
  )
})
