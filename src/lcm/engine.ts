/**
 * The lifecycle engine as commands use it: plan actions against the graph, store a plan as a run
 * (waiting for approval when it exceeds a limit), execute, approve, resume, roll back. It opens one
 * SCIM client per integration it touches and closes them all on close().
 */

import type { Kysely } from 'kysely'
import type { IntegrationConfig, ProvisioConfig } from '../config/index.ts'
import { assertLifecycleAllowed } from '../extract/health.ts'
import { AttributeIndex, buildAttributeIndex } from '../graph/reverse-index.ts'
import { SCHEMA, type SchemaDefinition, type ScimClient } from '../scim/index.ts'
import { startBackgroundCheckpoints } from '../store/background-checkpoints.ts'
import type { Database, LcmRunsTable } from '../store/index.ts'
import { vendorProfile } from '../vendors/index.ts'
import { createIntegrationClient } from '../vendors/integration-client.ts'
import type { LifecycleAction } from './actions.ts'
import { RunStateError } from './errors.ts'
import { type ExecutionSummary, executeRun } from './executor.ts'
import { IntegrationGraph } from './integration-graph.ts'
import { checkLimits, type LimitBreach } from './limits.ts'
import type { ExecutionTarget } from './operation-runner.ts'
import type { Plan } from './plan.ts'
import { type PlanningTarget, planActions } from './planner.ts'
import { planRollback } from './rollback.ts'
import { createRun, getRun, runOperations } from './run-records.ts'
import { ResourceLookup } from './user-lookup.ts'

export interface EngineOptions {
  db: Kysely<Database>
  config: ProvisioConfig
  /** Who asks, for runs and the audit trail: `user@host`, or `policy:<name>`. */
  actor: string
  /** This process, for run leases. */
  holder: string
  /** Use SCIM Bulk where a target offers it (default true). */
  bulk?: boolean
  now?: () => Date
  /** Builds the client of an integration (tests inject fault-injecting ones). */
  clientFor?: (integration: IntegrationConfig) => ScimClient
}

/** A stored run and why it waits, if it does. */
export interface StoredRun {
  runId: string
  status: LcmRunsTable['status']
  breaches: LimitBreach[]
}

interface Connected {
  config: IntegrationConfig
  client: ScimClient
  index: AttributeIndex
  groupAttributes: ReadonlySet<string> | undefined
}

/** Plans, stores, executes and reverses runs. */
export class LifecycleEngine {
  readonly #options: EngineOptions
  readonly #connected = new Map<string, Promise<Connected>>()

  constructor(options: EngineOptions) {
    this.#options = options
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date()
  }

  /** The exact operations the actions need, with nothing written. */
  async plan(actions: readonly LifecycleAction[], options: { tolerant?: boolean } = {}): Promise<Plan> {
    // The planner reads the accounts it looks at, and their attributes, itself.
    const targets = await this.#planningTargets(new Set(actions.map((a) => a.integration)), {
      attributes: false,
      accounts: 'on-demand',
    })
    return planActions(actions, targets, {
      bulk: this.#options.bulk !== false,
      tolerant: options.tolerant === true,
    })
  }

  /** Stores a plan as a run: pending, or awaiting approval when it exceeds a limit. */
  async store(
    plan: Plan,
    origin: string,
    extra: {
      kind?: 'apply' | 'rollback'
      rollbackOf?: string
      policyVersion?: string
      /** Thresholds of the caller's own (a policy's limits) the plan already exceeds. */
      breaches?: readonly LimitBreach[]
      /** Recorded only: a dry run is stored for the record and never executed. */
      dryRun?: boolean
    } = {},
  ): Promise<StoredRun> {
    const integrations = new Map<string, IntegrationConfig>()
    for (const op of plan.operations) {
      const config = this.#options.config.integrations[op.integration]
      if (config) integrations.set(op.integration, config)
    }
    const breaches = [
      ...(extra.breaches ?? []),
      ...(await checkLimits(this.#options.db, plan.operations, integrations, this.#now())),
    ]
    const status = extra.dryRun ? 'dry_run' : breaches.length > 0 ? 'awaiting_approval' : 'pending'
    const runId = await createRun(this.#options.db, {
      kind: extra.kind ?? 'apply',
      origin,
      requestedBy: this.#options.actor,
      rollbackOf: extra.rollbackOf,
      policyVersion: extra.policyVersion,
      status,
      ...(breaches.length > 0 ? { limitsReport: breaches } : {}),
      problems: plan.problems,
      operations: plan.operations,
      now: this.#now().toISOString(),
    })
    return { runId, status, breaches }
  }

  /** Executes (or resumes) a stored run. */
  async execute(
    runId: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ExecutionSummary> {
    const run = await getRun(this.#options.db, runId)
    if (run.status === 'awaiting_approval') {
      throw new RunStateError(
        `run ${runId} exceeds a safety limit and waits for approval: \`provisio apply --approve ${runId}\``,
        runId,
      )
    }
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
      throw new RunStateError(`run ${runId} has already ended (${run.status})`, runId)
    }
    const operations = await runOperations(this.#options.db, runId)
    const targets = new Map<string, ExecutionTarget>()
    for (const name of new Set(
      operations
        .filter((op) => op.status === 'pending' || op.status === 'sending')
        .map((op) => op.integration),
    )) {
      const connected = await this.#connect(name)
      targets.set(name, {
        config: connected.config,
        profile: vendorProfile(connected.config.vendor),
        client: connected.client,
        index: connected.index,
        lookup: new ResourceLookup(connected.client),
      })
    }
    const stopCheckpoints = await startBackgroundCheckpoints(this.#options.db)
    try {
      return await executeRun({
        db: this.#options.db,
        runId,
        holder: this.#options.holder,
        actor: this.#options.actor,
        targets,
        bulk: this.#options.bulk !== false,
        now: () => this.#now(),
        ...(onProgress ? { onProgress } : {}),
      })
    } finally {
      await stopCheckpoints()
    }
  }

  /** Approves a run waiting for approval; it can then be executed. */
  async approve(runId: string): Promise<void> {
    const run = await getRun(this.#options.db, runId)
    if (run.status !== 'awaiting_approval')
      throw new RunStateError(`run ${runId} is ${run.status}, not awaiting approval`, runId)
    await this.#options.db
      .updateTable('lcm_runs')
      .set({ status: 'pending', approved_by: this.#options.actor, approved_at: this.#now().toISOString() })
      .where('id', '=', runId)
      .where('status', '=', 'awaiting_approval')
      .execute()
  }

  /** The plan undoing a finished run. */
  async rollbackPlan(runId: string): Promise<Plan> {
    const run = await getRun(this.#options.db, runId)
    if (run.status !== 'succeeded' && run.status !== 'failed') {
      throw new RunStateError(
        `run ${runId} is ${run.status}: only a finished run (succeeded or failed) can be rolled back`,
        runId,
      )
    }
    const journal = await runOperations(this.#options.db, runId)
    const targets = await this.#planningTargets(
      new Set(journal.filter((op) => op.status === 'succeeded').map((op) => op.integration)),
    )
    return planRollback(journal, targets)
  }

  /** Closes every client opened. */
  async close(): Promise<void> {
    const connected = await Promise.allSettled(this.#connected.values())
    await Promise.all(connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value.client.close()] : [])))
  }

  async #planningTargets(
    names: ReadonlySet<string>,
    options: { attributes?: boolean; accounts?: 'all' | 'on-demand' } = {},
  ): Promise<Map<string, PlanningTarget>> {
    const targets = new Map<string, PlanningTarget>()
    for (const name of names) {
      if (!this.#options.config.integrations[name]) continue
      const connected = await this.#connect(name)
      targets.set(name, {
        config: connected.config,
        profile: vendorProfile(connected.config.vendor),
        capabilities: connected.client.capabilities,
        index: connected.index,
        groupAttributes: connected.groupAttributes,
        graph: await IntegrationGraph.load(this.#options.db, name, options),
      })
    }
    return targets
  }

  #connect(name: string): Promise<Connected> {
    let connected = this.#connected.get(name)
    if (!connected) {
      connected = this.#open(name)
      this.#connected.set(name, connected)
    }
    return connected
  }

  async #open(name: string): Promise<Connected> {
    const config = this.#options.config.integrations[name]
    if (!config) throw new RunStateError(`integration ${JSON.stringify(name)} is not configured`)
    await assertLifecycleAllowed(this.#options.db, config)
    const client = (this.#options.clientFor ?? createIntegrationClient)(config)
    await client.discover({ schemas: false })
    const rows = await this.#options.db
      .selectFrom('attribute_index')
      .selectAll()
      .where('integration', '=', name)
      .execute()
    const index = rows.length > 0 ? AttributeIndex.fromRows(rows) : buildAttributeIndex([])
    return { config, client, index, groupAttributes: await declaredGroupAttributes(this.#options.db, name) }
  }
}

/**
 * The attributes (lower-case) the core Group schema of an integration's `/Schemas` declares, as
 * its last extraction stored it; undefined when it was not read (`extensionSchemas` off).
 */
async function declaredGroupAttributes(
  db: Kysely<Database>,
  integration: string,
): Promise<ReadonlySet<string> | undefined> {
  const row = await db
    .selectFrom('target_schemas')
    .select('definition')
    .where('integration', '=', integration)
    .where('urn', '=', SCHEMA.group)
    .executeTakeFirst()
  if (!row) return undefined
  const schema = JSON.parse(row.definition) as SchemaDefinition
  return new Set(
    (schema.attributes ?? []).flatMap((a) => (typeof a.name === 'string' ? [a.name.toLowerCase()] : [])),
  )
}
