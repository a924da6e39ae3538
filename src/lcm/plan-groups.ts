/**
 * Planning what happens to groups themselves: creating a group or adopting the one of that name,
 * and the checks every group change passes (the target has groups; the vendor does not manage the
 * group itself).
 */
import type { PatchOperation } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import { isProtectedGroup } from '../vendors/index.ts'
import { actionSubject, type CreateEntitlementAction, type LifecycleAction } from './actions.ts'
import { ActionError } from './errors.ts'
import { plannedId } from './integration-graph.ts'
import { addDependency, dependencyOf, groupLane, type PlanOperations } from './plan-operations.ts'
import { accountOf } from './plan-reads.ts'
import type { PlanningTarget } from './planner.ts'

/**
 * `description` and `group_type` are not RFC 7643 Group attributes: they are sent where vendors
 * that have them take them (top level), unless the target's `/Schemas` shows it has no such
 * attribute, which is said here rather than by a refused request.
 */
function refuseUndeclared(target: PlanningTarget, spec: CreateEntitlementAction['group']): void {
  const declared = target.groupAttributes
  if (!declared) return
  const wanted: Array<[string, unknown, string]> = [
    ['description', spec.description, 'description'],
    ['group_type', spec.group_type, 'groupType'],
  ]
  for (const [name, value, attribute] of wanted) {
    if (value === undefined || declared.has(attribute.toLowerCase())) continue
    throw new ActionError(
      `create_entitlement ${spec.display_name}: ${target.config.name} has no Group attribute "${attribute}" (its /Schemas does not declare one), so ${name} cannot be set there; leave it out for this integration`,
      { integration: target.config.name, identity: spec.display_name },
    )
  }
}

/** Creates a group, or adopts the one of that name: attributes brought in line, members added. */
export function createOrAdoptGroup(
  ops: PlanOperations,
  target: PlanningTarget,
  spec: CreateEntitlementAction['group'],
  action: 'create_entitlement' | 'manage_relationships',
): void {
  const { graph, config } = target
  const lane = groupLane(config.name, spec.display_name)
  const memberIds = spec.members.map((userName) => {
    const account = accountOf(target, userName, undefined)
    if (!account) {
      throw new ActionError(
        `create_entitlement ${spec.display_name}: member ${userName} has no account in ${config.name}`,
        {
          integration: config.name,
          identity: spec.display_name,
        },
      )
    }
    return account.id
  })
  refuseUndeclared(target, spec)
  const wanted: Record<string, unknown> = {
    external_id: spec.external_id,
    description: spec.description,
    group_type: spec.group_type,
  }
  const existing = graph.groupByName(spec.display_name)
  const pseudo = { action, integration: config.name } as const
  if (!existing) {
    const body: Record<string, unknown> = { schemas: [SCHEMA.group], displayName: spec.display_name }
    if (spec.external_id !== undefined) body.externalId = spec.external_id
    if (spec.description !== undefined) body.description = spec.description
    if (spec.group_type !== undefined) body.groupType = spec.group_type
    if (memberIds.length > 0) body.members = memberIds.map((value) => ({ value }))
    const dependsOn: number[] = []
    for (const id of memberIds) addDependency(dependsOn, id)
    const seq = ops.add(pseudo, 'create_group', spec.display_name, lane, 'POST', '/Groups', body, {
      dependsOn,
      members: memberIds,
      memberType: 'User',
      memberNames: [...spec.members],
      match: { displayName: spec.display_name },
    })
    const attributes = Object.fromEntries(
      Object.entries({ display_name: spec.display_name, ...wanted }).filter(([, v]) => v !== undefined),
    )
    graph.addGroup({ id: plannedId(seq), displayName: spec.display_name, attributes })
    for (const id of memberIds) graph.addMember(plannedId(seq), id)
    return
  }
  const operations: PatchOperation[] = []
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  const paths: Record<string, string> = {
    external_id: 'externalId',
    description: 'description',
    group_type: 'groupType',
  }
  for (const [name, value] of Object.entries(wanted)) {
    if (value === undefined || existing.attributes[name] === value) continue
    changes[name] = { from: existing.attributes[name] ?? null, to: value }
    operations.push({ op: 'replace', path: paths[name] ?? name, value })
  }
  if (operations.length > 0) {
    ops.patch(target, pseudo, 'update_group', spec.display_name, lane, '/Groups', existing.id, operations, {
      dependsOn: dependencyOf(existing.id),
      changes,
    })
    Object.assign(existing.attributes, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])))
  }
  if (memberIds.length > 0) {
    const missing = memberIds
      .map((id, i) => ({ id, name: spec.members[i] ?? id }))
      .filter(({ id }) => !graph.isMember(existing.id, id))
    if (missing.length > 0) {
      ops.membership(
        target,
        pseudo,
        'add_members',
        lane,
        existing.id,
        existing.displayName,
        missing.map((m) => m.id),
        missing.map((m) => m.name),
        'User',
      )
    }
  }
}

/** Refuses an action needing groups on a target that has none. */
export function requireGroups(target: PlanningTarget, action: LifecycleAction): void {
  if (target.profile.groups && target.capabilities.groups) return
  throw new ActionError(
    `${action.action}: ${target.config.name} (${target.profile.displayName}) has no groups`,
    {
      integration: target.config.name,
      identity: actionSubject(action),
    },
  )
}

/** Refuses a change to a group the vendor manages itself. */
export function refuseProtected(target: PlanningTarget, groupName: string): void {
  if (!isProtectedGroup(target.profile, groupName)) return
  throw new ActionError(
    `group ${JSON.stringify(groupName)} is managed by ${target.profile.displayName} itself and cannot be changed over SCIM`,
    { integration: target.config.name, identity: groupName },
  )
}
