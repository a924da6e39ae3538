import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import type { Store } from '../../src/store/index.ts'
import {
  actions,
  applyActions,
  extractInto,
  lifecycleConfig,
  lifecycleEngine,
  TOKEN,
} from '../support/lcm-fixtures.ts'
import { openTestStore, testBackends } from '../support/test-databases.ts'

describe.each(testBackends())('sync_identity on $name', (backend) => {
  let sandbox: Sandbox
  let store: Store & { dispose(): Promise<void> }
  beforeAll(async () => {
    if (backend.skip) return
    sandbox = await startSandbox({ token: TOKEN })
    store = await openTestStore(backend, 'lcm-sync-identity')
  })
  afterAll(async () => {
    await sandbox?.close()
    await store?.dispose()
  })

  it.skipIf(backend.skip !== undefined)(
    'creates an account, then updates only what differs, and a plan after apply is empty',
    async () => {
      await extractInto(store, sandbox.url)
      const config = lifecycleConfig(sandbox.url)
      const engine = lifecycleEngine(store, config)
      const ada = actions(
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      display_name: Ada Lovelace',
        '      given_name: Ada',
        '      family_name: Lovelace',
        '      email: ada@example.com',
        '      title: Engineer',
        '      department: R&D',
        '      phone_numbers: [{ value: "+44 20 1234", type: work }]',
      )
      const { plan, summary } = await applyActions(engine, ada)
      expect(plan.operations.map((op) => [op.kind, op.method, op.path])).toEqual([
        ['create_user', 'POST', '/Users'],
      ])
      expect(summary.status).toBe('succeeded')
      const created = sandbox.users().find((u) => u.userName === 'ada@example.com')
      expect(created).toMatchObject({
        displayName: 'Ada Lovelace',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        title: 'Engineer',
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        phoneNumbers: [{ value: '+44 20 1234', type: 'work' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      })
      expect((await engine.plan(ada)).operations).toEqual([])

      const moved = actions(
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      display_name: Ada Lovelace',
        '      title: Principal Engineer',
        '      department: Research',
        '      phone_numbers: [{ value: "+44 20 9999", type: work }, { value: "+44 7700 1", type: mobile }]',
      )
      const second = await applyActions(engine, moved)
      expect(second.plan.operations).toHaveLength(1)
      const body = second.plan.operations[0]?.body as { Operations: unknown[] }
      expect(body.Operations).toEqual([
        { op: 'replace', path: 'title', value: 'Principal Engineer' },
        {
          op: 'replace',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
          value: 'Research',
        },
        {
          op: 'replace',
          path: 'phoneNumbers[type eq "work"]',
          value: { value: '+44 20 9999', type: 'work' },
        },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+44 7700 1', type: 'mobile' }] },
      ])
      const updated = sandbox.users().find((u) => u.userName === 'ada@example.com')
      expect(updated?.title).toBe('Principal Engineer')
      expect(updated?.phoneNumbers).toEqual([
        { value: '+44 20 9999', type: 'work' },
        { value: '+44 7700 1', type: 'mobile' },
      ])
      expect((await engine.plan(moved)).operations).toEqual([])
    },
  )
})
