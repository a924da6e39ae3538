/**
 * Policies running continuously inside `provisio serve`: each policy runs when its source is due
 * (its poll interval passed, its file changed, or webhook events wait), and lifecycle runs a dead
 * process left behind, or a quarantine paused, are resumed. One process at a time does this (a
 * lease), however many share the database.
 */
import { type FSWatcher, watch } from 'node:fs'
import { resolve } from 'node:path'
import type { Kysely } from 'kysely'
import type { PolicyConfig, ProvisioConfig, SourceConfig } from '../config/index.ts'
import type { LifecycleEngine } from '../lcm/index.ts'
import { activeQuarantine } from '../lcm/quarantine.ts'
import { abandonedRuns } from '../lcm/run-records.ts'
import { lastSnapshot, pendingEvents } from '../sources/index.ts'
import { acquireLease, type Database, releaseLease, type Store } from '../store/index.ts'
import { compileCondition } from './conditions.ts'
import { runPolicy } from './policy-runner.ts'

const LEASE = 'policy-service'

export interface PolicyServiceOptions {
  store: Store
  config: ProvisioConfig
  engine: LifecycleEngine
  holder: string
  log: (line: string) => void
  tickMs?: number
  leaseMs?: number
  now?: () => Date
}

/** The leaver predicate of a source, compiled once (webhook deliveries need it too). */
export function leaverPredicate(
  source: SourceConfig,
): ((attributes: Readonly<Record<string, unknown>>) => boolean) | undefined {
  if (source.leaver === undefined) return undefined
  const condition = compileCondition(source.leaver, { location: `source "${source.name}" leaver` })
  return (attributes) => condition.matches(attributes, new Date())
}

/** Runs policies as their sources change, and resumes stopped runs. */
export class PolicyService {
  readonly #options: Required<Omit<PolicyServiceOptions, 'tickMs' | 'leaseMs' | 'now'>> & {
    tickMs: number
    leaseMs: number
    now: () => Date
  }
  readonly #changed = new Set<string>()
  readonly #watchers: FSWatcher[] = []
  #timer: NodeJS.Timeout | undefined
  #ticking: Promise<void> | undefined

  constructor(options: PolicyServiceOptions) {
    this.#options = { tickMs: 5_000, leaseMs: 60_000, now: () => new Date(), ...options }
  }

  /** Starts watching files and ticking; the first tick runs at once. */
  start(): void {
    if (this.#timer) return
    for (const source of Object.values(this.#options.config.sources)) {
      if (source.kind !== 'csv' && source.kind !== 'json') continue
      try {
        const watcher = watch(resolve(this.#options.config.baseDir, source.path), () => {
          this.#changed.add(source.name)
          void this.tick()
        })
        watcher.on('error', () => watcher.close())
        this.#watchers.push(watcher)
      } catch {
        // A file that is not there yet is read on its poll interval; its refusal is logged then.
      }
    }
    this.#timer = setInterval(() => void this.tick(), this.#options.tickMs)
    void this.tick()
  }

  /** Stops, waiting for a policy run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    for (const watcher of this.#watchers) watcher.close()
    await this.#ticking
    await releaseLease(this.#options.store.db, LEASE, this.#options.holder)
  }

  /** One pass: resume stopped runs, then run every policy whose source is due. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined
    })
    return this.#ticking
  }

  async #tick(): Promise<void> {
    const { store, holder, leaseMs, log } = this.#options
    const now = this.#options.now()
    if (!(await acquireLease(store.db, LEASE, holder, leaseMs, { now }))) return
    try {
      await this.#resumeRuns(now)
      for (const policy of this.#options.config.policies) {
        if (policy.state === 'paused') continue
        if (!(await this.#due(policy, now))) continue
        this.#changed.delete(policy.source)
        try {
          const outcome = await runPolicy(policy, {
            store,
            config: this.#options.config,
            engine: this.#options.engine,
            mode: 'apply',
            now: this.#options.now,
          })
          const events = outcome.identities.filter((i) => i.workflows.length > 0).length
          if (outcome.source.status === 'refused')
            log(`policy ${policy.name}: source ${policy.source} refused: ${outcome.source.error ?? ''}`)
          else if (events > 0 || outcome.run)
            log(
              `policy ${policy.name}: ${events} identities, ${outcome.plan.operations.length} operations${outcome.run ? `, run ${outcome.run.id} ${outcome.run.status}` : ''}`,
            )
        } catch (error) {
          log(`policy ${policy.name} failed: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    } catch (error) {
      log(`policy service: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** Due: the file changed, webhook events wait, or the poll interval passed since the last read. */
  async #due(policy: PolicyConfig, now: Date): Promise<boolean> {
    const source = this.#options.config.sources[policy.source]
    if (!source) return false
    const db = this.#options.store.db
    if (source.kind === 'webhook')
      return (await pendingEvents(db, source.name, `policy:${policy.name}`, { limit: 1 })).length > 0
    if (this.#changed.has(source.name)) return true
    const last = await lastSnapshot(db, source.name)
    return !last || Date.parse(last.taken_at) + source.pollInterval <= now.getTime()
  }

  /** Runs left running by a dead process, and runs paused by a quarantine that has expired. */
  async #resumeRuns(now: Date): Promise<void> {
    const db: Kysely<Database> = this.#options.store.db
    const stopped = await abandonedRuns(db, now)
    const quarantined = await db
      .selectFrom('lcm_runs')
      .select('id')
      .where('status', '=', 'quarantined')
      .orderBy('created_at')
      .execute()
    for (const { id } of quarantined) {
      const integrations = await db
        .selectFrom('lcm_operations')
        .select('integration')
        .distinct()
        .where('run_id', '=', id)
        .where('status', 'in', ['pending', 'sending'])
        .execute()
      const paused = await Promise.all(integrations.map((i) => activeQuarantine(db, i.integration, now)))
      if (paused.every((reason) => reason === undefined)) stopped.push(id)
    }
    for (const id of stopped) {
      try {
        const summary = await this.#options.engine.execute(id)
        this.#options.log(`resumed run ${id}: ${summary.status}`)
      } catch (error) {
        this.#options.log(
          `resuming run ${id} failed: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
  }
}
