/**
 * One extraction of one integration: discovery, users and groups streamed page by page into
 * staging, then applied to the access graph in one transaction. A failed page fails the run
 * loudly and leaves the previous graph as it was.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { buildAttributeIndex } from '../graph/index.ts'
import { type Filter, type ScimClient, where } from '../scim/index.ts'
import { startBackgroundCheckpoints } from '../store/background-checkpoints.ts'
import { acquireLease, readLease, releaseLease } from '../store/leases.ts'
import type { Database } from '../store/tables.ts'
import { completeDirectRun, discardDirectRun, graphIsEmpty } from './direct-run.ts'
import { ExtractionError } from './extraction-error.ts'
import type {
  ExtractionMode,
  ExtractionProgress,
  ExtractionSummary,
  ExtractionTarget,
} from './extraction-target.ts'
import { applyStagedRun, graphGroupsStateMembers } from './graph-apply.ts'
import { prefetch } from './prefetch.ts'
import {
  failAbandonedRuns,
  finishRunRecord,
  heartbeat,
  lastSuccessfulRun,
  recordRunMode,
  startRunRecord,
} from './run-records.ts'
import { forgetSchemas, replaceSchemas } from './schema-records.ts'
import { clearStaging, type StagingContext, StagingWriter } from './staging.ts'

export interface ExtractionOptions {
  /** `full` reads everything; `incremental` only what changed since the last success; default full. */
  mode?: ExtractionMode
  onProgress?: (progress: ExtractionProgress) => void
  now?: () => Date
}

const HEARTBEAT_EVERY_MS = 2_000

/** Clock skew tolerated between us and the target when asking for changes since the last run. */
const INCREMENTAL_OVERLAP_MS = 5 * 60_000

/**
 * How long an extraction holds its integration without renewing (it renews with every heartbeat).
 * As long as the scheduler waits before it declares a silent run abandoned.
 */
const EXTRACTION_LEASE_MS = 10 * 60_000

/** Another extraction of the same integration is running, in this process or another. */
export class ExtractionBusyError extends Error {
  readonly integration: string

  constructor(integration: string, until: string | undefined) {
    super(
      `Extraction of ${integration} not started: another extraction of it is running${until ? ` (its claim runs until ${until} unless renewed)` : ''}. The access graph is unchanged.`,
    )
    this.name = 'ExtractionBusyError'
    this.integration = integration
  }
}

/**
 * Extracts one integration into the access graph and records the run. One extraction of an
 * integration runs at a time, across processes sharing the store; another one is refused with
 * ExtractionBusyError.
 */
export async function runExtraction(
  db: Kysely<Database>,
  target: ExtractionTarget,
  options: ExtractionOptions = {},
): Promise<ExtractionSummary> {
  const now = options.now ?? (() => new Date())
  const lease = `extraction:${target.integration}`
  const holder = randomUUID()
  if (!(await acquireLease(db, lease, holder, EXTRACTION_LEASE_MS, { now: now() }))) {
    throw new ExtractionBusyError(target.integration, (await readLease(db, lease))?.expiresAt)
  }
  const renew = async (at: Date) => {
    if (!(await acquireLease(db, lease, holder, EXTRACTION_LEASE_MS, { now: at }))) {
      throw new Error(`another process took over the extraction of ${target.integration}`)
    }
  }
  try {
    // Holding the integration, any run of it still marked running belongs to a process that died
    // (a live one would hold the claim): it is failed now rather than left looking busy.
    await failAbandonedRuns(db, now(), 0, target.integration)
    return await extract(db, target, options, now, renew)
  } finally {
    await releaseLease(db, lease, holder).catch(() => undefined)
  }
}

async function extract(
  db: Kysely<Database>,
  target: ExtractionTarget,
  options: ExtractionOptions,
  now: () => Date,
  renew: (at: Date) => Promise<void>,
): Promise<ExtractionSummary> {
  const started = now()
  const notes: string[] = []
  const baseline =
    options.mode === 'incremental' ? await lastSuccessfulRun(db, target.integration) : undefined
  if (options.mode === 'incremental' && !baseline) {
    notes.push('full extraction: no earlier successful extraction to start from')
  }
  let mode: ExtractionMode = baseline ? 'incremental' : 'full'
  const runId = await startRunRecord(db, target.integration, mode, started.toISOString())
  let into: StagingContext['into'] = 'staging'
  let stopCheckpoints: (() => Promise<void>) | undefined
  const progress: ExtractionProgress = { phase: 'discovery', pages: 0, users: 0, groups: 0, memberships: 0 }
  const report = (update: Partial<ExtractionProgress>) => {
    Object.assign(progress, update)
    options.onProgress?.({ ...progress })
  }
  let lastBeat = 0
  // Progress is recorded every few seconds, not every page: each record is a write.
  const beat = async () => {
    const at = now()
    if (at.getTime() - lastBeat < HEARTBEAT_EVERY_MS) return
    lastBeat = at.getTime()
    await renew(at)
    await heartbeat(db, runId, at.toISOString(), counts(progress))
  }
  try {
    stopCheckpoints = await startBackgroundCheckpoints(db)
    report({})
    const discovery = await target.client.discover({ schemas: target.extensionSchemas })
    // What the target filters on is known once discovery has refined the capabilities.
    if (mode === 'incremental' && !filtersOnLastModified(target.client)) {
      notes.push('full extraction: the target cannot filter on meta.lastModified')
      mode = 'full'
      await recordRunMode(db, runId, mode)
    }
    const since =
      mode === 'incremental' && baseline
        ? new Date(new Date(baseline.started_at).getTime() - INCREMENTAL_OVERLAP_MS).toISOString()
        : undefined
    // A first extraction has no previous graph to keep whole: it writes once, straight into the graph.
    into = mode === 'full' && (await graphIsEmpty(db, target.integration)) ? 'graph' : 'staging'
    const index = target.extensionSchemas
      ? buildAttributeIndex(discovery.schemas ?? [], discovery.resourceTypes)
      : undefined
    if (target.extensionSchemas && !discovery.schemas)
      notes.push('the target has no /Schemas: extensions not extracted')
    const staging = new StagingWriter({
      db,
      runId,
      integration: target.integration,
      index,
      into,
      now: started.toISOString(),
    })
    const changedSince = since ? where.gt('meta.lastModified', since) : undefined

    // Groups first: when they carry their members, User.groups (which states the same edges
    // again) is not needed; targets that only offer User.groups still give the graph its memberships.
    const withGroups = target.groups && target.client.capabilities.groups
    if (!withGroups) notes.push('users only: the target has no groups')
    let groupsCarryMembers = false
    if (withGroups) {
      for await (const page of prefetch(target.client.groups.pages(listQuery(target.client, changedSince)))) {
        groupsCarryMembers ||= page.resources.some((group) => Array.isArray(group.members))
        await staging.stageGroups(page.resources, page.texts)
        report({
          phase: 'groups',
          pages: progress.pages + 1,
          groups: progress.groups + page.resources.length,
          expected: page.totalResults,
        })
        await beat()
      }
      if (groupsCarryMembers) await staging.stageGroupMemberships()
    }
    // An incremental run may have read no group with members (none changed, or only emptied
    // ones); the graph then tells whether this target states members on its groups at all.
    // Without groups in the graph, User.groups would only name groups that are not there.
    const membershipsFromUsers =
      withGroups &&
      !groupsCarryMembers &&
      !(mode === 'incremental' && (await graphGroupsStateMembers(db, target.integration)))
    for await (const page of prefetch(target.client.users.pages(listQuery(target.client, changedSince)))) {
      await staging.stageUsers(page.resources, membershipsFromUsers, page.texts)
      report({
        phase: 'users',
        pages: progress.pages + 1,
        users: progress.users + page.resources.length,
        expected: page.totalResults,
      })
      await beat()
    }

    await staging.flush()
    report({ phase: 'applying' })
    await renew(now())
    const applied =
      into === 'graph'
        ? await completeDirectRun(db, target.integration)
        : await applyStagedRun(
            db,
            runId,
            target.integration,
            mode,
            now().toISOString(),
            membershipsFromUsers ? 'users' : 'groups',
          )
    progress.memberships = applied.membershipsSeen
    if (index)
      await replaceSchemas(db, target.integration, discovery.schemas ?? [], index, now().toISOString())
    // Without the flag custom extensions are not writable: a reverse index from before must go.
    else await forgetSchemas(db, target.integration)
    await clearStaging(db, runId)
    const finished = now()
    const durationMs = finished.getTime() - started.getTime()
    await finishRunRecord(db, runId, {
      status: 'succeeded',
      ...counts(progress),
      rows_written: applied.rowsWritten,
      rows_removed: applied.rowsRemoved,
      error: null,
      finishedAt: finished.toISOString(),
      durationMs,
    })
    return {
      runId,
      integration: target.integration,
      mode,
      status: 'succeeded',
      usersSeen: progress.users,
      groupsSeen: progress.groups,
      membershipsSeen: progress.memberships,
      rowsWritten: applied.rowsWritten,
      rowsRemoved: applied.rowsRemoved,
      durationMs,
      notes,
    }
  } catch (error) {
    const failure = new ExtractionError(target.integration, runId, progress.phase, error)
    await (into === 'graph' ? discardDirectRun(db, target.integration) : clearStaging(db, runId)).catch(
      () => undefined,
    )
    const finished = now()
    await finishRunRecord(db, runId, {
      status: 'failed',
      ...counts(progress),
      rows_written: 0,
      rows_removed: 0,
      error: failure.message,
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    })
    throw failure
  } finally {
    await stopCheckpoints?.()
  }
}

function counts(progress: ExtractionProgress) {
  return { users_seen: progress.users, groups_seen: progress.groups, memberships_seen: progress.memberships }
}

function listQuery(client: ScimClient, changedSince: Filter | undefined) {
  return {
    pageSize: client.capabilities.pagination.pageSize,
    ...(changedSince ? { filter: changedSince } : {}),
  }
}

/** Whether the target evaluates `meta.lastModified gt …` itself, so an incremental read is cheap. */
function filtersOnLastModified(client: ScimClient): boolean {
  const filter = client.capabilities.filter
  return filter.supported && filter.operators.includes('gt')
}
