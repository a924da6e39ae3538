/**
 * `kill -9` at random points of `provisio apply`, then `provisio apply --resume RUN`: the real
 * binary in a child process, its store a SQLite file in a temporary directory, the sandbox (with
 * some latency) in this process so it outlives the kill. Every operation ends applied exactly
 * once: each account created by one request, each membership added by one, none missing, and the
 * run succeeded.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type SandboxRequestRecord, startSandbox } from '../../src/sandbox/index.ts'
import { SCHEMA, ScimClient } from '../../src/scim/index.ts'
import { runCli } from '../support/run-cli.ts'

const TOKEN = 'kill-test-token-51ad'
const PEOPLE = 30
const GROUPS = ['red', 'green', 'blue', 'gold']
const BIN = new URL('../../bin/provisio.js', import.meta.url).pathname
const WRITES = PEOPLE * 3

const teamsOf = (i: number) => [GROUPS[i % GROUPS.length], GROUPS[(i + 1) % GROUPS.length]] as string[]

function actionFile(): string {
  const lines: string[] = []
  for (let i = 0; i < PEOPLE; i += 1) {
    lines.push(
      `- sync_identity: { integration: app, attributes: { user_name: k${i}@example.com, title: T${i} } }`,
      `- manage_relationships: { integration: app, user_name: k${i}@example.com, add: [${teamsOf(i).join(', ')}] }`,
    )
  }
  return `${lines.join('\n')}\n`
}

interface Bench {
  dir: string
  config: string
  log: SandboxRequestRecord[]
  /** Resolves once `count` writes (POST, PATCH, DELETE) reached the sandbox. */
  writesReached(count: number): Promise<void>
  client: ScimClient
}

async function bench(bulkMaxOperations: number): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'provisio-kill-'))
  const log: SandboxRequestRecord[] = []
  const waiting: Array<{ count: number; resolve: () => void }> = []
  const writes = () => log.filter((r) => r.method !== 'GET').length
  const sandbox = await startSandbox({
    token: TOKEN,
    faults: { latencyMs: { min: 5, max: 40 } },
    bulkMaxOperations,
    onRequest: (request) => {
      log.push(request)
      for (const w of waiting.splice(0)) {
        if (writes() >= w.count) w.resolve()
        else waiting.push(w)
      }
    },
  })
  const client = new ScimClient({ baseUrl: sandbox.url, auth: { bearer: TOKEN } })
  onTestFinished(async () => {
    await client.close()
    await sandbox.close()
    await rm(dir, { recursive: true, force: true })
  })
  await client.discover({ schemas: false })
  for (const name of GROUPS) await client.groups.create({ schemas: [SCHEMA.group], displayName: name })
  log.length = 0
  const config = join(dir, 'provisio.yaml')
  await writeFile(
    config,
    [
      `database: sqlite:${join(dir, 'provisio.db')}`,
      `secretKey: ${'b'.repeat(64)}`,
      'integrations:',
      '  app:',
      `    url: ${sandbox.url}`,
      `    auth: { bearer: ${TOKEN} }`,
      '    lifecycleManagement: true',
      '    rateLimit: { concurrency: 4 }',
      '',
    ].join('\n'),
  )
  await writeFile(join(dir, 'actions.yaml'), actionFile())
  return {
    dir,
    config,
    log,
    client,
    writesReached: (count) =>
      new Promise((resolve) => {
        if (writes() >= count) resolve()
        else waiting.push({ count, resolve })
      }),
  }
}

/** Starts `provisio …args` and kills it with SIGKILL once `writes` writes reached the sandbox. */
async function killAfter(b: Bench, writes: number, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [BIN, '--config', b.config, ...args], { stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const reached = b.writesReached(writes).then(() => 'reached' as const)
  const first = await Promise.race([reached, exited.then(() => 'exited' as const)])
  if (first === 'reached') child.kill('SIGKILL')
  await exited
}

async function cliJson<T>(b: Bench, ...args: string[]): Promise<T> {
  const result = await runCli(['--config', b.config, ...args, '--json'])
  if (result.code !== 0) throw new Error(`provisio ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** The account creates and membership adds that reached the sandbox, bulk requests opened up. */
function writesReceived(log: readonly SandboxRequestRecord[], ids: ReadonlyMap<string, string>) {
  const creates: string[] = []
  const adds: string[] = []
  type Op = { method: string; path: string; bulkId?: string; data?: unknown }
  for (const request of log) {
    const bulk = request.url.endsWith('/Bulk')
    if (bulk && request.status !== 200) continue
    const ops: Op[] = bulk
      ? (request.body as { Operations: Op[] }).Operations
      : [{ method: request.method, path: request.url.split('/scim/v2')[1] ?? '', data: request.body }]
    const refs = new Map<string, string>()
    for (const op of ops) {
      if (op.method !== 'POST' || !op.path.startsWith('/Users')) continue
      const userName = (op.data as { userName: string }).userName
      creates.push(userName)
      if (op.bulkId) refs.set(`bulkId:${op.bulkId}`, ids.get(userName) ?? userName)
    }
    for (const op of ops) {
      if (op.method !== 'PATCH' || (!bulk && request.status >= 300)) continue
      const group = op.path.split('/Groups/')[1]?.split('?')[0]
      for (const change of (op.data as { Operations: Array<{ op: string; value?: unknown }> }).Operations) {
        if (change.op !== 'add') continue
        for (const member of change.value as Array<{ value: string }>) {
          adds.push(`${group}>${refs.get(member.value) ?? member.value}`)
        }
      }
    }
  }
  return { creates, adds }
}

describe('provisio apply killed with SIGKILL and resumed', () => {
  // Where the kills land, as a share of the writes: after the first, early, half way, late.
  const at = (share: number, writes: number) =>
    Math.max(1, Math.min(writes - 2, Math.round(share * writes + (Math.random() - 0.5) * 0.1 * writes)))
  const cases = [
    { mode: 'single', share: 0, again: 0.5 },
    { mode: 'single', share: 0.4, again: 0.8 },
    { mode: 'single', share: 0.85, again: 0.9 },
    { mode: 'bulk', share: 0.4, again: 0.8 },
  ]

  it.each(cases)(
    '$mode requests, killed at $share of the writes and again on resume, end with each operation applied once',
    { timeout: 180_000 },
    async ({ mode, share, again }) => {
      const bulk = mode === 'bulk'
      // Bulk requests of 8 operations: a dozen requests to land the kills between.
      const b = await bench(bulk ? 8 : 1000)
      const writes = bulk ? Math.ceil(WRITES / 8) : WRITES
      const flags = bulk ? [] : ['--no-bulk']
      expect((await runCli(['--config', b.config, 'extract', 'app'])).code).toBe(0)

      const first = at(share, writes)
      await killAfter(b, first, ['apply', '--actions', join(b.dir, 'actions.yaml'), '--yes', ...flags])
      const runs = await cliJson<Array<{ id: string; status: string }>>(b, 'runs')
      expect(runs).toHaveLength(1)
      const runId = runs[0]?.id as string
      expect(runs[0]?.status).toBe('running')

      // The first resume is killed too, further on.
      const sent = b.log.filter((r) => r.method !== 'GET').length
      const second = Math.max(sent + 1, at(again, writes))
      if (second < writes) await killAfter(b, second, ['apply', '--resume', runId, ...flags])
      const t0 = performance.now()
      const resumed = await cliJson<{ id: string; status: string }>(b, 'apply', '--resume', runId, ...flags)
      expect(resumed).toMatchObject({ id: runId, status: 'succeeded' })
      console.info(
        `${mode}: killed after ${first} and ${second} of ${writes} write requests; resumed in ${Math.round(performance.now() - t0)} ms`,
      )

      const shown = await cliJson<{ status: string; operations: Array<{ status: string; outcome: string }> }>(
        b,
        'runs',
        'show',
        runId,
      )
      expect(shown.status).toBe('succeeded')
      expect(shown.operations).toHaveLength(WRITES)
      expect(shown.operations.filter((op) => op.status !== 'succeeded')).toEqual([])
      // The kills caught requests in flight: those were checked against the target, not sent again.
      expect(
        shown.operations.filter((op) => /found before sending again|already applied/.test(op.outcome)),
      ).not.toEqual([])

      // The target: every account once, every group exactly its planned members, once each.
      const users = new Map<string, string>()
      for await (const user of b.client.users.list()) users.set(String(user.userName), String(user.id))
      expect(users.size).toBe(PEOPLE)
      const planned: string[] = []
      for await (const group of b.client.groups.list()) {
        const members = ((group.members ?? []) as Array<{ value: string }>).map((m) => m.value).sort()
        const wanted = []
        for (let i = 0; i < PEOPLE; i += 1) {
          if (!teamsOf(i).includes(String(group.displayName))) continue
          wanted.push(users.get(`k${i}@example.com`))
          planned.push(`${group.id}>${users.get(`k${i}@example.com`)}`)
        }
        expect(members).toEqual(wanted.sort())
      }
      // What reached the sandbox: one create per account, one add per membership, nothing twice.
      const received = writesReceived(b.log, users)
      expect(received.creates.sort()).toEqual([...users.keys()].sort())
      expect(received.adds.sort()).toEqual(planned.sort())
    },
  )
})
