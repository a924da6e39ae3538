/**
 * One Provisio side of `npm run bench -- apply`, in its own process so its peak RSS is its own:
 *   apply URL TOKEN DB JOINERS GROUPS CONCURRENCY bulk|single   joiners through plan, store, execute
 *   plan URL TOKEN DB IDENTITIES ROUNDS                          plan sync_identity for every identity
 * Both start from a fresh SQLite file and one extraction (lifecycle management needs one). Prints
 * one JSON line of results.
 */
import { type ProvisioConfig, parseConfig } from '../src/config/index.ts'
import { runExtraction } from '../src/extract/run-extraction.ts'
import { type LifecycleAction, LifecycleEngine } from '../src/lcm/index.ts'
import { ScimClient } from '../src/scim/index.ts'
import { openDatabase, type Store } from '../src/store/index.ts'
import { createIntegrationClient } from '../src/vendors/integration-client.ts'
import { groupName, joinerAttributes, joinerGroups, planIdentityAttributes } from './apply-workload.ts'

const INTEGRATION = 'app'
const [mode, url, token, databaseFile, ...rest] = process.argv.slice(2)
if (!mode || !url || !token || !databaseFile) throw new Error('usage: apply-child apply|plan URL TOKEN DB …')

function configFor(concurrency: number): ProvisioConfig {
  return parseConfig(
    [
      `database: 'sqlite:${databaseFile}'`,
      'secretKey: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'integrations:',
      `  ${INTEGRATION}:`,
      `    url: ${url}`,
      `    auth: { bearer: ${token} }`,
      '    lifecycleManagement: true',
      `    rateLimit: { concurrency: ${concurrency} }`,
      // 30,000 planned operations is over the default per-run cap (10,000) this bench is not about.
      '    limits: { maxOperations: 1000000 }',
    ].join('\n'),
    'provisio.yaml',
    {},
  )
}

async function extract(store: Store): Promise<void> {
  const client = new ScimClient({
    baseUrl: url as string,
    auth: { bearer: token as string },
    integration: INTEGRATION,
  })
  try {
    const summary = await runExtraction(
      store.db,
      { integration: INTEGRATION, client, groups: true, extensionSchemas: false },
      { mode: 'full' },
    )
    if (summary.status !== 'succeeded') throw new Error(`extraction ${summary.status}: ${summary.error}`)
  } finally {
    await client.close()
  }
}

/** Requests by method and endpoint, counted at the client's transport (bench instrumentation only). */
const requests: Record<string, number> = {}
/** The first request of each kind as sent, for the parent to check the bare loop sends the same. */
const firstRequests: Record<string, { query: unknown; body: unknown }> = {}
function countingClient(config: ProvisioConfig['integrations'][string]): ScimClient {
  const client = createIntegrationClient(config)
  const transport = client.transport
  const send = transport.request.bind(transport)
  transport.request = (req) => {
    const key = `${req.method} ${req.path.split('/')[1] ?? ''}`
    requests[key] = (requests[key] ?? 0) + 1
    firstRequests[key] ??= { query: req.query ?? {}, body: req.body }
    return send(req)
  }
  return client
}

function engineFor(store: Store, config: ProvisioConfig, bulk: boolean): LifecycleEngine {
  return new LifecycleEngine({
    db: store.db,
    config,
    actor: 'bench@apply',
    holder: `bench-${process.pid}`,
    bulk,
    clientFor: countingClient,
  })
}

/** Tells the parent a phase begins (it reads the sandbox's CPU time then). */
function phase(name: string): void {
  process.stdout.write(`${JSON.stringify({ phase: name })}\n`)
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9

async function apply(): Promise<Record<string, unknown>> {
  const [joinersArg, groupsArg, concurrencyArg, bulkArg] = rest
  const joiners = Number(joinersArg)
  const groups = Number(groupsArg)
  const store = await openDatabase(`sqlite:${databaseFile}`)
  await extract(store)
  const engine = engineFor(store, configFor(Number(concurrencyArg)), bulkArg === 'bulk')
  const actions: LifecycleAction[] = []
  for (let i = 1; i <= joiners; i++) {
    const attributes = joinerAttributes(i)
    actions.push({ action: 'sync_identity', integration: INTEGRATION, attributes })
    actions.push({
      action: 'manage_relationships',
      integration: INTEGRATION,
      member: { kind: 'User', userName: String(attributes.user_name) },
      add: joinerGroups(i, groups).map(groupName),
      remove: [],
      createMissing: false,
    })
  }
  // Discovery is not the run's.
  for (const key of Object.keys(requests)) delete requests[key]
  for (const key of Object.keys(firstRequests)) delete firstRequests[key]
  phase('start')
  const cpuBefore = process.cpuUsage()
  const started = process.hrtime.bigint()
  const plan = await engine.plan(actions)
  const planSeconds = seconds(started)
  if (plan.problems.length > 0) throw new Error(`plan problems: ${JSON.stringify(plan.problems.slice(0, 3))}`)
  const stored = await engine.store(plan, 'bench:apply')
  const storeSeconds = seconds(started) - planSeconds
  if (stored.status !== 'pending') throw new Error(`run waits: ${JSON.stringify(stored.breaches)}`)
  const summary = await engine.execute(stored.runId)
  const total = seconds(started)
  const cpu = process.cpuUsage(cpuBefore)
  phase('end')
  await engine.close()
  await store.close()
  return {
    seconds: total,
    planSeconds,
    storeSeconds,
    executeSeconds: total - planSeconds - storeSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    operations: plan.operations.length,
    kinds: countBy(plan.operations.map((op) => op.kind)),
    status: summary.status,
    counts: summary.counts,
    requests,
    firstRequests,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

async function plan(): Promise<Record<string, unknown>> {
  const [identitiesArg, roundsArg] = rest
  const identities = Number(identitiesArg)
  const store = await openDatabase(`sqlite:${databaseFile}`)
  const extractStarted = process.hrtime.bigint()
  await extract(store)
  const extractSeconds = seconds(extractStarted)
  const engine = engineFor(store, configFor(16), true)
  const actions: LifecycleAction[] = []
  for (let n = 1; n <= identities; n++)
    actions.push({ action: 'sync_identity', integration: INTEGRATION, attributes: planIdentityAttributes(n) })
  const rounds: Array<{ seconds: number; cpuSeconds: number }> = []
  let last: Awaited<ReturnType<LifecycleEngine['plan']>> | undefined
  for (let round = 0; round < Number(roundsArg); round++) {
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    last = await engine.plan(actions)
    const used = process.cpuUsage(cpu)
    rounds.push({ seconds: seconds(started), cpuSeconds: (used.user + used.system) / 1e6 })
  }
  await engine.close()
  await store.close()
  return {
    rounds,
    extractSeconds,
    operations: last?.operations.length,
    kinds: countBy(last?.operations.map((op) => op.kind) ?? []),
    unchanged: last?.unchanged,
    problems: last?.problems.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}

const result = mode === 'apply' ? await apply() : await plan()
process.stdout.write(`${JSON.stringify(result)}\n`)
