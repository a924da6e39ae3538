/**
 * A policy run: read the policy's source, turn what changed into joiner/mover/leaver events (or,
 * on reconcile, every identity into its desired state), evaluate the workflows, and plan the
 * lifecycle actions through the engine. `apply` then stores the plan as a run (limits, approval,
 * journal, rollback as any run) and executes it; `plan` writes nothing.
 */
import type { PolicyConfig, ProvisioConfig } from '../config/index.ts'
import type { LifecycleAction, LifecycleEngine } from '../lcm/index.ts'
import type { LimitBreach } from '../lcm/limits.ts'
import type { Plan } from '../lcm/plan.ts'
import { runOperations } from '../lcm/run-records.ts'
import {
  currentIdentities,
  markEventsConsumed,
  pendingEvents,
  readSource,
  takeSnapshot,
} from '../sources/index.ts'
import type { SourceEvent } from '../sources/source-types.ts'
import type { Store } from '../store/index.ts'
import { compileCondition } from './conditions.ts'
import { GraphTargetView } from './graph-target-view.ts'
import { sendNotification } from './notify.ts'
import { allManagedGroups, recordManagedChanges, recordPolicyVersion } from './policy-records.ts'
import { CompiledPolicy, type Evaluation, type EventKind, evaluateEvent } from './workflow-evaluation.ts'

export interface PolicyRunOptions {
  store: Store
  config: ProvisioConfig
  engine: LifecycleEngine
  mode: 'plan' | 'apply'
  /** Compare every identity with the graph instead of reacting to changes. */
  reconcile?: boolean
  now?: () => Date
}

/** One identity's part in a policy run. */
export interface IdentityOutcome {
  key: string
  event: EventKind
  reason?: string
  workflows: number[]
  transforms: Evaluation['transforms']
  problems: string[]
}

export interface PolicyOutcome {
  policy: string
  version: number
  state: PolicyConfig['state']
  /** The source read, or why it was refused (the previous snapshot stays in force). */
  source: {
    name: string
    status: 'accepted' | 'refused' | 'pushed'
    identities: number
    problems: number
    error?: string
  }
  identities: IdentityOutcome[]
  plan: Plan
  /** Accounts no identity backs (reconcile). */
  orphans: Array<{ integration: string; userName: string }>
  /** Differences the policy only reports (reconcile, `drift: report`). */
  drift: DriftReport[]
  run?: { id: string; status: string; breaches: LimitBreach[] }
  notifications: Array<{ url: string; identity: string; ok: boolean; detail: string }>
  /** Wall time of each phase, in milliseconds: where a slow run spends its time. */
  timings: PolicyTimings
}

/** Milliseconds spent reading the source, detecting events, evaluating workflows and planning. */
export interface PolicyTimings {
  read: number
  detect: number
  evaluate: number
  plan: number
}

const CONSUMER = (policy: string) => `policy:${policy}`
const EVENT_BATCH = 1_000_000

/** Runs one policy once. */
export async function runPolicy(policy: PolicyConfig, options: PolicyRunOptions): Promise<PolicyOutcome> {
  const now = options.now?.() ?? new Date()
  const { store, config } = options
  const version = options.mode === 'apply' ? await recordPolicyVersion(store.db, policy, now) : 0
  const source = config.sources[policy.source]
  if (!source) throw new Error(`policy ${policy.name}: source ${policy.source} is not configured`)
  const outcome: PolicyOutcome = {
    policy: policy.name,
    version,
    state: policy.state,
    source: { name: source.name, status: 'pushed', identities: 0, problems: 0 },
    identities: [],
    plan: { operations: [], problems: [], unchanged: 0, cost: [] },
    orphans: [],
    drift: [],
    notifications: [],
    timings: { read: 0, detect: 0, evaluate: 0, plan: 0 },
  }
  if (policy.state === 'paused') return outcome
  let mark = performance.now()
  const lap = (phase: keyof PolicyTimings) => {
    const at = performance.now()
    outcome.timings[phase] += at - mark
    mark = at
  }
  const leaver =
    source.leaver === undefined
      ? undefined
      : compileCondition(source.leaver, { location: `source "${source.name}" leaver` })
  const isLeaver = leaver
    ? (attributes: Readonly<Record<string, unknown>>) => leaver.matches(attributes, now)
    : undefined

  const snapshotEvents: SourceEvent[] = []
  if (source.kind !== 'webhook') {
    const read = await readSource(source, { baseDir: config.baseDir })
    lap('read')
    const snapshot = await takeSnapshot(store, read, { isLeaver, now, dryRun: options.mode === 'plan' })
    outcome.source = {
      name: source.name,
      status: snapshot.status,
      identities: snapshot.identities,
      problems: snapshot.problems.length,
      ...(snapshot.error ? { error: snapshot.error.message } : {}),
    }
    if (snapshot.status === 'refused') return outcome
    if (options.mode === 'plan') snapshotEvents.push(...snapshot.events)
  }
  // Applied events come from the log (so events a crash left unprocessed are not lost); a plan also
  // sees the preview's events, which it did not write.
  const logged = await pendingEvents(store.db, source.name, CONSUMER(policy.name), { limit: EVENT_BATCH })
  const events = [...logged, ...snapshotEvents]
  lap('detect')
  const compiled = new CompiledPolicy(policy)
  // Reacting to events needs the graph around those identities only; reconcile needs all of it.
  const concerned = options.reconcile ? undefined : events.map((event) => event.key)
  const integrations = integrationsOf(policy)
  const view = await GraphTargetView.load(store.db, integrations, {
    identities: concerned,
    attributes: options.reconcile === true,
  })
  const managed = await allManagedGroups(
    store.db,
    policy.name,
    concerned && { identities: concerned, integrations },
  )
  const actions: LifecycleAction[] = []
  const evaluations: Array<{ key: string; event: EventKind; evaluation: Evaluation }> = []

  const handle = async (
    key: string,
    kind: EventKind,
    attributes: Readonly<Record<string, unknown>>,
    changes: Readonly<Record<string, unknown>> | undefined,
    reason?: string,
  ) => {
    const evaluation = await evaluateEvent(
      compiled,
      { kind, key, attributes, ...(changes ? { changes } : {}) },
      view,
      now,
    )
    outcome.identities.push({
      key,
      event: kind,
      ...(reason ? { reason } : {}),
      workflows: evaluation.workflows,
      transforms: evaluation.transforms,
      problems: evaluation.problems,
    })
    if (evaluation.problems.length > 0) return
    const own = [...evaluation.actions]
    if (kind === 'reconcile') splitDrift(own, evaluation, view, key, outcome.drift)
    actions.push(...own)
    for (const wish of evaluation.groups) {
      const owned = managed.get(wish.integration)?.get(key) ?? new Set<string>()
      const wanted = new Set(wish.groups.map((g) => g.toLowerCase()))
      actions.push({
        action: 'manage_relationships',
        integration: wish.integration,
        identity: key,
        member: { kind: 'User', userName: wish.userName },
        add: wish.groups,
        // Only what this policy granted and no longer wants: hand-granted memberships are not its to take.
        remove: [...owned].filter((g) => !wanted.has(g)),
        createMissing: wish.createMissing,
      })
    }
    evaluations.push({ key, event: kind, evaluation })
  }

  if (options.reconcile) {
    for (const identity of await currentIdentities(store.db, source.name)) {
      await handle(identity.key, 'reconcile', identity.attributes, undefined)
    }
    outcome.orphans = view.orphans(
      new Set((await currentIdentities(store.db, source.name)).map((i) => i.key)),
    )
    if (policy.orphans === 'deprovision') {
      for (const orphan of outcome.orphans) {
        actions.push({
          action: 'deprovision_identity',
          integration: orphan.integration,
          userName: orphan.userName,
          allowDataLoss: false,
        })
      }
    }
  } else {
    for (const event of events)
      await handle(event.key, event.kind, event.attributes, event.changes, event.reason)
  }

  lap('evaluate')
  outcome.plan = await options.engine.plan(actions, { tolerant: options.reconcile === true })
  lap('plan')
  const lastSeq = logged.reduce((max, event) => Math.max(max, event.seq), 0)
  if (options.mode === 'plan') return outcome

  const breaches = policyBreaches(policy, outcome.plan)
  if (outcome.plan.operations.length > 0) {
    const stored = await options.engine.store(outcome.plan, `policy:${policy.name}`, {
      policyVersion: String(version),
      breaches,
      dryRun: policy.state === 'dry_run',
    })
    outcome.run = { id: stored.runId, status: stored.status, breaches: stored.breaches }
    if (stored.status === 'pending') {
      const summary = await options.engine.execute(stored.runId)
      outcome.run.status = summary.status
      const journal = await runOperations(store.db, stored.runId)
      await recordManagedChanges(store.db, policy.name, stored.runId, journal, now)
      outcome.notifications = await notify(policy, evaluations, journal, stored.runId)
    }
  } else {
    outcome.notifications = await notify(policy, evaluations, [], null)
  }
  // A dry run acts on nothing, so its events stay pending for the policy once it is active.
  if (policy.state === 'active' && lastSeq > 0)
    await markEventsConsumed(store.db, source.name, CONSUMER(policy.name), lastSeq, now)
  return outcome
}

function integrationsOf(policy: PolicyConfig): string[] {
  const names = new Set<string>()
  for (const workflow of policy.workflows) {
    for (const item of workflow.actions) {
      const body = Object.values(item)[0] as { integration?: string }
      if (body.integration) names.add(body.integration)
    }
  }
  return [...names]
}

/** The policy's own limits (`maxDeprovisions`, `maxOperations`), as breaches. */
function policyBreaches(policy: PolicyConfig, plan: Plan): LimitBreach[] {
  const breaches: LimitBreach[] = []
  const limits = policy.limits
  if (!limits) return breaches
  const deprovisions = plan.operations.filter(
    (op) => op.kind === 'deactivate_user' || op.kind === 'delete_user',
  ).length
  if (limits.maxDeprovisions !== undefined && deprovisions > limits.maxDeprovisions) {
    breaches.push({
      integration: '*',
      kind: 'deactivations',
      threshold: 'perRun',
      count: deprovisions,
      limit: limits.maxDeprovisions,
      message: `${deprovisions} deprovisions, above policy ${policy.name}'s maxDeprovisions ${limits.maxDeprovisions}`,
    })
  }
  if (limits.maxOperations !== undefined && plan.operations.length > limits.maxOperations) {
    breaches.push({
      integration: '*',
      kind: 'operations',
      threshold: 'maxOperations',
      count: plan.operations.length,
      limit: limits.maxOperations,
      message: `${plan.operations.length} operations, above policy ${policy.name}'s maxOperations ${limits.maxOperations}`,
    })
  }
  return breaches
}

/**
 * Reconcile: attributes whose drift the policy adopts are not written back, and those it only
 * reports are compared with the account here and reported instead of being planned.
 */
function splitDrift(
  actions: LifecycleAction[],
  evaluation: Evaluation,
  view: GraphTargetView,
  key: string,
  drift: DriftReport[],
): void {
  for (const [index, action] of actions.entries()) {
    if (action.action !== 'sync_identity') continue
    const rule = evaluation.drift.get(action.integration)
    if (!rule || rule.size === 0) continue
    const current = view.linkedAttributes(action.integration, key)
    const attributes: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(action.attributes)) {
      const how = rule.get(name) ?? 'revert'
      if (how === 'revert') attributes[name] = value
      else if (how === 'report' && current && !sameText(current[name], value)) {
        drift.push({
          integration: action.integration,
          identity: key,
          attribute: name,
          target: current[name] ?? null,
          source: value,
        })
      }
    }
    actions[index] = { ...action, attributes }
  }
}

/** Drift left alone because the policy says to only report it. */
export interface DriftReport {
  integration: string
  identity: string
  attribute: string
  target: unknown
  source: unknown
}

function sameText(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string'
    ? a.trim().toLowerCase() === b.trim().toLowerCase()
    : JSON.stringify(a) === JSON.stringify(b)
}

async function notify(
  policy: PolicyConfig,
  evaluations: ReadonlyArray<{ key: string; event: EventKind; evaluation: Evaluation }>,
  journal: Awaited<ReturnType<typeof runOperations>>,
  runId: string | null,
): Promise<PolicyOutcome['notifications']> {
  const sent: PolicyOutcome['notifications'] = []
  for (const { key, event, evaluation } of evaluations) {
    const ops = journal.filter((op) => op.details.identity === key)
    const failed = ops.some((op) => op.status !== 'succeeded')
    for (const note of evaluation.notifications) {
      if ((note.on === 'success' && failed) || (note.on === 'failure' && !failed)) continue
      const result = await sendNotification(note.url, note.headers, {
        policy: policy.name,
        event,
        identity: key,
        workflow: note.workflow,
        runId,
        outcome: failed ? 'failure' : 'success',
        operations: ops.map((op) => ({
          integration: op.integration,
          kind: op.kind,
          path: op.path,
          status: op.status,
          error: op.error,
        })),
      })
      sent.push({ url: note.url, identity: key, ...result })
    }
  }
  return sent
}
