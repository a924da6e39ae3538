/** The `extraction_runs` rows: one per extraction, with status, counts, duration and error. */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, ExtractionRunsTable } from '../store/tables.ts'
import type { ExtractionMode } from './extraction-target.ts'

/** Records the start of a run and returns its id. */
export async function startRunRecord(
  db: Kysely<Database>,
  integration: string,
  mode: ExtractionMode,
  now: string,
): Promise<string> {
  const id = randomUUID()
  await db
    .insertInto('extraction_runs')
    .values({
      id,
      integration,
      mode,
      status: 'running',
      started_at: now,
      finished_at: null,
      duration_ms: null,
      users_seen: 0,
      groups_seen: 0,
      memberships_seen: 0,
      rows_written: 0,
      rows_removed: 0,
      error: null,
      heartbeat_at: now,
    })
    .execute()
  return id
}

/** Records progress, so a crashed run can be told from a slow one. */
export async function heartbeat(
  db: Kysely<Database>,
  runId: string,
  now: string,
  counts: Pick<ExtractionRunsTable, 'users_seen' | 'groups_seen' | 'memberships_seen'>,
): Promise<void> {
  await db
    .updateTable('extraction_runs')
    .set({ heartbeat_at: now, ...counts })
    .where('id', '=', runId)
    .execute()
}

/** Records how a run ended. */
export async function finishRunRecord(
  db: Kysely<Database>,
  runId: string,
  outcome: Pick<
    ExtractionRunsTable,
    'status' | 'users_seen' | 'groups_seen' | 'memberships_seen' | 'rows_written' | 'rows_removed' | 'error'
  > & { finishedAt: string; durationMs: number },
): Promise<void> {
  const { finishedAt, durationMs, ...counts } = outcome
  await db
    .updateTable('extraction_runs')
    .set({ ...counts, finished_at: finishedAt, duration_ms: durationMs, heartbeat_at: finishedAt })
    .where('id', '=', runId)
    .execute()
}

/** The start of the last successful full extraction, the baseline for an incremental one. */
export async function lastSuccessfulRun(
  db: Kysely<Database>,
  integration: string,
  mode?: ExtractionMode,
): Promise<ExtractionRunsTable | undefined> {
  let query = db
    .selectFrom('extraction_runs')
    .selectAll()
    .where('integration', '=', integration)
    .where('status', '=', 'succeeded')
  if (mode) query = query.where('mode', '=', mode)
  return query.orderBy('started_at', 'desc').limit(1).executeTakeFirst()
}

/** Changes a run's mode once discovery has shown the target cannot serve the one asked for. */
export async function recordRunMode(
  db: Kysely<Database>,
  runId: string,
  mode: ExtractionMode,
): Promise<void> {
  await db.updateTable('extraction_runs').set({ mode }).where('id', '=', runId).execute()
}

/**
 * Marks runs whose process died (no heartbeat for `staleAfterMs`) as failed, so they stop
 * looking busy and the scheduler runs the integration again, and deletes what they had staged.
 * With `integration`, only that integration's runs.
 */
export async function failAbandonedRuns(
  db: Kysely<Database>,
  now: Date,
  staleAfterMs: number,
  integration?: string,
): Promise<number> {
  const cutoff = new Date(now.getTime() - staleAfterMs).toISOString()
  return db.transaction().execute(async (trx) => {
    let query = trx
      .updateTable('extraction_runs')
      .set({
        status: 'failed',
        error: 'abandoned: the process running it stopped',
        finished_at: now.toISOString(),
      })
      .where('status', '=', 'running')
      .where('heartbeat_at', '<=', cutoff)
    if (integration !== undefined) query = query.where('integration', '=', integration)
    const abandoned = await query.returning('id').execute()
    const ids = abandoned.map((run) => run.id)
    if (ids.length > 0) {
      await trx.deleteFrom('staged_accounts').where('run_id', 'in', ids).execute()
      await trx.deleteFrom('staged_groups').where('run_id', 'in', ids).execute()
      await trx.deleteFrom('staged_memberships').where('run_id', 'in', ids).execute()
    }
    return ids.length
  })
}
