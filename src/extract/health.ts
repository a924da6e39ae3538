/** Health per integration: last successful extraction, last error, counts, lifecycle-management state. */
import type { Kysely } from 'kysely'
import type { IntegrationConfig, ProvisioConfig } from '../config/index.ts'
import type { Database } from '../store/index.ts'
import { nextDueTime } from './scheduler.ts'

export type LifecycleState = 'enabled' | 'disabled' | 'refused'

export interface IntegrationHealth {
  integration: string
  vendor: string
  /** `refused`: lifecycleManagement is configured but no extraction has succeeded yet. */
  lifecycleManagement: LifecycleState
  status: 'healthy' | 'failing' | 'never extracted' | 'overdue'
  lastSuccess: { runId: string; at: string; durationMs: number | null; mode: string } | null
  lastError: { runId: string; at: string; message: string } | null
  running: { runId: string; startedAt: string } | null
  counts: { accounts: number; groups: number; memberships: number }
  /** When the schedule next extracts it (after a failure: once the retry back-off has passed). */
  nextExtractionAt: string
}

/** Health of every configured integration, in configuration order. */
export async function integrationHealth(
  db: Kysely<Database>,
  config: ProvisioConfig,
  now: Date = new Date(),
): Promise<IntegrationHealth[]> {
  const health: IntegrationHealth[] = []
  for (const integration of Object.values(config.integrations)) {
    health.push(await healthOf(db, integration, now))
  }
  return health
}

async function healthOf(
  db: Kysely<Database>,
  integration: IntegrationConfig,
  now: Date,
): Promise<IntegrationHealth> {
  const name = integration.name
  const runs = db.selectFrom('extraction_runs').selectAll().where('integration', '=', name)
  const lastSuccess = await runs
    .where('status', '=', 'succeeded')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  const lastRun = await runs
    .where('status', '!=', 'running')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  const running = await runs
    .where('status', '=', 'running')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  const lastError = lastRun?.status === 'failed' ? lastRun : undefined
  const due = lastSuccess
    ? new Date(lastSuccess.started_at).getTime() + integration.extractionInterval
    : now.getTime()
  const status: IntegrationHealth['status'] = !lastSuccess
    ? lastError
      ? 'failing'
      : 'never extracted'
    : lastError
      ? 'failing'
      : due + integration.extractionInterval < now.getTime()
        ? 'overdue'
        : 'healthy'
  return {
    integration: name,
    vendor: integration.vendor,
    lifecycleManagement: lifecycleState(integration, lastSuccess !== undefined),
    status,
    lastSuccess: lastSuccess
      ? {
          runId: lastSuccess.id,
          at: lastSuccess.finished_at ?? lastSuccess.started_at,
          durationMs: lastSuccess.duration_ms,
          mode: lastSuccess.mode,
        }
      : null,
    lastError: lastError
      ? {
          runId: lastError.id,
          at: lastError.finished_at ?? lastError.started_at,
          message: lastError.error ?? 'failed',
        }
      : null,
    running: running ? { runId: running.id, startedAt: running.started_at } : null,
    counts: await graphCounts(db, name),
    nextExtractionAt: new Date(Math.max(nextDueTime(lastRun, integration) ?? 0, now.getTime())).toISOString(),
  }
}

async function graphCounts(db: Kysely<Database>, integration: string): Promise<IntegrationHealth['counts']> {
  const count = async (table: 'accounts' | 'groups' | 'memberships') => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('integration', '=', integration)
      .where('removed_at', 'is', null)
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }
  return {
    accounts: await count('accounts'),
    groups: await count('groups'),
    memberships: await count('memberships'),
  }
}

function lifecycleState(integration: IntegrationConfig, extracted: boolean): LifecycleState {
  if (!integration.lifecycleManagement) return 'disabled'
  return extracted ? 'enabled' : 'refused'
}

/** Lifecycle management asked for an integration the access graph has never seen. */
export class LifecycleRefusedError extends Error {
  readonly integration: string

  constructor(integration: string) {
    super(
      `integrations.${integration}.lifecycleManagement: true is refused: ${integration} has no successful extraction yet, so Provisio does not know what accounts and groups it holds. Run \`provisio extract ${integration}\` (and check \`provisio health\`), then try again.`,
    )
    this.name = 'LifecycleRefusedError'
    this.integration = integration
  }
}

/** Throws LifecycleRefusedError unless lifecycle actions may write to the integration. */
export async function assertLifecycleAllowed(
  db: Kysely<Database>,
  integration: IntegrationConfig,
): Promise<void> {
  if (!integration.lifecycleManagement) {
    throw new Error(
      `integrations.${integration.name}.lifecycleManagement is not true: lifecycle actions are off for it`,
    )
  }
  const extracted = await db
    .selectFrom('extraction_runs')
    .select('id')
    .where('integration', '=', integration.name)
    .where('status', '=', 'succeeded')
    .limit(1)
    .executeTakeFirst()
  if (!extracted) throw new LifecycleRefusedError(integration.name)
}
