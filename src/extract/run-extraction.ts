/**
 * One extraction of one integration: discovery, users and groups streamed page by page into
 * staging, then applied to the access graph in one transaction. A failed page fails the run
 * loudly and leaves the previous graph as it was.
 */
import type { Kysely } from 'kysely'
import { buildAttributeIndex } from '../graph/index.ts'
import { type Filter, type ScimClient, where } from '../scim/index.ts'
import type { Database } from '../store/tables.ts'
import { ExtractionError } from './extraction-error.ts'
import type {
  ExtractionMode,
  ExtractionProgress,
  ExtractionSummary,
  ExtractionTarget,
} from './extraction-target.ts'
import { applyStagedRun, completeDirectRun, discardDirectRun, graphIsEmpty } from './graph-apply.ts'
import { prefetch } from './prefetch.ts'
import { finishRunRecord, heartbeat, lastSuccessfulRun, startRunRecord } from './run-records.ts'
import { replaceSchemas } from './schema-records.ts'
import { clearStaging, type StagingContext, stageGroups, stageUsers } from './staging.ts'

export interface ExtractionOptions {
  /** `full` reads everything; `incremental` only what changed since the last success; default full. */
  mode?: ExtractionMode
  onProgress?: (progress: ExtractionProgress) => void
  now?: () => Date
}

const HEARTBEAT_EVERY_MS = 2_000

/** Clock skew tolerated between us and the target when asking for changes since the last run. */
const INCREMENTAL_OVERLAP_MS = 5 * 60_000

/** Extracts one integration into the access graph and records the run. */
export async function runExtraction(
  db: Kysely<Database>,
  target: ExtractionTarget,
  options: ExtractionOptions = {},
): Promise<ExtractionSummary> {
  const now = options.now ?? (() => new Date())
  const started = now()
  const notes: string[] = []
  const since = options.mode === 'incremental' ? await incrementalBaseline(db, target, notes) : undefined
  const mode: ExtractionMode = since ? 'incremental' : 'full'
  const runId = await startRunRecord(db, target.integration, mode, started.toISOString())
  // A first extraction has no previous graph to keep whole: it writes once, straight into the graph.
  const into = mode === 'full' && (await graphIsEmpty(db, target.integration)) ? 'graph' : 'staging'
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
    await heartbeat(db, runId, at.toISOString(), counts(progress))
  }
  try {
    report({})
    const discovery = await target.client.discover({ schemas: target.extensionSchemas })
    const index = target.extensionSchemas
      ? buildAttributeIndex(discovery.schemas ?? [], discovery.resourceTypes)
      : undefined
    if (target.extensionSchemas && !discovery.schemas)
      notes.push('the target has no /Schemas: extensions not extracted')
    const context: StagingContext = {
      db,
      runId,
      integration: target.integration,
      index,
      into,
      now: started.toISOString(),
    }
    const changedSince = since ? where.gt('meta.lastModified', since) : undefined

    // Groups first: when they carry their members, User.groups (which states the same edges
    // again) is not needed; targets that only offer User.groups still give the graph its memberships.
    const withGroups = target.groups && target.client.capabilities.groups
    if (!withGroups) notes.push('users only: the target has no groups')
    let groupsCarryMembers = false
    if (withGroups) {
      for await (const page of prefetch(target.client.groups.pages(listQuery(target.client, changedSince)))) {
        groupsCarryMembers ||= page.resources.some((group) => Array.isArray(group.members))
        await stageGroups(context, page.resources)
        report({
          phase: 'groups',
          pages: progress.pages + 1,
          groups: progress.groups + page.resources.length,
          expected: page.totalResults,
        })
        await beat()
      }
    }
    const membershipsFromUsers = !groupsCarryMembers
    for await (const page of prefetch(target.client.users.pages(listQuery(target.client, changedSince)))) {
      await stageUsers(context, page.resources, membershipsFromUsers)
      report({
        phase: 'users',
        pages: progress.pages + 1,
        users: progress.users + page.resources.length,
        expected: page.totalResults,
      })
      await beat()
    }

    report({ phase: 'applying' })
    const applied =
      into === 'graph'
        ? await completeDirectRun(db, target.integration)
        : await applyStagedRun(db, runId, target.integration, mode, now().toISOString())
    progress.memberships = applied.membershipsSeen
    if (index)
      await replaceSchemas(db, target.integration, discovery.schemas ?? [], index, now().toISOString())
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

/**
 * When an incremental extraction can run: after a successful one, against a target that filters
 * on `meta.lastModified gt`. Otherwise the run is full and the notes say why.
 */
async function incrementalBaseline(
  db: Kysely<Database>,
  target: ExtractionTarget,
  notes: string[],
): Promise<string | undefined> {
  const filter = target.client.capabilities.filter
  if (!filter.supported || !filter.operators.includes('gt')) {
    notes.push('full extraction: the target cannot filter on meta.lastModified')
    return undefined
  }
  const last = await lastSuccessfulRun(db, target.integration)
  if (!last) {
    notes.push('full extraction: no earlier successful extraction to start from')
    return undefined
  }
  return new Date(new Date(last.started_at).getTime() - INCREMENTAL_OVERLAP_MS).toISOString()
}
