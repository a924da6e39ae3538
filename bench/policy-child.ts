/**
 * The policy benchmark's own process, so its peak RSS is its own.
 * `setup CONFIG COUNT URL TOKEN`: extracts the sandbox, links every current person's account and
 * records the department group as granted by the policy (what applying the joiners would have
 * left), and takes the first snapshot of hr.csv with its events consumed.
 * `measure CONFIG`: one `runPolicy` in plan mode on hr.csv as it now reads, timed.
 */

import { loadConfig } from '../src/config/index.ts'
import { runExtraction } from '../src/extract/run-extraction.ts'
import { LifecycleEngine } from '../src/lcm/index.ts'
import { compileCondition } from '../src/policy/conditions.ts'
import { runPolicy } from '../src/policy/policy-runner.ts'
import { seededUser, seededUserId } from '../src/sandbox/seed.ts'
import { ScimClient } from '../src/scim/index.ts'
import { markEventsConsumed, readSource, takeSnapshot } from '../src/sources/index.ts'
import { type LcmLinksTable, openDatabase, type PolicyMembershipsTable } from '../src/store/index.ts'
import { employeeId, isFormer } from './policy-workload.ts'

const [mode, configFile, ...rest] = process.argv.slice(2)
if ((mode !== 'setup' && mode !== 'measure') || !configFile)
  throw new Error('usage: policy-child setup|measure CONFIG [COUNT URL TOKEN]')
const config = await loadConfig(configFile, {})
const store = await openDatabase(config.database.reveal(), { baseDir: config.baseDir })
const policy = config.policies[0]
const source = config.sources.hr
if (!policy || !source) throw new Error('the benchmark configuration has a policy on source hr')

if (mode === 'setup') {
  const [countText, url, token] = rest
  const count = Number(countText)
  if (!url || !token || !(count > 0)) throw new Error('usage: policy-child setup CONFIG COUNT URL TOKEN')
  const now = new Date()
  const client = new ScimClient({ baseUrl: url, auth: { bearer: token }, integration: 'app' })
  const extracted = await runExtraction(store.db, {
    integration: 'app',
    client,
    groups: true,
    extensionSchemas: false,
  })
  await client.close()
  const links: LcmLinksTable[] = []
  const granted: PolicyMembershipsTable[] = []
  for (let n = 1; n <= count; n++) {
    if (isFormer(n)) continue
    const identity = employeeId(n)
    links.push({
      integration: 'app',
      identity,
      account_id: seededUserId(n),
      run_id: null,
      linked_at: now.toISOString(),
    })
    const enterprise = seededUser(n)['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as {
      department: string
    }
    granted.push({
      policy: policy.name,
      integration: 'app',
      identity,
      group_name: enterprise.department.toLowerCase(),
      run_id: null,
      granted_at: now.toISOString(),
    })
  }
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < links.length; i += 500) {
      await trx
        .insertInto('lcm_links')
        .values(links.slice(i, i + 500))
        .execute()
      await trx
        .insertInto('policy_memberships')
        .values(granted.slice(i, i + 500))
        .execute()
    }
  })
  const leaver = source.leaver === undefined ? undefined : compileCondition(source.leaver, {})
  const read = await readSource(source, { baseDir: config.baseDir })
  const snapshot = await takeSnapshot(store, read, {
    isLeaver: leaver ? (attributes) => leaver.matches(attributes, now) : undefined,
    now,
  })
  if (snapshot.status !== 'accepted') throw new Error(`first snapshot refused: ${snapshot.error?.message}`)
  const lastSeq = snapshot.events.reduce((max, event) => Math.max(max, event.seq), 0)
  await markEventsConsumed(store.db, source.name, `policy:${policy.name}`, lastSeq, now)
  process.stdout.write(
    `${JSON.stringify({
      users: extracted.usersSeen,
      groups: extracted.groupsSeen,
      memberships: extracted.membershipsSeen,
      links: links.length,
      identities: snapshot.identities,
      joiners: snapshot.events.length,
    })}\n`,
  )
} else {
  const engine = new LifecycleEngine({
    db: store.db,
    config,
    actor: 'bench@policy',
    holder: `bench-${process.pid}`,
  })
  const started = performance.now()
  const cpu = process.cpuUsage()
  const outcome = await runPolicy(policy, { store, config, engine, mode: 'plan' })
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  await engine.close()
  const count = <T>(items: readonly T[], key: (item: T) => string) => {
    const counts: Record<string, number> = {}
    for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
    return counts
  }
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      // CPU time of the run (user + system): on a shared machine, wall time depends on the neighbours.
      cpuSeconds: (used.user + used.system) / 1e6,
      timings: outcome.timings,
      source: outcome.source,
      events: count(outcome.identities, (i) => i.event),
      evaluationProblems: outcome.identities.filter((i) => i.problems.length > 0).length,
      operations: count(outcome.plan.operations, (op) => op.kind),
      planProblems: outcome.plan.problems.length,
      firstProblem: outcome.plan.problems[0]?.message,
      unchanged: outcome.plan.unchanged,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  )
}
await store.close()
