/**
 * `provisio plan`, `apply`, `runs`, `rollback` and `integrations resume` as a user runs them: the
 * real binary, a configuration file and a SQLite file in a temporary directory, a sandbox over
 * HTTP. JSON shapes, exit codes (0 ok, 1 failure, 2 usage), approval and quarantine, rollback, and
 * an audit row for every request with no secret anywhere in the database file.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, type SandboxRequestRecord, startSandbox } from '../../src/sandbox/index.ts'
import { openDatabase, type Store } from '../../src/store/index.ts'
import { runCli } from '../support/run-cli.ts'

const TOKEN = 'cli-lifecycle-token-e4f0a9'
const SECRET_KEY = 'c'.repeat(64)

type Json = Record<string, unknown>

function json<T>(text: string): T {
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error(`not JSON: ${text}`)
  }
}

const JOINERS = [
  '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, title: Engineer, email: ada@example.com } }',
  '- sync_identity: { integration: app, attributes: { user_name: grace@example.com } }',
  '- create_entitlement: { integration: app, group: { display_name: eng, members: [ada@example.com] } }',
  '- manage_relationships: { integration: app, user_name: grace@example.com, add: [eng] }',
]

// Each command is a child process compiling the sources through tsx: seconds each on a busy machine.
describe('provisio plan, apply, runs, rollback and integrations resume', { timeout: 180_000 }, () => {
  let dir: string
  let sandbox: Sandbox
  const log: SandboxRequestRecord[] = []
  const writes = () => log.filter((r) => r.method !== 'GET').length
  /** Called once when the next write reaches the sandbox. */
  let onNextWrite: (() => void) | undefined
  const cli = (...args: string[]) => runCli(['--config', join(dir, 'provisio.yaml'), ...args])
  const file = async (name: string, lines: string[]) => {
    await writeFile(join(dir, name), `${lines.join('\n')}\n`)
    return join(dir, name)
  }
  const withStore = async <T>(body: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openDatabase(`sqlite:${join(dir, 'provisio.db')}`)
    try {
      return await body(store)
    } finally {
      await store.close()
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provisio-cli-lcm-'))
    sandbox = await startSandbox({
      token: TOKEN,
      onRequest: (request) => {
        log.push(request)
        if (request.method === 'GET' || !onNextWrite) return
        onNextWrite()
        onNextWrite = undefined
      },
    })
    const integration = (name: string, extra: string[] = []) => [
      `  ${name}:`,
      `    url: ${sandbox.url}`,
      `    auth: { bearer: ${TOKEN} }`,
      '    lifecycleManagement: true',
      ...extra,
    ]
    await writeFile(
      join(dir, 'provisio.yaml'),
      [
        `database: sqlite:${join(dir, 'provisio.db')}`,
        `secretKey: ${SECRET_KEY}`,
        'integrations:',
        ...integration('app', ['    deprovision: delete']),
        ...integration('guarded', ['    limits: { deactivations: { perRun: 1 } }']),
        '',
      ].join('\n'),
    )
    const extracted = await cli('extract')
    expect(extracted.stderr).toBe('')
    expect(extracted.code).toBe(0)
  }, 60_000)
  afterAll(async () => {
    await sandbox?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('plan prints the operations, as text and as JSON, and writes nothing', async () => {
    const actions = await file('joiners.yaml', JOINERS)
    const [asJson, asText] = await Promise.all([
      cli('plan', '--actions', actions, '--json'),
      cli('plan', '--actions', actions),
    ])
    expect(asJson.code).toBe(0)
    const plan = json<{ operations: Json[]; summary: Json }>(asJson.stdout)
    expect(
      plan.operations.map(({ integration, action, method, path, identity }) => ({
        integration,
        action,
        method,
        path,
        identity,
      })),
    ).toEqual([
      {
        integration: 'app',
        action: 'sync_identity',
        method: 'POST',
        path: '/Users',
        identity: 'ada@example.com',
      },
      {
        integration: 'app',
        action: 'sync_identity',
        method: 'POST',
        path: '/Users',
        identity: 'grace@example.com',
      },
      { integration: 'app', action: 'create_entitlement', method: 'POST', path: '/Groups', identity: 'eng' },
      {
        integration: 'app',
        action: 'manage_relationships',
        method: 'PATCH',
        path: '/Groups/bulkId:op3',
        identity: 'grace@example.com',
      },
    ])
    expect(plan.operations[0]?.body).toMatchObject({ userName: 'ada@example.com', title: 'Engineer' })
    expect(plan.summary).toMatchObject({
      operations: 4,
      disputed: 0,
      errors: 0,
      byKind: { create_user: 2, create_group: 1, add_members: 1 },
    })
    expect(asText.code).toBe(0)
    expect(asText.stdout).toMatch(/POST\s+\/Users\s+create user: ada@example.com/)
    expect(asText.stdout).toMatch(/app: 4 operations in \d+ requests/)
    expect(writes()).toBe(0)
    expect(json<Json[]>((await cli('runs', '--json')).stdout)).toEqual([])
  })

  it('exits 2 naming line and column for a bad action file, and 1 for a plan with errors', async () => {
    const bad = await file('bad.yaml', [
      '- sync_identity: { integration: app, attributes: { user_name: a@example.com } }',
      '- sync_idenity: { integration: app }',
      '- deprovision_identity: { integration: app }',
    ])
    const refused = await cli('plan', '--actions', bad)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/bad\.yaml:2:3 .*unknown action "sync_idenity"/)
    expect(refused.stderr).toMatch(/bad\.yaml:3:\d+ .*user_name/)
    const missing = await cli('plan', '--actions', join(dir, 'nowhere.yaml'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/file not found/)

    const wrong = await file('wrong.yaml', [
      '- sync_identity: { integration: app, attributes: { user_name: a@example.com, shoe_size: 9 } }',
    ])
    const planned = await cli('plan', '--actions', wrong, '--json')
    expect(planned.code).toBe(1)
    expect(json<{ problems: Json[] }>(planned.stdout).problems).toEqual([
      expect.objectContaining({
        kind: 'error',
        message: expect.stringMatching(/shoe_size: no such attribute/),
      }),
    ])
    const applied = await cli('apply', '--actions', wrong, '--yes')
    expect(applied.code).toBe(1)
    expect(applied.stderr).toMatch(/the plan has errors \(above\); nothing was sent/)
    expect(writes()).toBe(0)
  })

  it('apply needs --yes without a terminal, then runs; runs and runs show report it', async () => {
    const actions = await file('joiners.yaml', JOINERS)
    const unconfirmed = await cli('apply', '--actions', actions)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/pass --yes to proceed/)
    expect(writes()).toBe(0)

    const applied = await cli('apply', '--actions', actions, '--yes', '--json')
    expect(applied.code).toBe(0)
    const run = json<{ id: string; status: string; counts: Json }>(
      applied.stdout.slice(applied.stdout.lastIndexOf('{\n  "id"')),
    )
    expect(run).toMatchObject({ status: 'succeeded', counts: { succeeded: 4 } })
    expect(
      sandbox
        .users()
        .map((u) => u.userName)
        .sort(),
    ).toEqual(['ada@example.com', 'grace@example.com'])

    const again = await cli('apply', '--actions', actions, '--yes', '--json')
    expect(again.code).toBe(0)
    expect(json<Json>(again.stdout)).toEqual({ id: null, status: 'nothing to do', operations: [] })

    const [list, shown, text] = await Promise.all([
      cli('runs', '--json'),
      cli('runs', 'show', run.id, '--json'),
      cli('runs', 'show', run.id),
    ])
    expect(json<Json[]>(list.stdout)).toEqual([
      expect.objectContaining({
        id: run.id,
        kind: 'apply',
        status: 'succeeded',
        operationCount: 4,
        counts: { succeeded: 4 },
      }),
    ])
    const detail = json<{ id: string; status: string; operations: Json[] }>(shown.stdout)
    expect(detail).toMatchObject({ id: run.id, status: 'succeeded' })
    expect(
      detail.operations.map((op) => [op.seq, op.kind, op.method, op.status, op.outcome, op.responseStatus]),
    ).toEqual([
      [1, 'create_user', 'POST', 'succeeded', 'created', 201],
      [2, 'create_user', 'POST', 'succeeded', 'created', 201],
      [3, 'create_group', 'POST', 'succeeded', 'created', 201],
      [4, 'add_members', 'PATCH', 'succeeded', 'changed', 200],
    ])
    expect(text.stdout).toMatch(new RegExp(`run ${run.id}: succeeded`))
    expect(text.stdout).toMatch(/✔\s+4\s+app\s+PATCH/)

    const resumed = await cli('apply', '--resume', run.id)
    expect(resumed.code).toBe(1)
    expect(resumed.stderr).toMatch(/has already ended \(succeeded\)/)
    const unknown = await cli('runs', 'show', 'no-such-run')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no run "no-such-run"/)
  })

  it('keeps an audit row for every request it sent, and no secret anywhere in the database file', async () => {
    const audit = await withStore((store) =>
      store.db.selectFrom('lcm_audit').selectAll().orderBy('at').execute(),
    )
    // One row per operation sent: a bulk request holds several.
    const sent = log
      .filter((r) => r.method !== 'GET')
      .flatMap((r) => (r.url.endsWith('/Bulk') ? (r.body as { Operations: unknown[] }).Operations : [r]))
    expect(audit).toHaveLength(sent.length)
    for (const row of audit) {
      expect(row.actor).toMatch(/@/)
      expect(row.method).toMatch(/^(POST|PATCH|PUT|DELETE)$/)
      expect(row.path).toMatch(/^\/(Users|Groups)/)
      expect(row.status).toBeGreaterThanOrEqual(200)
      expect(row.status).toBeLessThan(300)
    }
    expect(audit.map((row) => [row.method, row.path])).toEqual(
      expect.arrayContaining([
        ['POST', '/Users'],
        ['POST', '/Groups'],
      ]),
    )
    expect(JSON.parse(audit.find((row) => row.method === 'POST')?.request ?? '{}')).toMatchObject({
      userName: expect.any(String),
    })
    for (const name of await readdir(dir)) {
      if (!name.startsWith('provisio.db')) continue
      const bytes = await readFile(join(dir, name))
      expect(bytes.includes(TOKEN), `${name} holds the bearer token`).toBe(false)
      expect(bytes.includes(Buffer.from(TOKEN, 'utf16le'))).toBe(false)
    }
  })

  it('a run over a safety limit waits, sending nothing, until apply --approve runs it', async () => {
    const leavers = await file('leavers.yaml', [
      '- deprovision_identity: { integration: guarded, user_name: ada@example.com }',
      '- deprovision_identity: { integration: guarded, user_name: grace@example.com }',
    ])
    expect((await cli('extract', 'guarded')).code).toBe(0)
    const before = writes()
    const waiting = await cli('apply', '--actions', leavers, '--yes')
    expect(waiting.code).toBe(1)
    expect(waiting.stdout).toMatch(/exceeds safety limits and waits for approval; nothing was sent/)
    expect(waiting.stdout).toMatch(/2 deactivations on guarded in this run, above perRun 1/)
    const id = /provisio apply --approve (\S+)/.exec(waiting.stdout)?.[1] as string
    expect(writes()).toBe(before)
    const shown = json<{ status: string; limits: Json[] }>((await cli('runs', 'show', id, '--json')).stdout)
    expect(shown.status).toBe('awaiting_approval')
    expect(shown.limits).toEqual([expect.objectContaining({ kind: 'deactivations', count: 2, limit: 1 })])
    expect((await cli('apply', '--resume', id)).code).toBe(1)

    const approved = await cli('apply', '--approve', id, '--json')
    expect(approved.code).toBe(0)
    expect(json<Json>(approved.stdout)).toMatchObject({ id, status: 'succeeded' })
    expect(sandbox.users().map((u) => u.active)).toEqual([false, false])
  })

  it('a target refusing the credentials quarantines the run; integrations resume finishes it', async () => {
    const back = await file('back.yaml', [
      '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, active: true } }',
      '- sync_identity: { integration: app, attributes: { user_name: linus@example.com } }',
    ])
    // The credentials are revoked once the run has started: the first write gets through.
    onNextWrite = () => sandbox.setFaults({ statusRates: { 401: 1 } })
    const paused = await cli('apply', '--actions', back, '--yes', '--json', '--no-bulk')
    sandbox.setFaults(undefined)
    expect(paused.code).toBe(1)
    const run = json<{ id: string; status: string; quarantined: Json[] }>(paused.stdout)
    expect(run.status).toBe('quarantined')
    expect(run.quarantined).toEqual([
      { integration: 'app', reason: expect.stringMatching(/credentials refused/) },
    ])
    const health = json<Json[]>((await cli('runs', '--json')).stdout)
    expect(health[0]).toMatchObject({
      id: run.id,
      status: 'quarantined',
      counts: { succeeded: 1, pending: 1 },
    })

    const resumed = await cli('integrations', 'resume', 'app', '--json')
    expect(resumed.code).toBe(0)
    expect(json<Json>(resumed.stdout)).toMatchObject({
      integration: 'app',
      lifted: true,
      runs: [expect.objectContaining({ runId: run.id, status: 'succeeded' })],
    })
    expect(sandbox.users().find((u) => u.userName === 'linus@example.com')).toBeDefined()
  })

  it('rollback RUN shows the inverse plan and applies it as a new run', async () => {
    const before = sandbox
      .users()
      .map((u) => u.userName)
      .sort()
    const change = await file('change.yaml', [
      '- sync_identity: { integration: app, attributes: { user_name: newbie@example.com } }',
      '- sync_identity: { integration: app, attributes: { user_name: grace@example.com, title: Admiral } }',
      '- manage_relationships: { integration: app, user_name: grace@example.com, remove: [eng] }',
    ])
    const eng = () => sandbox.groups().find((g) => g.displayName === 'eng')?.members
    const members = eng()
    const applied = json<{ id: string }>((await cli('apply', '--actions', change, '--yes', '--json')).stdout)
    const preview = await cli('rollback', applied.id, '--json')
    expect(preview.code).toBe(2)
    expect(preview.stderr).toMatch(/pass --yes/)
    const rolled = await cli('rollback', applied.id, '--yes', '--json')
    expect(rolled.code).toBe(0)
    const result = json<{ id: string; status: string; rollbackOf: string }>(rolled.stdout)
    expect(result).toMatchObject({ status: 'succeeded', rollbackOf: applied.id })
    // `deprovision: delete`: the account the run created is gone again.
    expect(
      sandbox
        .users()
        .map((u) => u.userName)
        .sort(),
    ).toEqual(before)
    expect(sandbox.users().find((u) => u.userName === 'grace@example.com')?.title).toBeUndefined()
    expect(eng()).toEqual(members)
    const runs = json<Json[]>((await cli('runs', '--json')).stdout)
    expect(runs[0]).toMatchObject({
      id: result.id,
      kind: 'rollback',
      rollbackOf: applied.id,
      status: 'succeeded',
    })
  })
})
