/**
 * The extraction schedule inside `provisio serve`: each integration is extracted every
 * `extractionInterval`. Several processes may share one database; a lease makes one of them the
 * scheduler at a time, and another takes over when it stops renewing.
 */
import type { Kysely } from 'kysely'
import type { IntegrationConfig, ProvisioConfig } from '../config/index.ts'
import { acquireLease, type Database, type ExtractionRunsTable, releaseLease } from '../store/index.ts'
import { failAbandonedRuns } from './run-records.ts'

const LEASE_NAME = 'extraction-scheduler'
/** A failed extraction is tried again sooner than the interval, but not in a tight loop. */
const RETRY_AFTER_FAILURE_MS = 10 * 60_000
/** A running extraction that has not reported progress for this long belongs to a dead process. */
const ABANDONED_AFTER_MS = 10 * 60_000

export interface SchedulerOptions {
  db: Kysely<Database>
  config: ProvisioConfig
  /** Identifies this process in the lease. */
  holder: string
  extract: (integration: IntegrationConfig) => Promise<unknown>
  log?: (line: string) => void
  tickMs?: number
  leaseMs?: number
  now?: () => Date
}

export class ExtractionScheduler {
  readonly #options: Required<Omit<SchedulerOptions, 'log'>> & Pick<SchedulerOptions, 'log'>
  #timer: NodeJS.Timeout | undefined
  #ticking: Promise<void> | undefined

  constructor(options: SchedulerOptions) {
    this.#options = { tickMs: 15_000, leaseMs: 60_000, now: () => new Date(), ...options }
  }

  /** Starts ticking; the first tick runs at once. Calling it twice is harmless. */
  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.tick(), this.#options.tickMs)
    void this.tick()
  }

  /** Stops ticking, waits for an extraction in progress, and gives up the lease. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#ticking
    await releaseLease(this.#options.db, LEASE_NAME, this.#options.holder)
  }

  /** One pass: if this process holds the lease, extracts every integration that is due. */
  tick(): Promise<void> {
    // A tick that outlasts the interval must not overlap the next one.
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined
    })
    return this.#ticking
  }

  async #tick(): Promise<void> {
    const { db, config, holder, leaseMs, now, extract, log } = this.#options
    try {
      if (!(await acquireLease(db, LEASE_NAME, holder, leaseMs, { now: now() }))) return
      await failAbandonedRuns(db, now(), ABANDONED_AFTER_MS)
      for (const integration of Object.values(config.integrations)) {
        if (!(await isDue(db, integration, now()))) continue
        // Renew before each extraction so a long one does not let another process take over.
        if (!(await acquireLease(db, LEASE_NAME, holder, leaseMs, { now: now() }))) return
        try {
          await extract(integration)
        } catch (error) {
          log?.(`scheduled extraction of ${integration.name} failed: ${(error as Error).message}`)
        }
      }
    } catch (error) {
      log?.(`extraction scheduler: ${(error as Error).message}; trying again in ${this.#options.tickMs} ms`)
    }
  }
}

/** Whether an integration's next extraction is due: never run, or its interval (or failure retry) elapsed. */
export async function isDue(
  db: Kysely<Database>,
  integration: IntegrationConfig,
  now: Date,
): Promise<boolean> {
  const last = await db
    .selectFrom('extraction_runs')
    .select(['status', 'started_at'])
    .where('integration', '=', integration.name)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  const due = nextDueTime(last, integration)
  return due !== undefined && due <= now.getTime()
}

/**
 * When the schedule extracts an integration next (epoch ms), given its last run: at once when it
 * never ran, its interval after a success, the failure back-off after a failure; undefined while
 * one runs.
 */
export function nextDueTime(
  last: Pick<ExtractionRunsTable, 'status' | 'started_at'> | undefined,
  integration: Pick<IntegrationConfig, 'extractionInterval'>,
): number | undefined {
  if (!last) return 0
  if (last.status === 'running') return undefined
  const wait =
    last.status === 'failed'
      ? Math.min(integration.extractionInterval, RETRY_AFTER_FAILURE_MS)
      : integration.extractionInterval
  return new Date(last.started_at).getTime() + wait
}
