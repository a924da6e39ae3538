/**
 * Executes a run from its journal: operations of one lane (one user or group) in plan order,
 * lanes in parallel within each integration's concurrency, an operation only after those it
 * refers to. A run stopped at any point resumes here: operations that were being sent are
 * verified against the target before anything is repeated.
 */
import type { Kysely } from 'kysely'
import type { Database, RunStatus } from '../store/index.ts'
import { integrationConcurrency } from '../vendors/integration-client.ts'
import { runBulkBatches } from './bulk-runner.ts'
import { RunStateError } from './errors.ts'
import { plannedSeq } from './integration-graph.ts'
import { Journal } from './journal.ts'
import {
  createdUserName,
  type ExecutionTarget,
  looksUpBeforeCreate,
  performOperation,
} from './operation-runner.ts'
import type { PlannedOperation } from './plan.ts'
import { activeQuarantine, isTargetFailure, QuarantineTracker, quarantineIntegration } from './quarantine.ts'
import {
  beat,
  claimRun,
  finishRun,
  HEARTBEAT_MS,
  type JournaledOperation,
  reopenTargetFailures,
  runCounts,
  runOperations,
  TARGET_FAILURE,
} from './run-records.ts'

/** Operations in progress per request the integration may have in flight (see runLanes). */
const OPERATIONS_PER_REQUEST_SLOT = 2

export interface ExecuteOptions {
  db: Kysely<Database>
  runId: string
  /** This process, for the run's lease. */
  holder: string
  /** Who asked, for the audit trail. */
  actor: string
  targets: ReadonlyMap<string, ExecutionTarget>
  /** Use SCIM Bulk where the target offers it (default true). */
  bulk?: boolean
  now?: () => Date
  onProgress?: (done: number, total: number) => void
}

export interface ExecutionSummary {
  runId: string
  status: RunStatus
  counts: Record<string, number>
  quarantined: Array<{ integration: string; reason: string }>
}

/** What other operations see of a finished one. */
export interface Settled {
  ok: boolean
  resultId: string | null
  /** The operation's integration was paused before it ended: it stays pending for the resume. */
  paused?: true
}

/** Shared state of one execution. */
export class ExecutionState {
  readonly settled = new Map<number, Settled>()
  readonly #waiters = new Map<number, Array<(s: Settled) => void>>()
  readonly quarantine = new QuarantineTracker()
  /** Integration of every open operation, to release waiters when an integration is paused. */
  readonly integrationOf = new Map<number, string>()
  /** Lanes stopped by a failure, and the operation that failed: the rest of the lane is not sent. */
  readonly failedLanes = new Map<string, number>()
  done = 0

  /** Pauses an integration: whoever waits for one of its operations learns it will not end now. */
  pause(integration: string, reason: string): void {
    this.quarantine.pause(integration, reason)
    for (const [seq, waiters] of this.#waiters) {
      if (this.integrationOf.get(seq) !== integration) continue
      this.#waiters.delete(seq)
      for (const resolve of waiters) resolve({ ok: false, resultId: null, paused: true })
    }
  }

  settle(seq: number, settled: Settled): void {
    this.settled.set(seq, settled)
    for (const resolve of this.#waiters.get(seq) ?? []) resolve(settled)
    this.#waiters.delete(seq)
  }

  /** Resolves when operation `seq` has ended (or immediately if it has). */
  wait(seq: number): Promise<Settled> {
    const known = this.settled.get(seq)
    if (known) return Promise.resolve(known)
    const integration = this.integrationOf.get(seq)
    if (integration !== undefined && this.quarantine.reason(integration)) {
      return Promise.resolve({ ok: false, resultId: null, paused: true })
    }
    return new Promise((resolve) => {
      const list = this.#waiters.get(seq)
      if (list) list.push(resolve)
      else this.#waiters.set(seq, [resolve])
    })
  }

  /** The operation with `bulkId:opN` references replaced by the ids their creates returned. */
  resolve(op: PlannedOperation): PlannedOperation {
    // Copies only what holds a reference: most operations hold none, and bulk resolves thousands.
    const swap = (value: unknown): unknown => {
      if (typeof value === 'string') {
        const seq = value.startsWith('bulkId:') ? plannedSeq(value) : undefined
        return seq === undefined ? value : (this.settled.get(seq)?.resultId ?? value)
      }
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined
        for (let i = 0; i < value.length; i++) {
          const swapped = swap(value[i])
          if (swapped === value[i]) continue
          copy ??= [...value]
          copy[i] = swapped
        }
        return copy ?? value
      }
      if (value && typeof value === 'object') {
        let copy: Record<string, unknown> | undefined
        for (const [key, v] of Object.entries(value)) {
          const swapped = swap(v)
          if (swapped === v) continue
          copy ??= { ...value }
          copy[key] = swapped
        }
        return copy ?? value
      }
      return value
    }
    return { ...op, body: swap(op.body), details: swap(op.details) as PlannedOperation['details'] }
  }
}

/** A counting semaphore: at most `size` operations of an integration in flight. */
class Semaphore {
  #free: number
  readonly #queue: Array<() => void> = []
  constructor(size: number) {
    this.#free = size
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1
      return
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve))
  }
  release(): void {
    const next = this.#queue.shift()
    if (next) next()
    else this.#free += 1
  }
}

/** Runs (or resumes) a run to its end; returns its final status and counts. */
export async function executeRun(options: ExecuteOptions): Promise<ExecutionSummary> {
  const { db, runId } = options
  const now = options.now ?? (() => new Date())
  if (!(await claimRun(db, runId, options.holder, now()))) {
    throw new RunStateError(
      `run ${runId} is being executed by another process, or is not in a state to run`,
      runId,
    )
  }
  const heartbeat = setInterval(
    () => void beat(db, runId, options.holder, now()).catch(() => {}),
    HEARTBEAT_MS,
  )
  heartbeat.unref()
  const journal = new Journal(db, runId, options.actor)
  const state = new ExecutionState()
  try {
    await reopenTargetFailures(db, runId)
    const operations = await runOperations(db, runId)
    const open = operations.filter((op) => op.status === 'pending' || op.status === 'sending')
    for (const op of operations) {
      if (op.status === 'succeeded' || op.status === 'failed' || op.status === 'skipped') {
        state.settle(op.seq, { ok: op.status === 'succeeded', resultId: op.resultId })
      }
    }
    for (const op of open) state.integrationOf.set(op.seq, op.integration)
    for (const integration of new Set(open.map((op) => op.integration))) {
      const reason = await activeQuarantine(db, integration, now())
      if (reason) state.pause(integration, reason)
    }
    const total = open.length
    const progress = () => options.onProgress?.(state.done, total)
    const byIntegration = new Map<string, JournaledOperation[]>()
    for (const op of open) {
      const list = byIntegration.get(op.integration)
      if (list) list.push(op)
      else byIntegration.set(op.integration, [op])
    }
    await Promise.all(
      [...byIntegration].map(([integration, ops]) => {
        const target = options.targets.get(integration)
        if (!target)
          throw new RunStateError(
            `run ${runId} has operations for ${integration}, which is not configured`,
            runId,
          )
        const context = { db, runId, journal, state, target, now, progress }
        return options.bulk !== false && target.client.capabilities.bulk.supported
          ? runBulkBatches(ops, context)
          : runLanes(ops, context)
      }),
    )
    await journal.flush()
    for (const [integration, reason] of state.quarantine.paused()) {
      if (!(await activeQuarantine(db, integration, now())))
        await quarantineIntegration(db, integration, reason, now())
    }
    // Paused: what failed because the target did waits with the rest, instead of failing the run.
    if (state.quarantine.paused().size > 0) await reopenTargetFailures(db, runId)
    const counts = await runCounts(db, runId)
    const status: RunStatus =
      (counts.pending ?? 0) + (counts.sending ?? 0) > 0
        ? 'quarantined'
        : (counts.failed ?? 0) + (counts.skipped ?? 0) > 0
          ? 'failed'
          : 'succeeded'
    const quarantined = [...state.quarantine.paused()].map(([integration, reason]) => ({
      integration,
      reason,
    }))
    await finishRun(
      db,
      runId,
      status,
      quarantined.length > 0 ? quarantined.map((q) => `${q.integration}: ${q.reason}`).join('; ') : null,
      now(),
    )
    return { runId, status, counts, quarantined }
  } catch (error) {
    await journal.flush().catch(() => {})
    // Left "running" with no holder: the next `apply --resume` or service start takes it up.
    await db
      .updateTable('lcm_runs')
      .set({ holder: null, error: String(error) })
      .where('id', '=', runId)
      .execute()
      .catch(() => {})
    throw error
  } finally {
    clearInterval(heartbeat)
  }
}

/** What runs an integration's operations needs. */
export interface RunContext {
  db: Kysely<Database>
  runId: string
  journal: Journal
  state: ExecutionState
  target: ExecutionTarget
  now: () => Date
  progress: () => void
}

async function runLanes(ops: readonly JournaledOperation[], context: RunContext): Promise<void> {
  const lanes = new Map<string, JournaledOperation[]>()
  for (const op of ops) {
    const lane = lanes.get(op.lane)
    if (lane) lane.push(op)
    else lanes.set(op.lane, [op])
  }
  const { target } = context
  target.lookup.expectCreates(
    ops.filter((op) => op.kind === 'create_user' && looksUpBeforeCreate(op, target)).map(createdUserName),
  )
  // The client keeps the integration's concurrency of requests in flight; twice as many operations
  // in progress keep it busy while some wait for their journal record or for a look-up.
  const semaphore = new Semaphore(OPERATIONS_PER_REQUEST_SLOT * integrationConcurrency(target.config))
  await Promise.all(
    [...lanes.values()].map(async (lane) => {
      let laneFailed: number | undefined
      for (const op of lane) {
        const blocked = laneFailed ?? (await failedDependency(op, context.state))
        if (blocked === 'paused') return
        if (blocked !== undefined) {
          await skip(op, blocked, context)
          laneFailed ??= op.seq
          continue
        }
        if (context.state.quarantine.reason(op.integration)) return
        await semaphore.acquire()
        try {
          if (context.state.quarantine.reason(op.integration)) return
          const ok = await runOne(op, context)
          if (ok === false) laneFailed = op.seq
          if (ok === undefined) return
        } finally {
          semaphore.release()
        }
      }
    }),
  )
}

/** The first dependency that did not succeed ('paused' if it waits on a paused integration). */
export async function failedDependency(
  op: PlannedOperation,
  state: ExecutionState,
): Promise<number | 'paused' | undefined> {
  for (const seq of op.details.dependsOn) {
    const settled = await state.wait(seq)
    if (settled.paused) return 'paused'
    if (!settled.ok) return seq
  }
  return undefined
}

export async function skip(op: PlannedOperation, cause: number, context: RunContext): Promise<void> {
  await context.journal.answered(
    op,
    { status: 'skipped', error: `not sent: operation ${cause} did not succeed` },
    context.now(),
  )
  context.state.settle(op.seq, { ok: false, resultId: null })
  if (!context.state.failedLanes.has(op.lane)) context.state.failedLanes.set(op.lane, cause)
  context.state.done += 1
  context.progress()
}

/**
 * Journals, sends and records one operation. True on success, false on failure, undefined when
 * the integration was paused by it (the operation stays pending for the resume).
 */
export async function runOne(
  journaled: JournaledOperation,
  context: RunContext,
): Promise<boolean | undefined> {
  const { journal, state, target } = context
  const op = state.resolve(journaled)
  const verifying = journaled.status === 'sending'
  const [auditId] = await journal.sending([op], requestOf, context.now())
  try {
    const performed = await performOperation(op, target, {
      runId: context.runId,
      now: () => context.now().toISOString(),
      verifying,
    })
    state.quarantine.record(op.integration, undefined)
    journal.answeredLater(
      op,
      {
        status: 'succeeded',
        outcome: performed.outcome,
        responseStatus: performed.responseStatus,
        resultId: performed.resultId,
      },
      context.now(),
      auditId,
      performed.graph,
    )
    state.settle(op.seq, { ok: true, resultId: performed.resultId ?? null })
    state.done += 1
    context.progress()
    return true
  } catch (error) {
    const paused = state.quarantine.record(op.integration, error)
    if (paused) state.pause(op.integration, paused)
    const status = (error as { status?: unknown }).status
    const answer = {
      responseStatus: typeof status === 'number' ? status : undefined,
      error: error instanceof Error ? error.message : String(error),
    }
    if (paused) {
      // Not the operation's fault: it waits for the integration to come back.
      await journal.answered(op, { status: 'pending', ...answer }, context.now(), auditId)
      return undefined
    }
    // A target that is down or refuses the credentials is no fault of the operation: a resume retries it.
    const outcome = isTargetFailure(error) ? TARGET_FAILURE : undefined
    await journal.answered(op, { status: 'failed', outcome, ...answer }, context.now(), auditId)
    state.settle(op.seq, { ok: false, resultId: null })
    if (!state.failedLanes.has(op.lane)) state.failedLanes.set(op.lane, op.seq)
    state.done += 1
    context.progress()
    return false
  }
}

/** The request as the audit trail keeps it. */
export function requestOf(op: PlannedOperation): { method: string; path: string; body: unknown } {
  return { method: op.method, path: op.path, body: op.body }
}
