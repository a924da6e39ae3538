/**
 * Runs an integration's operations through SCIM Bulk: as many per request as the target takes,
 * with `bulkId` references so that a user created in a request can be put in a group by the same
 * request. Journaled per batch (one commit before the request, one after), and lane order kept:
 * a batch holds at most one operation of a lane unless the later refers to the earlier.
 */
import type { BulkOperation, BulkResult } from '../scim/index.ts'
import { patchRequestBody, ScimUniquenessError } from '../scim/index.ts'
import {
  type ExecutionState,
  failedDependency,
  type RunContext,
  requestOf,
  runOne,
  skip,
} from './executor.ts'
import { plannedSeq } from './integration-graph.ts'
import {
  type ExecutionTarget,
  looksUpBeforeCreate,
  outcomeUnknown,
  performedFrom,
} from './operation-runner.ts'
import type { PlannedOperation } from './plan.ts'
import type { JournaledOperation } from './run-records.ts'

/** Runs the operations batch by batch until none is left (or the integration is paused). */
export async function runBulkBatches(ops: readonly JournaledOperation[], context: RunContext): Promise<void> {
  const { state, target } = context
  // Operations whose outcome is unknown, and read-modify-write ones, go one by one.
  const single = ops.filter((op) => op.status === 'sending' || op.method === 'PUT')
  for (const op of single) {
    if (state.quarantine.reason(op.integration)) return
    const blocked = await failedDependency(op, state)
    if (blocked === 'paused') return
    if (blocked !== undefined) await skip(op, blocked, context)
    else await runOne(op, context)
  }
  let remaining = ops.filter((op) => !single.includes(op))
  const max = Math.max(1, target.client.capabilities.bulk.maxOperations)
  while (remaining.length > 0) {
    if (state.quarantine.reason(target.config.name)) return
    const { batch, skipped, later } = takeBatch(remaining, state, max)
    for (const { op, cause } of skipped) await skip(op, cause, context)
    if (batch.length === 0) {
      // Nothing is ready (a dependency is in another integration): run the first one alone.
      const [first, ...rest] = later
      if (!first) break
      const blocked = await failedDependency(first, state)
      if (blocked === 'paused') return
      if (blocked !== undefined) await skip(first, blocked, context)
      else await runOne(first, context)
      remaining = rest
      continue
    }
    const found = await alreadyInTarget(batch, target)
    if (found.length > 0) {
      // Made behind the graph's back: adopted one by one, the rest batched again.
      for (const op of found) await runOne(op, context)
      remaining = [...batch.filter((op) => !found.includes(op)), ...later].sort((a, b) => a.seq - b.seq)
      continue
    }
    await sendBatch(batch, context)
    remaining = later
  }
}

/**
 * The creates of a batch whose account or group the target already has, looked up as a single
 * create would be (one query for many names): a target that does not answer 409 would take them twice.
 */
async function alreadyInTarget(
  batch: readonly JournaledOperation[],
  target: ExecutionTarget,
): Promise<JournaledOperation[]> {
  const checked = batch.filter((op) => looksUpBeforeCreate(op, target))
  const found = await Promise.all(
    checked.map((op) =>
      op.kind === 'create_user'
        ? target.lookup.user(String((op.body as { userName?: unknown }).userName))
        : target.lookup.group(String((op.body as { displayName?: unknown }).displayName)),
    ),
  )
  return checked.filter((_, i) => found[i] !== undefined)
}

interface Taken {
  batch: JournaledOperation[]
  skipped: Array<{ op: JournaledOperation; cause: number }>
  later: JournaledOperation[]
}

function takeBatch(remaining: readonly JournaledOperation[], state: ExecutionState, max: number): Taken {
  const batch: JournaledOperation[] = []
  const inBatch = new Set<number>()
  const skipped: Taken['skipped'] = []
  const later: JournaledOperation[] = []
  const laneInBatch = new Map<string, number>()
  const laneWaiting = new Set<string>()
  const laneFailed = state.failedLanes
  for (const op of remaining) {
    const failedCause = laneFailed.get(op.lane) ?? failedDependencyNow(op, state)
    if (failedCause !== undefined) {
      skipped.push({ op, cause: failedCause })
      laneFailed.set(op.lane, failedCause)
      continue
    }
    const ready =
      batch.length < max &&
      !laneWaiting.has(op.lane) &&
      (laneInBatch.get(op.lane) === undefined ||
        op.details.dependsOn.includes(laneInBatch.get(op.lane) as number)) &&
      op.details.dependsOn.every((seq) => state.settled.get(seq)?.ok === true || inBatch.has(seq)) &&
      !targetInBatch(op, inBatch)
    if (!ready) {
      later.push(op)
      laneWaiting.add(op.lane)
      continue
    }
    batch.push(op)
    inBatch.add(op.seq)
    laneInBatch.set(op.lane, op.seq)
  }
  return { batch, skipped, later }
}

/** A dependency already known to have failed. */
function failedDependencyNow(op: PlannedOperation, state: ExecutionState): number | undefined {
  return op.details.dependsOn.find((seq) => state.settled.get(seq)?.ok === false)
}

/** The resource an operation changes is created in this same batch: its id is not known yet. */
function targetInBatch(op: PlannedOperation, inBatch: ReadonlySet<number>): boolean {
  const seq = op.details.targetId === undefined ? undefined : plannedSeq(op.details.targetId)
  return seq !== undefined && inBatch.has(seq)
}

async function sendBatch(batch: readonly JournaledOperation[], context: RunContext): Promise<void> {
  const { journal, state, target } = context
  const resolved = batch.map((op) => state.resolve(op))
  const auditIds = await journal.sending(resolved, requestOf, context.now())
  const request = bulkRequest(resolved, target.client.capabilities)
  let results: BulkResult[]
  try {
    const answered = await target.client.bulk(request.operations)
    // Back to one result per operation of the batch: those merged share their request's.
    results = request.indexOf.map((k) => answered[k] as BulkResult)
  } catch (error) {
    const paused = state.quarantine.record(target.config.name, error)
    if (paused) state.pause(target.config.name, paused)
    if (!outcomeUnknown(error) && !state.quarantine.reason(target.config.name)) {
      // The request was refused as a whole: each operation gets the reason (one commit for all).
      await Promise.all(
        resolved.map((op, i) =>
          journal.answered(
            op,
            { status: 'failed', error: String(error instanceof Error ? error.message : error) },
            context.now(),
            auditIds[i],
          ),
        ),
      )
      for (const op of resolved) {
        state.settle(op.seq, { ok: false, resultId: null })
        state.done += 1
      }
      context.progress()
      return
    }
    // Unknown outcome: each operation is verified against the target and completed one by one.
    for (const op of batch) {
      if (state.quarantine.reason(target.config.name)) return
      await runOne({ ...op, status: 'sending' }, context)
    }
    return
  }
  state.quarantine.record(target.config.name, undefined)
  const context2 = { runId: context.runId, now: () => context.now().toISOString(), verifying: false }
  const retry: JournaledOperation[] = []
  /** Operations that referred to a create being retried: the target could not resolve their bulkId. */
  const waiting: JournaledOperation[] = []
  const retried = new Set<number>()
  /** Members of a merged add that failed: sent again one by one, so the others are not failed with it. */
  const separately: JournaledOperation[] = []
  // The answers are queued together so the journal commits them as one transaction: awaiting each
  // in turn cost a commit per operation. Settling before that commit is safe: an operation waiting
  // on one of these queues its own "sending" record behind these answers, and is sent only once
  // that record is committed.
  const answers: Promise<void>[] = []
  for (const [i, result] of results.entries()) {
    const journaled = batch[i] as JournaledOperation
    // Resolved again: references to creates earlier in this batch now carry the ids they returned,
    // so what the graph records is what the target holds.
    const op = state.resolve(journaled)
    const error = result.error
    const alreadyDone =
      (op.kind === 'remove_members' &&
        (error as { scimType?: unknown } | undefined)?.scimType === 'noTarget') ||
      ((op.kind === 'delete_user' || op.kind === 'delete_group') && result.status === 404)
    if (!error || alreadyDone) {
      const outcome = alreadyDone
        ? op.kind === 'remove_members'
          ? 'already absent'
          : 'already gone'
        : successOutcome(op)
      const performed = performedFrom(
        op,
        target,
        context2,
        result.response,
        result.status,
        result.id,
        outcome,
      )
      answers.push(
        journal.answered(
          op,
          { status: 'succeeded', outcome, responseStatus: result.status, resultId: performed.resultId },
          context.now(),
          auditIds[i],
          performed.graph,
        ),
      )
      state.settle(op.seq, { ok: true, resultId: performed.resultId ?? null })
      state.done += 1
      continue
    }
    const pending = {
      status: 'pending' as const,
      responseStatus: result.status || undefined,
      error: error.message,
    }
    if (error instanceof ScimUniquenessError && (op.kind === 'create_user' || op.kind === 'create_group')) {
      answers.push(journal.answered(op, pending, context.now(), auditIds[i]))
      retry.push(journaled)
      retried.add(op.seq)
      continue
    }
    if (op.details.dependsOn.some((seq) => retried.has(seq))) {
      answers.push(journal.answered(op, pending, context.now(), auditIds[i]))
      waiting.push(journaled)
      continue
    }
    if (request.merged.has(request.indexOf[i] as number)) {
      answers.push(journal.answered(op, pending, context.now(), auditIds[i]))
      separately.push(journaled)
      continue
    }
    answers.push(
      journal.answered(
        op,
        { status: 'failed', responseStatus: result.status || undefined, error: error.message },
        context.now(),
        auditIds[i],
      ),
    )
    state.settle(op.seq, { ok: false, resultId: null })
    if (!state.failedLanes.has(op.lane)) state.failedLanes.set(op.lane, op.seq)
    state.done += 1
  }
  await Promise.all(answers)
  context.progress()
  // A 409 on a create says the account is there: it is looked up and adopted, not sent again.
  for (const op of retry) await runOne({ ...op, status: 'sending' }, context)
  // Then what referred to it is sent again, with the adopted id, and the adds of a failed merge.
  for (const op of [...waiting, ...separately].sort((a, b) => a.seq - b.seq)) {
    const blocked = await failedDependency(op, state)
    if (blocked === 'paused') return
    if (blocked !== undefined) await skip(op, blocked, context)
    else await runOne(op, context)
  }
}

function successOutcome(op: PlannedOperation): string {
  if (op.kind === 'create_user' || op.kind === 'create_group') return 'created'
  if (op.kind === 'delete_user' || op.kind === 'delete_group') return 'deleted'
  return 'changed'
}

/** A batch as bulk operations: `indexOf[i]` is the operation carrying batch operation i. */
interface BulkRequestPlan {
  operations: BulkOperation[]
  indexOf: number[]
  /** Operations carrying the members of several adds. */
  merged: Set<number>
}

/**
 * The bulk operations of a batch, where adds of members to the same group become one PATCH (up
 * to the target's members per PATCH): a target checks and rewrites a large group once per PATCH,
 * so a batch of joiners spread over a few groups costs it a few group writes instead of hundreds.
 * A merged PATCH sits where its last add was, after the creates its members refer to.
 */
function bulkRequest(
  ops: readonly PlannedOperation[],
  capabilities: Parameters<typeof patchRequestBody>[1] & { maxMembersPerPatch: number },
): BulkRequestPlan {
  const chunkOf = new Map<number, number[]>()
  const open = new Map<string, { indices: number[]; members: number }>()
  const most = Math.max(1, capabilities.maxMembersPerPatch)
  for (const [i, op] of ops.entries()) {
    const values = mergeableMembers(op)
    if (!values) continue
    const key = `${op.details.targetId}\u0000${op.details.memberType ?? 'User'}`
    let chunk = open.get(key)
    if (!chunk || chunk.members + values.length > most) {
      chunk = { indices: [], members: 0 }
      open.set(key, chunk)
    }
    chunk.indices.push(i)
    chunk.members += values.length
    chunkOf.set(i, chunk.indices)
  }
  const plan: BulkRequestPlan = { operations: [], indexOf: [], merged: new Set() }
  for (const [i, op] of ops.entries()) {
    const chunk = chunkOf.get(i)
    if (!chunk || chunk.length === 1) {
      plan.indexOf[i] = plan.operations.length
      plan.operations.push(bulkOperation(op, capabilities))
      continue
    }
    if (i !== chunk[chunk.length - 1]) continue
    const k = plan.operations.length
    for (const j of chunk) plan.indexOf[j] = k
    plan.merged.add(k)
    const value = chunk.flatMap((j) => mergeableMembers(ops[j] as PlannedOperation) ?? [])
    plan.operations.push({
      method: 'PATCH',
      path: `/Groups/${encodeURIComponent(op.details.targetId ?? '')}`,
      bulkId: `op${op.seq}`,
      data: patchRequestBody([{ op: 'add', path: 'members', value }], capabilities),
    })
  }
  return plan
}

/** The member values of an add to an existing group, when it is a plain add that can be merged. */
function mergeableMembers(op: PlannedOperation): unknown[] | undefined {
  const patch = op.details.patch
  const targetId = op.details.targetId
  if (op.kind !== 'add_members' || !patch || patch.length !== 1 || targetId === undefined) return undefined
  if (plannedSeq(targetId) !== undefined || !op.path.startsWith('/Groups/')) return undefined
  const [add] = patch
  if (add?.op !== 'add' || add.path !== 'members' || !Array.isArray(add.value)) return undefined
  return add.value
}

function bulkOperation(
  op: PlannedOperation,
  capabilities: Parameters<typeof patchRequestBody>[1],
): BulkOperation {
  const bulkId = `op${op.seq}`
  const id = op.details.targetId ?? ''
  const endpoint = op.path.startsWith('/Groups') ? '/Groups' : '/Users'
  switch (op.kind) {
    case 'create_user':
    case 'create_group':
      return { method: 'POST', path: endpoint, bulkId, data: op.body }
    case 'delete_user':
    case 'delete_group':
      return { method: 'DELETE', path: `${endpoint}/${encodeURIComponent(id)}`, bulkId }
    default:
      return {
        method: 'PATCH',
        path: `${endpoint}/${encodeURIComponent(id)}`,
        bulkId,
        data: patchRequestBody(op.details.patch ?? [], capabilities),
      }
  }
}
