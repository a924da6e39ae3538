/**
 * Rollback: the inverse of a finished run, built from its journal. Created accounts are deleted
 * or deactivated (as the integration's `deprovision` says), updates restore the prior values the
 * journal kept, memberships added are removed and the reverse, deprovisioned accounts come back
 * with their groups. Operations that changed nothing (adoptions, already absent) are not inverted.
 */
import { addMembersOperations, patchRequestBody, removeMembersOperations } from '../scim/index.ts'
import { ActionError } from './errors.ts'
import { plannedId, plannedSeq } from './integration-graph.ts'
import type { OperationDetails, Plan, PlannedOperation, PlanProblem } from './plan.ts'
import { planCost } from './plan-cost.ts'
import type { PlanningTarget } from './planner.ts'
import type { JournaledOperation } from './run-records.ts'
import { createUserBody, diffUser, resolveUserAttributes } from './user-attributes.ts'

/** Outcomes after which the target is as it was before the operation: nothing to undo. */
const NO_CHANGE = new Set(['already absent', 'already gone'])

/** The plan that undoes a run's succeeded operations, newest first. */
export function planRollback(
  journal: readonly JournaledOperation[],
  targets: ReadonlyMap<string, PlanningTarget>,
): Plan {
  const operations: PlannedOperation[] = []
  const problems: PlanProblem[] = []
  /** Deleted account id → the operation recreating it, so its groups can take the new account back. */
  const recreated = new Map<string, number>()
  const add = (
    forward: JournaledOperation,
    op: Omit<PlannedOperation, 'seq' | 'integration' | 'action' | 'identity' | 'lane'>,
  ): number => {
    const seq = operations.length + 1
    operations.push({
      seq,
      integration: forward.integration,
      action: 'rollback',
      identity: forward.identity,
      lane: forward.lane,
      ...op,
    })
    return seq
  }
  const succeeded = withResultIds(journal).filter(
    (op) => op.status === 'succeeded' && !NO_CHANGE.has(op.outcome ?? ''),
  )
  for (const forward of [...succeeded].reverse()) {
    const target = targets.get(forward.integration)
    if (!target) {
      problems.push({
        kind: 'error',
        integration: forward.integration,
        action: 'rollback',
        identity: forward.identity,
        message: `${forward.integration} is no longer configured`,
      })
      continue
    }
    if (forward.outcome?.startsWith('adopted')) {
      if (forward.kind === 'create_user' || forward.kind === 'create_group') {
        problems.push({
          kind: 'error',
          integration: forward.integration,
          action: 'rollback',
          identity: forward.identity,
          message: `operation ${forward.seq} adopted an account that existed before the run: left as it is`,
        })
      }
      continue
    }
    try {
      invert(forward, target, add, recreated)
    } catch (error) {
      if (!(error instanceof ActionError)) throw error
      problems.push({
        kind: 'error',
        integration: forward.integration,
        action: 'rollback',
        identity: forward.identity,
        message: error.message,
      })
    }
  }
  return { operations, problems, unchanged: 0, cost: planCost(operations, targets, true) }
}

/**
 * The journal with its `bulkId:opN` references (a group or account created earlier in the run,
 * as planned) replaced by the ids those operations returned: what the target actually holds.
 */
function withResultIds(journal: readonly JournaledOperation[]): JournaledOperation[] {
  const ids = new Map<number, string>()
  for (const op of journal) if (op.status === 'succeeded' && op.resultId) ids.set(op.seq, op.resultId)
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const seq = plannedSeq(value)
      return seq === undefined ? value : (ids.get(seq) ?? value)
    }
    if (Array.isArray(value)) return value.map(swap)
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, swap(v)]))
    }
    return value
  }
  return journal.map((op) => ({ ...op, details: swap(op.details) as OperationDetails }))
}

type Add = (
  forward: JournaledOperation,
  op: Omit<PlannedOperation, 'seq' | 'integration' | 'action' | 'identity' | 'lane'>,
) => number

function invert(
  forward: JournaledOperation,
  target: PlanningTarget,
  add: Add,
  recreated: Map<string, number>,
): void {
  const id = forward.resultId ?? forward.details.targetId ?? ''
  const { capabilities } = target
  const method = capabilities.patch ? 'PATCH' : 'PUT'
  const patch = (
    endpoint: '/Users' | '/Groups',
    kind: PlannedOperation['kind'],
    targetId: string,
    ops: NonNullable<OperationDetails['patch']>,
    details: Partial<OperationDetails> = {},
  ) =>
    add(forward, {
      kind,
      method,
      path: `${endpoint}/${targetId}`,
      body: patchRequestBody(ops, capabilities),
      details: { dependsOn: [], targetId, patch: ops, ...details },
    })
  switch (forward.kind) {
    case 'create_user':
      if (target.config.deprovision === 'delete') {
        add(forward, {
          kind: 'delete_user',
          method: 'DELETE',
          path: `/Users/${id}`,
          details: { dependsOn: [], targetId: id },
        })
      } else {
        patch('/Users', 'deactivate_user', id, [{ op: 'replace', path: 'active', value: false }], {
          changes: { active: { from: true, to: false } },
        })
      }
      return
    case 'update_user':
    case 'deactivate_user': {
      const changes = forward.details.changes ?? {}
      const prior = Object.fromEntries(Object.entries(changes).map(([name, change]) => [name, change.from]))
      const now = Object.fromEntries(Object.entries(changes).map(([name, change]) => [name, change.to]))
      const resolved = resolveUserAttributes(prior, (name) => target.index.lookup('User', name), {
        integration: target.config.name,
        identity: forward.identity,
        extensionSchemas: target.config.extensionSchemas,
      })
      const current = { ...(target.graph.account(id)?.attributes() ?? now) }
      const { operations, changes: inverse } = diffUser(current, resolved, { exact: true })
      if (operations.length > 0) patch('/Users', 'update_user', id, operations, { changes: inverse })
      return
    }
    case 'delete_user': {
      const prior = forward.details.prior ?? {}
      const writable = Object.fromEntries(
        Object.entries(prior.attributes ?? {}).filter(([name]) => {
          const entry = target.index.lookup('User', name)
          return (
            entry !== undefined &&
            entry.mutability !== 'readOnly' &&
            !['created_at', 'last_modified', 'manager_display_name'].includes(name)
          )
        }),
      )
      const resolved = resolveUserAttributes(writable, (name) => target.index.lookup('User', name), {
        integration: target.config.name,
        identity: forward.identity,
        extensionSchemas: target.config.extensionSchemas,
      })
      const seq = add(forward, {
        kind: 'create_user',
        method: 'POST',
        path: '/Users',
        body: createUserBody(resolved),
        details: {
          dependsOn: [],
          match: { userName: String(prior.attributes?.user_name ?? forward.identity) },
        },
      })
      recreated.set(id, seq)
      for (const groupId of prior.groups ?? []) {
        const ops = addMembersOperations([plannedId(seq)], capabilities.maxMembersPerPatch)[0] ?? []
        patch('/Groups', 'add_members', groupId, ops, {
          dependsOn: [seq],
          members: [plannedId(seq)],
          memberType: 'User',
        })
      }
      return
    }
    case 'add_members':
    case 'remove_members': {
      const groupId = forward.details.targetId ?? ''
      const members = forward.details.members ?? []
      const adding = forward.kind === 'remove_members'
      const memberIds = members.map((m) => (recreated.has(m) ? plannedId(recreated.get(m) as number) : m))
      const ops = adding
        ? (addMembersOperations(memberIds, Math.max(memberIds.length, 1))[0] ?? [])
        : (removeMembersOperations(
            memberIds,
            capabilities.memberRemoval === 'replace-all' ? 'filter-path' : capabilities.memberRemoval,
            Math.max(memberIds.length, 1),
          )[0] ?? [])
      const dependsOn = memberIds.flatMap((m) => (m.startsWith('bulkId:op') ? [Number(m.slice(9))] : []))
      patch('/Groups', adding ? 'add_members' : 'remove_members', groupId, ops, {
        dependsOn,
        members: memberIds,
        memberType: forward.details.memberType ?? 'User',
        ...(forward.details.groupName === undefined ? {} : { groupName: forward.details.groupName }),
        ...(forward.details.memberNames === undefined ? {} : { memberNames: forward.details.memberNames }),
      })
      return
    }
    case 'create_group':
      add(forward, {
        kind: 'delete_group',
        method: 'DELETE',
        path: `/Groups/${id}`,
        details: { dependsOn: [], targetId: id },
      })
      return
    case 'update_group': {
      const paths: Record<string, string> = {
        external_id: 'externalId',
        description: 'description',
        group_type: 'groupType',
      }
      const ops = Object.entries(forward.details.changes ?? {}).map(([name, change]) =>
        change.from === null || change.from === undefined
          ? { op: 'remove' as const, path: paths[name] ?? name }
          : { op: 'replace' as const, path: paths[name] ?? name, value: change.from },
      )
      if (ops.length > 0) patch('/Groups', 'update_group', id, ops)
      return
    }
    case 'delete_group':
      throw new ActionError(
        `operation ${forward.seq} deleted group ${forward.identity}; a deleted group cannot be brought back with its id`,
        {
          integration: forward.integration,
          identity: forward.identity,
        },
      )
  }
}
