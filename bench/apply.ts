/**
 * `npm run bench -- apply`: 10,000 joiners (a create and two group memberships each, into 20
 * pre-created groups that grow to 1,000 members) applied to the sandbox by the lifecycle engine
 * (plan, store, execute into a SQLite file) without Bulk and with Bulk, beside a bare keep-alive
 * undici loop sending the same requests at the same concurrency; then the time to plan 100,000
 * identities against a graph of 100,000 accounts.
 *
 * What is compared: an operation is one planned operation (a create or a membership add), and the
 * bare loop sends exactly the requests the non-Bulk plan holds, as Provisio sends them (POST
 * /Users, then one PATCH /Groups/{id} per membership, in each joiner's order; checked against
 * Provisio's first requests of each kind), so Provisio's operations/s and the bare loop's
 * requests/s count the same work. Provisio's own extra requests (look-ups before creates on a
 * target not known to answer 409), its planning, storing and journaling count against it. Every
 * mode gets a fresh sandbox in its own process (after the same warm-up), and Provisio a fresh
 * SQLite store and an untimed extraction first. The figures are the best of BENCH_ROUNDS rounds.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Pool } from 'undici'
import { seededGroupId } from '../src/sandbox/seed.ts'
import { addMemberBody, joinerBody, joinerGroups } from './apply-workload.ts'
import { reportFigure } from './report.ts'
import { type SandboxProcess, spawnSandbox } from './sandbox-process.ts'

// Smaller sizes (BENCH_JOINERS=2000 BENCH_IDENTITIES=20000) are for iterating.
const JOINERS = Number(process.env.BENCH_JOINERS ?? 10_000)
// Groups the joiners are spread over: 20 grow to 2·JOINERS/20 = 1,000 members each.
const GROUPS = Number(process.env.BENCH_GROUPS ?? 20)
const CONCURRENCY = 16
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)
const PLAN_ROUNDS = 3
// A fresh sandbox serves its first thousand requests several times slower while V8 compiles its
// paths: every apply mode's sandbox first takes the same warm-up joiners (in a group of their own).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000)
// Extra node flags for the Provisio child, e.g. BENCH_CHILD_FLAGS=--cpu-prof to profile it.
const CHILD_FLAGS = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean)
const ONLY = new Set((process.env.BENCH_ONLY ?? 'bare,single,bulk,plan').split(','))

interface ApplyResult {
  seconds: number
  planSeconds: number
  storeSeconds: number
  executeSeconds: number
  cpuSeconds: number
  operations: number
  kinds: Record<string, number>
  status: string
  requests: Record<string, number>
  firstRequests: Record<string, { query: unknown; body: unknown }>
  peakRssMb: number
}

interface PlanResult {
  rounds: Array<{ seconds: number; cpuSeconds: number }>
  extractSeconds: number
  operations: number
  kinds: Record<string, number>
  unchanged: number
  problems: number
  peakRssMb: number
}

/** The query Provisio sends with a membership PATCH (none: it takes the group back whole). */
const PATCH_QUERY: Record<string, string> = {}

const queryString = (query: Record<string, string>): string => {
  const text = new URLSearchParams(query).toString()
  return text === '' ? '' : `?${text}`
}

const log = (line: string) => process.stderr.write(`${line}\n`)

/**
 * Runs apply-child.ts with `args`; `onPhase` hears the phases it announces (a line `{"phase":…}`)
 * so the sandbox's CPU can be read around the timed part. Resolves with its last line.
 */
async function child<T>(args: string[], onPhase: (phase: string) => Promise<void>): Promise<T> {
  const running = spawn(
    process.execPath,
    [...CHILD_FLAGS, '--import', 'tsx', 'bench/apply-child.ts', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const exited = new Promise<number | null>((resolve) => running.once('exit', resolve))
  let last = ''
  for await (const line of createInterface({ input: running.stdout })) {
    const parsed = JSON.parse(line) as { phase?: string }
    if (parsed.phase) await onPhase(parsed.phase)
    else last = line
  }
  const code = await exited
  if (code !== 0) throw new Error(`apply-child ${args[0]} exited with ${code}`)
  return JSON.parse(last) as T
}

/** A keep-alive pool to a sandbox, with the requests the bare loop and the checks make. */
function bareClient(url: string, token: string) {
  const origin = new URL(url)
  const basePath = origin.pathname.replace(/\/$/, '')
  const pool = new Pool(origin.origin, { connections: CONCURRENCY, pipelining: 1 })
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/scim+json, application/json',
    'content-type': 'application/scim+json',
  }
  const send = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => {
    const response = await pool.request({
      method,
      path: `${basePath}${path}`,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.body.text()
    if (response.statusCode >= 300)
      throw new Error(`${method} ${path} answered ${response.statusCode}: ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined
  }
  return { send, close: () => pool.close() }
}

/** The same requests as the non-Bulk plan, each joiner's in order, CONCURRENCY joiners at a time. */
async function bareLoop(url: string, token: string, createsOnly: boolean): Promise<number> {
  const client = bareClient(url, token)
  let next = 0
  const lane = async () => {
    while (next < JOINERS) {
      next += 1
      const i = next
      const created = await client.send('POST', '/Users', joinerBody(i))
      if (createsOnly) continue
      const id = String(created?.id)
      for (const g of joinerGroups(i, GROUPS)) {
        await client.send(
          'PATCH',
          `/Groups/${seededGroupId(g)}${queryString(PATCH_QUERY)}`,
          addMemberBody(id),
        )
      }
    }
  }
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await client.close()
  return seconds
}

/** Creates WARMUP users, each added to a group of their own, CONCURRENCY at a time. */
async function warmUp(url: string, token: string): Promise<void> {
  const client = bareClient(url, token)
  const group = await client.send('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Warm-up',
  })
  let next = 0
  const lane = async () => {
    while (next < WARMUP) {
      next += 1
      const email = `warmup${next}@example.com`
      const body = {
        ...joinerBody(next),
        userName: email,
        externalId: `W${next}`,
        emails: [{ value: email }],
      }
      const created = await client.send('POST', '/Users', body)
      await client.send(
        'PATCH',
        `/Groups/${String(group?.id)}${queryString(PATCH_QUERY)}`,
        addMemberBody(String(created?.id)),
      )
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  await client.close()
}

/** Checks the sandbox holds every joiner and every membership. */
async function verify(url: string, token: string, memberships: boolean): Promise<void> {
  const client = bareClient(url, token)
  try {
    const users = await client.send('GET', '/Users?count=0')
    if (users?.totalResults !== JOINERS + WARMUP)
      throw new Error(`sandbox holds ${users?.totalResults} users`)
    if (!memberships) return
    let total = 0
    for (let g = 1; g <= GROUPS; g++) {
      const group = await client.send('GET', `/Groups/${seededGroupId(g)}?attributes=members`)
      total += (group?.members as unknown[] | undefined)?.length ?? 0
    }
    if (total !== 2 * JOINERS) throw new Error(`sandbox holds ${total} memberships, not ${2 * JOINERS}`)
  } finally {
    await client.close()
  }
}

async function withSandbox<T>(
  args: string[],
  task: (sandbox: SandboxProcess) => Promise<T>,
  warm = true,
): Promise<T> {
  const sandbox = await spawnSandbox(args)
  try {
    if (warm) await warmUp(sandbox.url, sandbox.token)
    return await task(sandbox)
  } finally {
    await sandbox.stop()
  }
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  )

interface ModeResult {
  rate: number
  cpuSeconds: number
  peakRssMb?: number
}

/** The bare loop on a fresh sandbox (and, for comparison only, the creates alone on another). */
async function runBare(round: number): Promise<ModeResult> {
  const groupsArgs = ['--seed-groups', String(GROUPS)]
  const creates = await withSandbox(groupsArgs, async ({ url, token }) => {
    const seconds = await bareLoop(url, token, true)
    await verify(url, token, false)
    return seconds
  })
  const bare = await withSandbox(groupsArgs, async (sandbox) => {
    const sandboxCpu = await sandbox.cpuSeconds()
    const own = process.cpuUsage()
    const seconds = await bareLoop(sandbox.url, sandbox.token, false)
    const cpu = process.cpuUsage(own)
    const result = {
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      sandboxCpu: (await sandbox.cpuSeconds()) - sandboxCpu,
    }
    await verify(sandbox.url, sandbox.token, true)
    return result
  })
  const requests = 3 * JOINERS
  log(
    `round ${round + 1} bare loop: ${requests} requests in ${bare.seconds.toFixed(2)} s = ${Math.round(requests / bare.seconds)}/s (CPU ${bare.cpuSeconds.toFixed(1)} s, sandbox's ${bare.sandboxCpu.toFixed(1)} s); the creates alone: ${Math.round(JOINERS / creates)}/s`,
  )
  return { rate: requests / bare.seconds, cpuSeconds: bare.cpuSeconds }
}

/** Provisio applying the joiners, in a child process, to a fresh sandbox and store. */
async function runProvisio(mode: 'single' | 'bulk', round: number, folder: string): Promise<ModeResult> {
  const operations = 3 * JOINERS
  const result = await withSandbox(['--seed-groups', String(GROUPS)], async (sandbox) => {
    const cpu: Record<string, number> = {}
    const got = await child<ApplyResult>(
      [
        'apply',
        sandbox.url,
        sandbox.token,
        join(folder, `apply-${mode}-${round}.db`),
        String(JOINERS),
        String(GROUPS),
        String(CONCURRENCY),
        mode,
      ],
      async (phase) => {
        cpu[phase] = await sandbox.cpuSeconds()
      },
    )
    await verify(sandbox.url, sandbox.token, true)
    return { ...got, sandboxCpu: (cpu.end ?? 0) - (cpu.start ?? 0) }
  })
  if (
    result.status !== 'succeeded' ||
    result.operations !== operations ||
    result.kinds.create_user !== JOINERS
  )
    throw new Error(`${mode} apply: ${result.status}, ${JSON.stringify(result.kinds)}`)
  if (mode === 'single') checkSameRequests(result.firstRequests)
  log(
    `round ${round + 1} provisio ${mode === 'bulk' ? 'with' : 'without'} Bulk: ${operations} operations in ${result.seconds.toFixed(2)} s = ${Math.round(operations / result.seconds)}/s (plan ${result.planSeconds.toFixed(2)} s, store ${result.storeSeconds.toFixed(2)} s, execute ${result.executeSeconds.toFixed(2)} s; CPU ${result.cpuSeconds.toFixed(1)} s, sandbox's ${result.sandboxCpu.toFixed(1)} s); requests ${JSON.stringify(result.requests)}; peak RSS ${Math.round(result.peakRssMb)} MB`,
  )
  return { rate: operations / result.seconds, cpuSeconds: result.cpuSeconds, peakRssMb: result.peakRssMb }
}

/** The faster of two results (the other benchmarks report the best round too). */
function faster(a: ModeResult | undefined, b: ModeResult): ModeResult {
  return a && a.rate >= b.rate ? a : b
}

/** The number of the joiner a create is for (from its user name). */
function joinerNumber(body: unknown): number {
  const userName = String((body as { userName?: unknown } | undefined)?.userName)
  return Number(/^joiner(\d+)@/.exec(userName)?.[1] ?? 0)
}

/**
 * The bare loop must send what Provisio sends, or the ratio compares different work: its first
 * create and membership add, as Provisio's transport got them, against the bare loop's.
 */
function checkSameRequests(sent: ApplyResult['firstRequests']): void {
  const create = sent['POST Users']
  const add = sent['PATCH Groups']
  const member = (add?.body as { Operations?: Array<{ value?: Array<{ value?: string }> }> } | undefined)
    ?.Operations?.[0]?.value?.[0]?.value
  const same =
    create !== undefined &&
    add !== undefined &&
    canonical(create.body) === canonical(joinerBody(joinerNumber(create.body))) &&
    canonical(create.query) === canonical({}) &&
    canonical(add.body) === canonical(addMemberBody(String(member))) &&
    canonical(add.query) === canonical(PATCH_QUERY)
  if (!same) {
    throw new Error(
      `the bare loop no longer sends what Provisio sends (update bareLoop): ${JSON.stringify(sent)}`,
    )
  }
}

/** Planning 100,000 identities against the graph extracted from a sandbox seeded with as many users. */
async function runPlan(folder: string): Promise<void> {
  const plan = await withSandbox(
    ['--seed-users', String(IDENTITIES)],
    ({ url, token }) =>
      child<PlanResult>(
        ['plan', url, token, join(folder, 'plan.db'), String(IDENTITIES), String(PLAN_ROUNDS)],
        async () => {},
      ),
    false,
  )
  log(
    `plan: ${IDENTITIES} identities against ${IDENTITIES} accounts (extracted in ${plan.extractSeconds.toFixed(1)} s): ${plan.rounds.map((r) => `${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s)`).join(', ')}; ${plan.operations} operations ${JSON.stringify(plan.kinds)}, ${plan.unchanged} unchanged, ${plan.problems} problems; peak RSS ${Math.round(plan.peakRssMb)} MB`,
  )
  if (plan.problems > 0) throw new Error(`plan had ${plan.problems} problems`)
  const best = plan.rounds.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  const round2 = (n: number) => Math.round(n * 100) / 100
  process.stdout.write(
    `${JSON.stringify({ bench: 'plan', unit: 's', provisio: round2(best.seconds), cpu_s: round2(best.cpuSeconds), first: round2(plan.rounds[0]?.seconds ?? 0), identities: IDENTITIES, peak_rss_mb: Math.round(plan.peakRssMb) })}\n`,
  )
}

/** Runs the apply and plan benchmarks and prints their figures. */
export async function runApplyBenchmark(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'provisio-bench-apply-'))
  const best: Partial<Record<'bare' | 'single' | 'bulk', ModeResult>> = {}
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (ONLY.has('bare')) best.bare = faster(best.bare, await runBare(round))
      for (const mode of ['single', 'bulk'] as const) {
        if (ONLY.has(mode)) best[mode] = faster(best[mode], await runProvisio(mode, round, folder))
      }
    }
    const cpu = (r: ModeResult) => ({ cpu_s: Math.round(r.cpuSeconds * 10) / 10 })
    if (best.single && best.bare) {
      reportFigure({
        bench: 'apply',
        unit: 'ops/s',
        provisio: best.single.rate,
        baseline: best.bare.rate,
        ...(best.single.peakRssMb === undefined ? {} : { peak_rss_mb: best.single.peakRssMb }),
        extra: cpu(best.single),
      })
    }
    if (best.bulk && best.single) {
      reportFigure({
        bench: 'apply-bulk',
        unit: 'ops/s',
        provisio: best.bulk.rate,
        baseline: best.single.rate,
        ...(best.bulk.peakRssMb === undefined ? {} : { peak_rss_mb: best.bulk.peakRssMb }),
        extra: cpu(best.bulk),
      })
    }
    if (ONLY.has('plan')) await runPlan(folder)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
