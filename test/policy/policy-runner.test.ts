import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type ProvisioConfig } from '../../src/config/index.ts'
import { LifecycleEngine } from '../../src/lcm/index.ts'
import { runPolicy } from '../../src/policy/policy-runner.ts'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import type { ScimUser } from '../../src/scim/index.ts'
import type { Store } from '../../src/store/index.ts'
import { extractInto, TOKEN } from '../support/lcm-fixtures.ts'
import { openTestStore, testBackends } from '../support/test-databases.ts'

const HEADER = 'employee_id,first_name,last_name,email,department,title,status'

function csv(...rows: string[]): string {
  return `${[HEADER, ...rows].join('\n')}\n`
}

function configText(url: string): string {
  return [
    "database: 'sqlite::memory:'",
    'secretKey: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'integrations:',
    '  app:',
    `    url: ${url}`,
    `    auth: { bearer: ${TOKEN} }`,
    '    lifecycleManagement: true',
    'sources:',
    '  hr: { kind: csv, path: ./hr.csv, key: employee_id, leaver: \'status eq "terminated"\' }',
    'policies:',
    '  - name: staff',
    '    source: hr',
    '    workflows:',
    '      - on: joiner',
    '        actions:',
    '          - sync_identity:',
    '              integration: app',
    '              attributes:',
    '                user_name: ["{email | lower}", "{first_name | lower}.{last_name | lower}@example.com"]',
    '                display_name: "{first_name} {last_name}"',
    '                given_name: "{first_name}"',
    '                family_name: "{last_name}"',
    '                email: "{email | lower}"',
    '                title: "{title}"',
    '                department: "{department}"',
    '          - manage_relationships:',
    '              integration: app',
    '              groups: [all-staff, "{department | lower}-team"]',
    '              createMissing: true',
    '      - on: mover',
    '        watch: [department, title]',
    '        actions:',
    '          - sync_identity: { integration: app, attributes: { title: "{title}", department: "{department}" } }',
    '          - manage_relationships:',
    '              integration: app',
    '              groups: [all-staff, "{department | lower}-team"]',
    '              createMissing: true',
    '      - on: leaver',
    '        actions:',
    '          - deprovision_identity: { integration: app }',
  ].join('\n')
}

describe.each(testBackends())('a policy on $name', (backend) => {
  let sandbox: Sandbox
  let store: Store & { dispose(): Promise<void> }
  let dir: string
  let config: ProvisioConfig
  let engine: LifecycleEngine
  beforeAll(async () => {
    if (backend.skip) return
    sandbox = await startSandbox({ token: TOKEN })
    store = await openTestStore(backend, 'policy-runner')
    dir = await mkdtemp(join(tmpdir(), 'provisio-policy-'))
    await writeFile(join(dir, 'provisio.yaml'), configText(sandbox.url))
    config = await loadConfig(join(dir, 'provisio.yaml'), {})
    engine = new LifecycleEngine({ db: store.db, config, actor: 'test', holder: 'test', bulk: false })
    await extractInto(store, sandbox.url)
  })
  afterAll(async () => {
    await engine?.close()
    await sandbox?.close()
    await store?.dispose()
  })

  const apply = async () => runPolicy(config.policies[0]!, { store, config, engine, mode: 'apply' })
  const user = (userName: string): ScimUser | undefined =>
    sandbox.users().find((u) => u.userName === userName)
  const groupsOf = (userName: string): string[] => {
    const id = user(userName)?.id
    return sandbox
      .groups()
      .filter((g) => ((g.members ?? []) as Array<{ value?: string }>).some((m) => m.value === id))
      .map((g) => String(g.displayName))
      .sort()
  }

  it.skipIf(backend.skip !== undefined)(
    'joiners, a mover, a hand-granted group, a leaver and a returning leaver end to end',
    async () => {
      await writeFile(
        join(dir, 'hr.csv'),
        csv(
          'E1,Ada,Lovelace,Ada@Example.com,Engineering,Engineer,active',
          'E2,Alan,Turing,alan@example.com,Research,Scientist,active',
        ),
      )
      const planned = await runPolicy(config.policies[0]!, { store, config, engine, mode: 'plan' })
      expect(planned.identities.map((i) => [i.key, i.event])).toEqual([
        ['E1', 'joiner'],
        ['E2', 'joiner'],
      ])
      expect(planned.run).toBeUndefined()
      expect(sandbox.users()).toHaveLength(0)

      const joined = await apply()
      expect(joined.run?.status).toBe('succeeded')
      expect(user('ada@example.com')).toMatchObject({ displayName: 'Ada Lovelace', title: 'Engineer' })
      expect(groupsOf('ada@example.com')).toEqual(['all-staff', 'engineering-team'])
      expect(groupsOf('alan@example.com')).toEqual(['all-staff', 'research-team'])
      // Nothing changed in the source: nothing to do.
      expect((await apply()).plan.operations).toEqual([])

      // A group granted by hand in the target is not the policy's to take away.
      const research = sandbox.groups().find((g) => g.displayName === 'research-team')!
      await fetch(`${sandbox.url}/Groups/${research.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value: user('ada@example.com')?.id }] }],
        }),
      })
      await extractInto(store, sandbox.url)

      await writeFile(
        join(dir, 'hr.csv'),
        csv(
          'E1,Ada,Lovelace,Ada@Example.com,Sales,Account Executive,active',
          'E2,Alan,Turing,alan@example.com,Research,Scientist,terminated',
        ),
      )
      const moved = await apply()
      expect(moved.identities.map((i) => [i.key, i.event])).toEqual([
        ['E1', 'mover'],
        ['E2', 'leaver'],
      ])
      expect(moved.run?.status).toBe('succeeded')
      expect(user('ada@example.com')).toMatchObject({ title: 'Account Executive' })
      expect(groupsOf('ada@example.com')).toEqual(['all-staff', 'research-team', 'sales-team'])
      expect(user('alan@example.com')?.active).toBe(false)
      expect(groupsOf('alan@example.com')).toEqual([])

      await writeFile(
        join(dir, 'hr.csv'),
        csv(
          'E1,Ada,Lovelace,Ada@Example.com,Sales,Account Executive,active',
          'E2,Alan,Turing,alan@example.com,Research,Scientist,active',
        ),
      )
      const returned = await runPolicy(config.policies[0]!, { store, config, engine, mode: 'apply' })
      expect(returned.identities.map((i) => [i.key, i.event, i.reason])).toEqual([
        ['E2', 'joiner', 'returned'],
      ])
      expect(user('alan@example.com')?.active).toBe(true)
      expect(groupsOf('alan@example.com')).toEqual(['all-staff', 'research-team'])
      expect(sandbox.users()).toHaveLength(2)
    },
  )
})
