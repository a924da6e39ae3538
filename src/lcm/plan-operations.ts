/**
 * The operations a plan is made of, appended in plan order, and the rules that tie them together:
 * lanes (operations of one user or group run in order; lanes run in parallel) and dependencies on
 * resources that earlier operations of the plan create.
 */
import { addMembersOperations, patchRequestBody, removeMembersOperations } from '../scim/patch-builder.ts'
import type { PatchOperation } from '../scim/resources.ts'
import { plannedSeq } from './integration-graph.ts'
import type { OperationDetails, PlannedOperation } from './plan.ts'
import type { PlanningTarget } from './planner.ts'

/** The action an operation serves: which one, on which integration. */
export interface ActionRef {
  action: PlannedOperation['action']
  integration: string
}

/** A plan's operations as they are added. */
export class PlanOperations {
  readonly operations: PlannedOperation[] = []

  /** One PATCH per chunk of members the target takes at once. */
  membership(
    target: PlanningTarget,
    action: ActionRef,
    kind: 'add_members' | 'remove_members',
    lane: string,
    groupId: string,
    groupName: string,
    memberIds: readonly string[],
    memberNames: readonly string[],
    memberType: 'User' | 'Group',
  ): void {
    const { capabilities, graph } = target
    const size = Math.max(1, capabilities.maxMembersPerPatch)
    for (let i = 0; i < memberIds.length; i += size) {
      const ids = memberIds.slice(i, i + size)
      const names = memberNames.slice(i, i + size)
      const operations =
        kind === 'add_members'
          ? (addMembersOperations(ids, size)[0] ?? [])
          : (removeMembersOperations(
              ids,
              capabilities.memberRemoval === 'replace-all' ? 'filter-path' : capabilities.memberRemoval,
              size,
            )[0] ?? [])
      const dependsOn: number[] = []
      addDependency(dependsOn, groupId)
      for (const id of ids) addDependency(dependsOn, id)
      this.patch(target, action, kind, names.join(', '), lane, '/Groups', groupId, operations, {
        dependsOn,
        members: ids,
        memberType,
        groupName,
        memberNames: names,
      })
      for (const id of ids) {
        if (kind === 'add_members') graph.addMember(groupId, id)
        else graph.removeMember(groupId, id)
      }
    }
  }

  /** A PATCH of a resource, or a PUT where the target has no PATCH (the executor reads, applies, writes). */
  patch(
    target: PlanningTarget,
    action: ActionRef,
    kind: PlannedOperation['kind'],
    identity: string,
    lane: string,
    endpoint: '/Users' | '/Groups',
    id: string,
    operations: PatchOperation[],
    details: OperationDetails,
  ): number {
    const method = target.capabilities.patch ? 'PATCH' : 'PUT'
    return this.add(
      action,
      kind,
      identity,
      lane,
      method,
      `${endpoint}/${id}`,
      patchRequestBody(operations, target.capabilities),
      {
        ...details,
        targetId: id,
        patch: operations,
      },
    )
  }

  /** Appends an operation; returns its sequence number (1-based, in plan order). */
  add(
    action: ActionRef,
    kind: PlannedOperation['kind'],
    identity: string,
    lane: string,
    method: PlannedOperation['method'],
    path: string,
    body: unknown,
    details: OperationDetails,
  ): number {
    const seq = this.operations.length + 1
    this.operations.push({
      seq,
      integration: action.integration,
      action: action.action,
      kind,
      identity,
      lane,
      method,
      path,
      ...(body === undefined ? {} : { body }),
      details,
    })
    return seq
  }
}

/** Lanes: operations of one user (or group) run in plan order; different lanes run in parallel. */
export function userLane(integration: string, userName: string): string {
  return `${integration}:user:${userName.toLowerCase()}`
}

/** The lane of a group's operations. */
export function groupLane(integration: string, displayName: string): string {
  return `${integration}:group:${displayName.toLowerCase()}`
}

/** Adds the operation creating `id` (a planned resource) to `dependsOn`, once. */
export function addDependency(dependsOn: number[], id: string): void {
  const seq = plannedSeq(id)
  if (seq !== undefined && !dependsOn.includes(seq)) dependsOn.push(seq)
}

/** The operation creating `id`, when it is a planned resource. */
export function dependencyOf(id: string): number[] {
  const seq = plannedSeq(id)
  return seq === undefined ? [] : [seq]
}
