import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, type ProvisioConfig } from '../../src/config/index.ts'
import { LifecycleEngine } from '../../src/lcm/index.ts'
import { runPolicy } from '../../src/policy/policy-runner.ts'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { SCHEMA, ScimClient } from '../../src/scim/index.ts'
import type { Store } from '../../src/store/index.ts'
import { extractInto, TOKEN } from '../support/lcm-fixtures.ts'
import { runCli } from '../support/run-cli.ts'
import { openTestStore, testBackends } from '../support/test-databases.ts'

const HEADER = 'employee_id,first_name,last_name,email,department,title,status'

interface Bench {
  sandbox: Sandbox
  store: Store & { dispose(): Promise<void> }
  dir: string
  config: ProvisioConfig
  engine: LifecycleEngine
  client: ScimClient
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A sandbox, a store, and a policy `staff` over hr.csv; `policy` adds lines to the policy. */
async function bench(
  backend: ReturnType<typeof testBackends>[number],
  label: string,
  policy: string[],
  workflows: string[],
  rows: string[],
): Promise<Bench> {
  const sandbox = await startSandbox({ token: TOKEN })
  const store = await openTestStore(backend, label)
  const dir = await mkdtemp(join(tmpdir(), 'provisio-policy-features-'))
  const client = new ScimClient({ baseUrl: sandbox.url, auth: { bearer: TOKEN } })
  await writeFile(join(dir, 'hr.csv'), `${[HEADER, ...rows].join('\n')}\n`)
  await writeFile(
    join(dir, 'provisio.yaml'),
    [
      `database: 'sqlite::memory:'`,
      'secretKey: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'integrations:',
      '  app:',
      `    url: ${sandbox.url}`,
      `    auth: { bearer: ${TOKEN} }`,
      '    lifecycleManagement: true',
      'sources:',
      '  hr: { kind: csv, path: ./hr.csv, key: employee_id, leaver: \'status eq "terminated"\' }',
      'policies:',
      '  - name: staff',
      '    source: hr',
      ...policy.map((line) => `    ${line}`),
      '    workflows:',
      ...workflows.map((line) => `      ${line}`),
    ].join('\n'),
  )
  const config = await loadConfig(join(dir, 'provisio.yaml'), {})
  const engine = new LifecycleEngine({ db: store.db, config, actor: 'test', holder: 'test', bulk: false })
  cleanups.push(async () => {
    await engine.close()
    await client.close()
    await sandbox.close()
    await store.dispose()
  })
  return { sandbox, store, dir, config, engine, client }
}

const JOINER = [
  '- on: joiner',
  '  actions:',
  '    - sync_identity:',
  '        integration: app',
  '        attributes:',
  '          user_name: ["{email | lower}", "{first_name | lower}.{last_name | lower}@corp.example"]',
  '          display_name: "{first_name} {last_name}"',
  '          title: { value: "{title}", drift: revert }',
  '          department: { value: "{department}", drift: report }',
]

const apply = (b: Bench, reconcile = false) =>
  runPolicy(b.config.policies[0]!, {
    store: b.store,
    config: b.config,
    engine: b.engine,
    mode: 'apply',
    reconcile,
  })

describe.each(testBackends())('policy features on $name', (backend) => {
  it.skipIf(backend.skip !== undefined)(
    'a taken user name falls back to the next template, then to a numbered one',
    async () => {
      const b = await bench(backend, 'policy-fallbacks', [], JOINER, [
        'E1,Ada,Lovelace,ada@example.com,Eng,Engineer,active',
        'E2,Ada,Lovelace,ada.l@example.com,Eng,Engineer,active',
      ])
      // Someone else already holds ada@example.com and ada.lovelace@corp.example in the target.
      for (const userName of ['ada@example.com', 'ada.lovelace@corp.example']) {
        await b.client.users.create({ schemas: [SCHEMA.user], userName })
      }
      await extractInto(b.store, b.sandbox.url)
      const outcome = await apply(b)
      expect(outcome.run?.status).toBe('succeeded')
      const names = b.sandbox
        .users()
        .map((u) => u.userName)
        .sort()
      expect(names).toEqual([
        'ada.l@example.com',
        'ada.lovelace2@corp.example',
        'ada.lovelace@corp.example',
        'ada@example.com',
      ])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'dry_run records the plan as a run, sends nothing, and leaves the events for the active policy',
    async () => {
      const b = await bench(backend, 'policy-dry-run', ['state: dry_run'], JOINER, [
        'E1,Ada,Lovelace,ada@example.com,Eng,Engineer,active',
      ])
      await extractInto(b.store, b.sandbox.url)
      const before = b.sandbox.requestCount()
      const outcome = await apply(b)
      expect(outcome.run?.status).toBe('dry_run')
      expect(outcome.plan.operations.map((op) => op.kind)).toEqual(['create_user'])
      expect(b.sandbox.users()).toHaveLength(0)
      // Only discovery reads, no write.
      expect(b.sandbox.requestCount() - before).toBeLessThanOrEqual(3)
      const active = { ...b.config.policies[0]!, state: 'active' as const }
      const real = await runPolicy(active, {
        store: b.store,
        config: b.config,
        engine: b.engine,
        mode: 'apply',
      })
      expect(real.run?.status).toBe('succeeded')
      expect(b.sandbox.users().map((u) => u.userName)).toEqual(['ada@example.com'])
    },
  )

  it.skipIf(backend.skip !== undefined)("a policy's own limits hold the run for approval", async () => {
    const b = await bench(
      backend,
      'policy-limits',
      ['limits: { maxDeprovisions: 1 }'],
      [...JOINER, '- on: leaver', '  actions:', '    - deprovision_identity: { integration: app }'],
      [
        'E1,Ada,Lovelace,ada@example.com,Eng,Engineer,active',
        'E2,Alan,Turing,alan@example.com,Eng,Engineer,active',
        'E3,Grace,Hopper,grace@example.com,Eng,Engineer,active',
      ],
    )
    await extractInto(b.store, b.sandbox.url)
    await apply(b)
    await writeFile(
      join(b.dir, 'hr.csv'),
      `${HEADER}\nE3,Grace,Hopper,grace@example.com,Eng,Engineer,active\n`,
    )
    const outcome = await apply(b)
    expect(outcome.run?.status).toBe('awaiting_approval')
    expect(outcome.run?.breaches.map((x) => x.message)).toEqual([
      expect.stringContaining("above policy staff's maxDeprovisions 1"),
    ])
    expect(b.sandbox.users().every((u) => u.active !== false)).toBe(true)
    await b.engine.approve(outcome.run!.id)
    expect((await b.engine.execute(outcome.run!.id)).status).toBe('succeeded')
    expect(
      b.sandbox
        .users()
        .filter((u) => u.active === false)
        .map((u) => u.userName)
        .sort(),
    ).toEqual(['ada@example.com', 'alan@example.com'])
  })

  it.skipIf(backend.skip !== undefined)(
    'reconcile reverts drift, reports what it is told to, tolerates case, and finds orphans',
    async () => {
      const b = await bench(backend, 'policy-reconcile', [], JOINER, [
        'E1,Ada,Lovelace,ada@example.com,Eng,Engineer,active',
      ])
      await extractInto(b.store, b.sandbox.url)
      await apply(b)
      const ada = b.sandbox.users()[0]!
      // Changed by hand in the target: title (reverted), department (reported), display name case (tolerated).
      await b.client.users.patch(ada.id ?? '', [
        { op: 'replace', path: 'title', value: 'Intern' },
        { op: 'replace', path: `${SCHEMA.enterpriseUser}:department`, value: 'Sales' },
        { op: 'replace', path: 'displayName', value: 'ADA LOVELACE' },
      ])
      await b.client.users.create({ schemas: [SCHEMA.user], userName: 'mallory@example.com' })
      await extractInto(b.store, b.sandbox.url)
      const outcome = await apply(b, true)
      expect(outcome.plan.operations.map((op) => [op.kind, Object.keys(op.details.changes ?? {})])).toEqual([
        ['update_user', ['title']],
      ])
      expect(outcome.drift).toEqual([
        { integration: 'app', identity: 'E1', attribute: 'department', target: 'Sales', source: 'Eng' },
      ])
      expect(outcome.orphans).toEqual([{ integration: 'app', userName: 'mallory@example.com' }])
      expect(b.sandbox.users().find((u) => u.userName === 'ada@example.com')?.title).toBe('Engineer')
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'notify posts a JSON summary of what the actions before it did',
    async () => {
      const received: unknown[] = []
      const hook = createServer((request, response) => {
        let body = ''
        request.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        request.on('end', () => {
          received.push(JSON.parse(body))
          response.writeHead(204).end()
        })
      })
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
      cleanups.push(() => new Promise((resolve) => hook.close(() => resolve())))
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`
      const b = await bench(
        backend,
        'policy-notify',
        [],
        [...JOINER, `    - notify: { url: '${url}', on: success }`],
        ['E1,Ada,Lovelace,ada@example.com,Eng,Engineer,active'],
      )
      await extractInto(b.store, b.sandbox.url)
      const outcome = await apply(b)
      expect(outcome.notifications).toEqual([{ url, identity: 'E1', ok: true, detail: 'HTTP 204' }])
      expect(received).toEqual([
        expect.objectContaining({
          policy: 'staff',
          event: 'joiner',
          identity: 'E1',
          outcome: 'success',
          runId: outcome.run?.id,
          operations: [
            expect.objectContaining({ integration: 'app', kind: 'create_user', status: 'succeeded' }),
          ],
        }),
      ])
    },
  )
})

describe('provisio transform and plan --policy', () => {
  it('previews every transformer for one identity with attributes overridden, and plans without writing', {
    timeout: 90_000,
  }, async () => {
    const backend = testBackends()[0]!
    const b = await bench(backend, 'policy-cli', [], JOINER, [
      'E1,Zoë,Ångström,Zoe@Example.com,Eng,Engineer,active',
    ])
    const config = join(b.dir, 'provisio.yaml')
    const text = await readFile(config, 'utf8')
    await writeFile(config, text.replace("'sqlite::memory:'", `sqlite:${join(b.dir, 'p.db')}`))
    expect((await runCli(['--config', config, 'extract'])).code).toBe(0)
    const transform = await runCli([
      '--config',
      config,
      'transform',
      '--policy',
      'staff',
      '--identity',
      'E1',
      '--set',
      'title=Principal',
    ])
    expect(transform.code).toBe(0)
    expect(transform.stdout).toContain('app.user_name = "zoe@example.com"')
    expect(transform.stdout).toContain('app.title = "Principal"')
    const plan = await runCli(['--config', config, '--json', 'plan', '--policy', 'staff'])
    expect(plan.code).toBe(0)
    const parsed = JSON.parse(plan.stdout) as {
      operations: Array<{ method: string; path: string; body: { userName?: string } }>
    }
    expect(parsed.operations.map((op) => [op.method, op.path, op.body.userName])).toEqual([
      ['POST', '/Users', 'zoe@example.com'],
    ])
    expect(b.sandbox.users()).toHaveLength(0)
    // The plan wrote nothing: the same joiner is still there to plan.
    const again = JSON.parse(
      (await runCli(['--config', config, '--json', 'plan', '--policy', 'staff'])).stdout,
    ) as { operations: unknown[] }
    expect(again.operations).toHaveLength(1)
  })
})
