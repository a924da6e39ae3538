/**
 * Performs one journaled operation against its target, safely: a create whose answer was lost, or
 * that met a 409, is resolved by looking the resource up and adopting it, never by a blind repeat;
 * removing what is already gone and deleting what no longer exists are no-ops, not failures.
 */
import type { Kysely } from 'kysely'
import type { IntegrationConfig } from '../config/index.ts'
import { canonicalJson } from '../graph/content-hash.ts'
import type { AttributeIndex } from '../graph/reverse-index.ts'
import {
  applyPatchOperations,
  coreResourceSchemas,
  type PatchOperation,
  patchRequestBody,
  resourceSchemaFor,
  type ScimClient,
  type ScimGroup,
  ScimMalformedResponseError,
  ScimNetworkError,
  ScimNotFoundError,
  ScimResponseError,
  ScimUniquenessError,
  type ScimUser,
} from '../scim/index.ts'
import type { Database } from '../store/index.ts'
import type { VendorProfile } from '../vendors/index.ts'
import { adoptionOperations, missingMembers } from './adoption.ts'
import { ActionError } from './errors.ts'
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
import type { ResourceLookup } from './user-lookup.ts'

/** What an executor needs of one integration. */
export interface ExecutionTarget {
  config: IntegrationConfig
  profile: VendorProfile
  client: ScimClient
  index: AttributeIndex
  lookup: ResourceLookup
}

/** How an operation ended well, and what the graph learns from it. */
export interface Performed {
  outcome: string
  responseStatus: number
  resultId?: string
  graph?: (trx: Kysely<Database>) => Promise<void>
}

export interface PerformContext {
  runId: string
  now: () => string
  /** The operation was being sent when its run stopped: its effect may already be there. */
  verifying: boolean
}

/**
 * Attempts of a request whose outcome stayed unknown (answer lost, 5xx) after the transport's own
 * retries; between two, the target is read to learn whether the first one landed.
 */
const UNKNOWN_OUTCOME_ATTEMPTS = 5

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

/** Whether an error leaves it unknown if the target did the work (the answer was lost or garbled). */
export function outcomeUnknown(error: unknown): boolean {
  if (error instanceof ScimNetworkError) return true
  if (error instanceof ScimMalformedResponseError)
    return error.status >= 200 && error.status < 300 ? true : error.status >= 500
  return error instanceof ScimResponseError && (error.status >= 500 || error.status === 408)
}

/**
 * Whether a create is preceded by a look-up of its name: for users unless the target is known to
 * answer a duplicate with 409; for groups always (RFC 7643 does not make displayName unique, and
 * a target that does not enforce it would take a second group of the name; groups are few).
 */
export function looksUpBeforeCreate(op: PlannedOperation, target: ExecutionTarget): boolean {
  if (op.kind === 'create_group') return true
  return op.kind === 'create_user' && target.profile.identity.duplicateCreate !== 'conflict'
}

async function createUser(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  const body = op.body as ScimUser
  const userName = String(body.userName)
  // A target that does not answer 409 on a duplicate (or a run that stopped mid-send) is asked first.
  if (context.verifying || looksUpBeforeCreate(op, target)) {
    const existing = await target.lookup.user(userName)
    if (existing)
      return adoptUser(
        op,
        target,
        context,
        existing,
        body,
        context.verifying ? 'adopted (found before sending again)' : 'adopted (already in the target)',
      )
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await target.client.transport.request({
        method: 'POST',
        path: '/Users',
        body,
        idempotent: false,
      })
      const created = response.body as ScimUser
      return userAnswer(op, target, context, created, 'created', response.status)
    } catch (error) {
      if (error instanceof ScimUniquenessError) {
        const existing = await target.lookup.user(userName)
        if (!existing) throw error
        if (existing.externalId && body.externalId && existing.externalId !== body.externalId) {
          throw new ActionError(
            `${userName} already exists in ${target.config.name} as another person (externalId ${existing.externalId}, wanted ${body.externalId}); resolve it by hand`,
            { integration: target.config.name, identity: userName },
          )
        }
        return adoptUser(op, target, context, existing, body, 'adopted (409: already in the target)')
      }
      if (!outcomeUnknown(error) || attempt >= UNKNOWN_OUTCOME_ATTEMPTS) throw error
      const existing = await target.lookup.user(userName)
      if (existing)
        return adoptUser(op, target, context, existing, body, 'adopted (the create answer was lost)')
    }
  }
}

/** Takes an existing account as the identity's, bringing it to the wanted values. */
async function adoptUser(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
  existing: ScimUser,
  wanted: ScimUser,
  outcome: string,
): Promise<Performed> {
  const id = existing.id ?? ''
  const operations = adoptionOperations(existing, wanted)
  if (operations.length === 0) return userAnswer(op, target, context, existing, outcome, 200)
  const changed = (await target.client.users.patch(id, operations)) ?? (await target.client.users.get(id))
  return userAnswer(op, target, context, changed, outcome, 200)
}

function userAnswer(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
  user: ScimUser,
  outcome: string,
  status: number,
): Performed {
  const id = user.id ?? ''
  const now = context.now()
  return {
    outcome,
    responseStatus: status,
    resultId: id,
    graph: async (trx) => {
      await upsertAccount(trx, target.config.name, user, target.index, now)
      if (op.details.identity !== undefined)
        await linkIdentity(trx, target.config.name, op.details.identity, id, context.runId, now)
    },
  }
}

async function createGroup(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  const body = op.body as ScimGroup
  const name = String(body.displayName)
  const members = op.details.members ?? []
  const adopt = async (existing: ScimGroup, outcome: string): Promise<Performed> => {
    const id = existing.id ?? ''
    // Only the members it lacks: some targets list a member added twice twice.
    const missing = members.length > 0 ? missingMembers(await target.client.groups.get(id), members) : []
    if (missing.length > 0) await target.client.addGroupMembers(id, missing)
    return groupAnswer(target, context, existing, members, outcome, 200)
  }
  if (context.verifying || looksUpBeforeCreate(op, target)) {
    const existing = await target.lookup.group(name)
    if (existing)
      return adopt(
        existing,
        context.verifying ? 'adopted (found before sending again)' : 'adopted (already in the target)',
      )
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await target.client.transport.request({
        method: 'POST',
        path: '/Groups',
        body,
        idempotent: false,
      })
      return groupAnswer(target, context, response.body as ScimGroup, members, 'created', response.status)
    } catch (error) {
      if (error instanceof ScimUniquenessError) {
        const existing = await target.lookup.group(name)
        if (existing) return adopt(existing, 'adopted (409: already in the target)')
        throw error
      }
      if (!outcomeUnknown(error) || attempt >= UNKNOWN_OUTCOME_ATTEMPTS) throw error
      const existing = await target.lookup.group(name)
      if (existing) return adopt(existing, 'adopted (the create answer was lost)')
    }
  }
}

function groupAnswer(
  target: ExecutionTarget,
  context: PerformContext,
  group: ScimGroup,
  members: readonly string[],
  outcome: string,
  status: number,
): Performed {
  const now = context.now()
  return {
    outcome,
    responseStatus: status,
    resultId: group.id ?? '',
    graph: async (trx) => {
      await upsertGroup(trx, target.config.name, group, target.index, now)
      await addMemberships(trx, target.config.name, group.id ?? '', members, 'User', now)
    },
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
    // A group's whole member list in every answer would cost more than the change itself.
    query:
      isGroup && target.client.capabilities.attributeSelection
        ? { excludedAttributes: 'members' }
        : undefined,
    idempotent: operations.every((o) => o.op !== 'add'),
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
