/**
 * Runs in the store: created with their planned operations, claimed by one process at a time
 * (a heartbeat tells a crashed holder from a busy one), finished, listed.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, LcmOperationsTable, LcmRunsTable, RunStatus } from '../store/index.ts'
import { RunStateError } from './errors.ts'
import type { PlannedOperation, PlanProblem } from './plan.ts'
import { holderGone } from './run-holder.ts'

/** A holder that has not beaten for this long is taken to be dead: its run may be resumed. */
export const STALE_AFTER_MS = 30_000
export const HEARTBEAT_MS = 5_000
const INSERT_CHUNK = 200

export interface NewRun {
  kind: 'apply' | 'rollback'
  origin: string
  requestedBy: string
  rollbackOf?: string | undefined
  policyVersion?: string | undefined
  status: Extract<RunStatus, 'pending' | 'awaiting_approval' | 'dry_run'>
  limitsReport?: unknown
  problems: readonly PlanProblem[]
  operations: readonly PlannedOperation[]
  now: string
}

/** Stores a run and every operation it will make (status pending), in one transaction. */
export async function createRun(db: Kysely<Database>, run: NewRun): Promise<string> {
  const id = randomUUID()
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('lcm_runs')
      .values({
        id,
        kind: run.kind,
        status: run.status,
        origin: run.origin,
        requested_by: run.requestedBy,
        policy_version: run.policyVersion ?? null,
        rollback_of: run.rollbackOf ?? null,
        created_at: run.now,
        started_at: null,
        finished_at: null,
        approved_by: null,
        approved_at: null,
        limits_report: run.limitsReport === undefined ? null : JSON.stringify(run.limitsReport),
        problems: run.problems.length > 0 ? JSON.stringify(run.problems) : null,
        error: null,
        holder: null,
        heartbeat_at: null,
        operation_count: run.operations.length,
      })
      .execute()
    for (let i = 0; i < run.operations.length; i += INSERT_CHUNK) {
      const rows = run.operations.slice(i, i + INSERT_CHUNK).map((op) => operationRow(id, op))
      await trx.insertInto('lcm_operations').values(rows).execute()
    }
  })
  return id
}

function operationRow(runId: string, op: PlannedOperation): LcmOperationsTable {
  return {
    run_id: runId,
    seq: op.seq,
    integration: op.integration,
    action: op.action,
    kind: op.kind,
    identity: op.identity,
    lane: op.lane,
    method: op.method,
    path: op.path,
    body: op.body === undefined ? null : JSON.stringify(op.body),
    details: JSON.stringify(op.details),
    status: 'pending',
    outcome: null,
    attempts: 0,
    response_status: null,
    result_id: null,
    error: null,
    sent_at: null,
    answered_at: null,
  }
}

/** A run, or a RunStateError naming the id that does not exist. */
export async function getRun(db: Kysely<Database>, id: string): Promise<LcmRunsTable> {
  const run = await db.selectFrom('lcm_runs').selectAll().where('id', '=', id).executeTakeFirst()
  if (!run) throw new RunStateError(`no run ${JSON.stringify(id)}; \`provisio runs\` lists them`, id)
  return run
}

/** A journaled operation as the executor and rollback read it. */
export interface JournaledOperation extends PlannedOperation {
  status: LcmOperationsTable['status']
  outcome: string | null
  attempts: number
  responseStatus: number | null
  resultId: string | null
  error: string | null
  sentAt: string | null
  answeredAt: string | null
}

/** Every operation of a run, in plan order. */
export async function runOperations(db: Kysely<Database>, runId: string): Promise<JournaledOperation[]> {
  const rows = await db
    .selectFrom('lcm_operations')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute()
  return rows.map((row) => ({
    seq: row.seq,
    integration: row.integration,
    action: row.action as PlannedOperation['action'],
    kind: row.kind as PlannedOperation['kind'],
    identity: row.identity,
    lane: row.lane,
    method: row.method as PlannedOperation['method'],
    path: row.path,
    ...(row.body === null ? {} : { body: JSON.parse(row.body) as unknown }),
    details: JSON.parse(row.details) as PlannedOperation['details'],
    status: row.status,
    outcome: row.outcome,
    attempts: row.attempts,
    responseStatus: row.response_status,
    resultId: row.result_id,
    error: row.error,
    sentAt: row.sent_at,
    answeredAt: row.answered_at,
  }))
}

/**
 * Takes a run for this process: only when nobody holds it, or its holder stopped beating. Returns
 * false when another live process has it.
 */
export async function claimRun(
  db: Kysely<Database>,
  runId: string,
  holder: string,
  now: Date,
): Promise<boolean> {
  const stale = new Date(now.getTime() - STALE_AFTER_MS).toISOString()
  // A holder whose process is known to have exited (killed on this machine) is not waited for.
  const current = await db.selectFrom('lcm_runs').select('holder').where('id', '=', runId).executeTakeFirst()
  const gone = current?.holder != null && holderGone(current.holder) ? current.holder : undefined
  const result = await db
    .updateTable('lcm_runs')
    .set({ holder, heartbeat_at: now.toISOString(), status: 'running' })
    .where('id', '=', runId)
    .where((eb) =>
      eb.or([
        eb('holder', 'is', null),
        eb('holder', '=', holder),
        eb('heartbeat_at', '<', stale),
        ...(gone === undefined ? [] : [eb('holder', '=', gone)]),
      ]),
    )
    .where('status', 'in', ['pending', 'running', 'quarantined'])
    .executeTakeFirst()
  const claimed = Number(result.numUpdatedRows) === 1
  if (claimed) {
    await db
      .updateTable('lcm_runs')
      .set({ started_at: now.toISOString() })
      .where('id', '=', runId)
      .where('started_at', 'is', null)
      .execute()
  }
  return claimed
}

/** Proves the holder alive. */
export async function beat(db: Kysely<Database>, runId: string, holder: string, now: Date): Promise<void> {
  await db
    .updateTable('lcm_runs')
    .set({ heartbeat_at: now.toISOString() })
    .where('id', '=', runId)
    .where('holder', '=', holder)
    .execute()
}

/** Ends a run: its final status, released by its holder. */
export async function finishRun(
  db: Kysely<Database>,
  runId: string,
  status: RunStatus,
  error: string | null,
  now: Date,
): Promise<void> {
  const done = status === 'succeeded' || status === 'failed' || status === 'cancelled'
  await db
    .updateTable('lcm_runs')
    .set({ status, error, holder: null, ...(done ? { finished_at: now.toISOString() } : {}) })
    .where('id', '=', runId)
    .execute()
}

/** Runs whose holder died (or let go after an error) while running them: the service resumes these. */
export async function abandonedRuns(db: Kysely<Database>, now: Date): Promise<string[]> {
  const stale = new Date(now.getTime() - STALE_AFTER_MS).toISOString()
  const rows = await db
    .selectFrom('lcm_runs')
    .select(['id', 'holder', 'heartbeat_at'])
    .where('status', '=', 'running')
    .orderBy('created_at')
    .execute()
  return rows
    .filter(
      (row) =>
        row.holder === null ||
        row.heartbeat_at === null ||
        row.heartbeat_at < stale ||
        holderGone(row.holder),
    )
    .map((row) => row.id)
}

/** Runs, newest first. */
export async function listRuns(db: Kysely<Database>, limit = 50): Promise<LcmRunsTable[]> {
  return db
    .selectFrom('lcm_runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** The outcome of an operation that failed because its target did (down, credentials refused). */
export const TARGET_FAILURE = 'target failure'

/**
 * Before a run resumes: operations that failed because the target did, and those skipped because
 * of them, are pending again. Their failure said nothing about the operation itself; the
 * quarantine that followed has been lifted, or has run out. Returns how many were reopened.
 */
export async function reopenTargetFailures(db: Kysely<Database>, runId: string): Promise<number> {
  const rows = await db
    .selectFrom('lcm_operations')
    .select(['seq', 'status', 'outcome', 'error'])
    .where('run_id', '=', runId)
    .where('status', 'in', ['failed', 'skipped'])
    .orderBy('seq')
    .execute()
  const reopened = new Set<number>()
  for (const row of rows) {
    const cause = Number(/^not sent: operation (\d+) /.exec(row.error ?? '')?.[1])
    if (row.status === 'failed' ? row.outcome === TARGET_FAILURE : reopened.has(cause)) reopened.add(row.seq)
  }
  const seqs = [...reopened]
  for (let i = 0; i < seqs.length; i += INSERT_CHUNK) {
    await db
      .updateTable('lcm_operations')
      .set({ status: 'pending', outcome: null, error: null, answered_at: null })
      .where('run_id', '=', runId)
      .where('seq', 'in', seqs.slice(i, i + INSERT_CHUNK))
      .execute()
  }
  return seqs.length
}

/** Operation counts of a run by status. */
export async function runCounts(db: Kysely<Database>, runId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('lcm_operations')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('run_id', '=', runId)
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]))
}
