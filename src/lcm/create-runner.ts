/**
 * Creates, safely: a create whose answer was lost, or that met a 409, or whose account a look-up
 * finds first, adopts what the target has (brought to the wanted values) instead of repeating.
 */
import { type ScimGroup, ScimUniquenessError, type ScimUser } from '../scim/index.ts'
import { adoptionOperations, missingMembers } from './adoption.ts'
import { ActionError } from './errors.ts'
import {
  type ExecutionTarget,
  outcomeUnknown,
  type PerformContext,
  type Performed,
  UNKNOWN_OUTCOME_ATTEMPTS,
} from './execution-target.ts'
import { addMemberships, linkIdentity, upsertAccount, upsertGroup } from './graph-updates.ts'
import type { PlannedOperation } from './plan.ts'

/**
 * Whether a create is preceded by a look-up of its name: for users unless the target is known to
 * answer a duplicate with 409; for groups always (RFC 7643 does not make displayName unique, and
 * a target that does not enforce it would take a second group of the name; groups are few).
 */
export function looksUpBeforeCreate(op: PlannedOperation, target: Pick<ExecutionTarget, 'profile'>): boolean {
  if (op.kind === 'create_group') return true
  return op.kind === 'create_user' && target.profile.identity.duplicateCreate !== 'conflict'
}

/** The userName a create_user operation creates. */
export function createdUserName(op: PlannedOperation): string {
  return String((op.body as ScimUser).userName)
}

export async function createUser(
  op: PlannedOperation,
  target: ExecutionTarget,
  context: PerformContext,
): Promise<Performed> {
  const body = op.body as ScimUser
  const userName = createdUserName(op)
  // A target that does not answer 409 on a duplicate (or a run that stopped mid-send) is asked first.
  if (context.verifying || looksUpBeforeCreate(op, target)) {
    const existing = context.verifying
      ? await target.lookup.user(userName)
      : await target.lookup.userBeforeCreate(userName)
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

export function userAnswer(
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

export async function createGroup(
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

export function groupAnswer(
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
