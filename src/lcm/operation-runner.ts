/**
 * Performs one journaled operation against its target, safely: creates adopt what is already
 * there (create-runner.ts); a PATCH whose answer was lost is checked against the target before it
 * is sent again; removing what is already gone and deleting what no longer exists are no-ops.
 */
import type { Kysely } from 'kysely'
import { canonicalJson } from '../graph/content-hash.ts'
import {
  applyPatchOperations,
  coreResourceSchemas,
  type PatchOperation,
  patchRequestBody,
  resourceSchemaFor,
  type ScimGroup,
  ScimNotFoundError,
  ScimResponseError,
  type ScimUser,
} from '../scim/index.ts'
import type { Database } from '../store/index.ts'
import { createGroup, createUser, groupAnswer, userAnswer } from './create-runner.ts'
import {
  type ExecutionTarget,
  outcomeUnknown,
  type PerformContext,
  type Performed,
  UNKNOWN_OUTCOME_ATTEMPTS,
} from './execution-target.ts'
import {
  addMemberships,
  linkIdentity,
  markRemoved,
  patchAccountAttributes,
  removeMemberships,
  upsertAccount,
  upsertGroup,
} from './graph-updates.ts'
import type { PlannedOperation } from './plan.ts'

export { createdUserName, looksUpBeforeCreate } from './create-runner.ts'
export {
  type ExecutionTarget,
  outcomeUnknown,
  type PerformContext,
  type Performed,
} from './execution-target.ts'

/** Sends an operation whose `bulkId:opN` references are already resolved to ids. */
export async function performOperation(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  switch (op.kind) {
    case 'create_user':
      return createUser(op, target, context)
    case 'create_group':
      return createGroup(op, target, context)
    case 'delete_user':
    case 'delete_group':
      return deleteResource(op, target, context)
    default:
      return patchResource(op, target, context)
  }
}

async function deleteResource(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  const id = op.details.targetId ?? ''
  const table = op.kind === 'delete_user' ? 'accounts' : 'groups'
  const now = context.now()
  const graph = (trx: Kysely<Database>) => markRemoved(trx, target.config.name, table, id, now)
  try {
    const response = await target.client.transport.request({
      method: 'DELETE',
      path: resourcePath(op, id),
      expect: 'none',
    })
    return { outcome: 'deleted', responseStatus: response.status, resultId: id, graph }
  } catch (error) {
    if (error instanceof ScimNotFoundError)
      return { outcome: 'already gone', responseStatus: 404, resultId: id, graph }
    throw error
  }
}

async function patchResource(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  const id = op.details.targetId ?? ''
  const operations = op.details.patch ?? []
  const isGroup = op.path.startsWith('/Groups/')
  const resources = isGroup ? target.client.groups : target.client.users
  // An add sent twice can add twice (a target may list a member twice): once it may have landed
  // (sent before a crash, or its answer lost), the target is compared with the change applied first.
  const adds = operations.some((o) => o.op === 'add')
  for (let attempt = 1; ; attempt += 1) {
    if (adds && (context.verifying || attempt > 1)) {
      const current = await resources.get(id)
      const applied = applyPatchOperations(
        current,
        operations,
        resourceSchemaFor(coreResourceSchemas(), isGroup ? '/Groups' : '/Users'),
      )
      if (sameResource(current, applied))
        return patchAnswer(op, target, context, id, current, 'already applied', 200)
    }
    try {
      return await sendPatch(op, target, context, id, operations)
    } catch (error) {
      // RFC 7644 §3.5.2.2: removing a member who is not there answers noTarget; it is already absent.
      if (
        op.kind === 'remove_members' &&
        error instanceof ScimResponseError &&
        error.scimType === 'noTarget'
      ) {
        return patchAnswer(op, target, context, id, undefined, 'already absent', error.status)
      }
      if (!outcomeUnknown(error) || attempt >= UNKNOWN_OUTCOME_ATTEMPTS) throw error
    }
  }
}

async function sendPatch(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
  id: string,
  operations: PatchOperation[],
): Promise<Performed> {
  const isGroup = op.path.startsWith('/Groups/')
  if (!target.client.capabilities.patch) {
    const resources = isGroup ? target.client.groups : target.client.users
    const changed = await resources.patch(id, operations)
    return patchAnswer(op, target, context, id, changed, 'changed (read, changed and written back)', 200)
  }
  const response = await target.client.transport.request({
    method: 'PATCH',
    path: resourcePath(op, id),
    body: patchRequestBody(operations, target.client.capabilities),
    // No excludedAttributes=members here, though a large group's answer is big: some servers
    // (scimmy, DEVIATIONS.md row 15) apply it to what they store and drop the members.
    idempotent: operations.every((o) => o.op !== 'add'),
    // A membership change needs only the status: the graph takes the members from the plan, so a
    // group's answer (all its members) is not parsed.
    ...(isMembershipChange(op) ? { expect: 'none' as const } : {}),
  })
  return patchAnswer(
    op,
    target,
    context,
    id,
    response.body as ScimUser | undefined,
    'changed',
    response.status,
  )
}

function patchAnswer(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
  id: string,
  resource: ScimUser | ScimGroup | undefined,
  outcome: string,
  status: number,
): Performed {
  const now = context.now()
  const integration = target.config.name
  const { details } = op
  return {
    outcome,
    responseStatus: status,
    resultId: id,
    graph: async (trx) => {
      switch (op.kind) {
        case 'add_members':
          await addMemberships(trx, integration, id, details.members ?? [], details.memberType ?? 'User', now)
          return
        case 'remove_members':
          await removeMemberships(trx, integration, id, details.members ?? [], now)
          return
        case 'update_group':
          if (resource?.id) await upsertGroup(trx, integration, resource as ScimGroup, target.index, now)
          return
        default:
          if (resource?.id) await upsertAccount(trx, integration, resource as ScimUser, target.index, now)
          else {
            const values = Object.fromEntries(
              Object.entries(details.changes ?? {}).map(([k, v]) => [k, v.to]),
            )
            await patchAccountAttributes(trx, integration, id, values, now)
          }
          if (details.identity !== undefined)
            await linkIdentity(trx, integration, details.identity, id, context.runId, now)
      }
    },
  }
}

function isMembershipChange(op: PlannedOperation): boolean {
  return op.kind === 'add_members' || op.kind === 'remove_members'
}

/** `/Users/<id>` with the id percent-encoded. */
function resourcePath(op: PlannedOperation, id: string): string {
  return `${op.path.startsWith('/Groups/') ? '/Groups' : '/Users'}/${encodeURIComponent(id)}`
}

function sameResource(a: object, b: object): boolean {
  const { meta: _a, ...left } = a as Record<string, unknown>
  const { meta: _b, ...right } = b as Record<string, unknown>
  return canonicalJson(left) === canonicalJson(right)
}

/** What a successful answer (from a bulk response) means for the graph, as a single request's would. */
export function performedFrom(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
  response: unknown,
  status: number,
  resultId: string | undefined,
  outcome: string,
): Performed {
  const id = resultId ?? op.details.targetId ?? ''
  const resource =
    response && typeof response === 'object' && (response as { id?: unknown }).id
      ? (response as ScimUser)
      : undefined
  switch (op.kind) {
    case 'create_user':
      return userAnswer(op, target, context, resource ?? { ...(op.body as ScimUser), id }, outcome, status)
    case 'create_group':
      return groupAnswer(
        target,
        context,
        resource ?? { ...(op.body as ScimGroup), id },
        op.details.members ?? [],
        outcome,
        status,
      )
    case 'delete_user':
    case 'delete_group': {
      const now = context.now()
      const table = op.kind === 'delete_user' ? 'accounts' : 'groups'
      return {
        outcome,
        responseStatus: status,
        resultId: id,
        graph: (trx) => markRemoved(trx, target.config.name, table, id, now),
      }
    }
    default:
      return patchAnswer(op, target, context, id, resource, outcome, status)
  }
}
