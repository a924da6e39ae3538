/**
 * The planner: actions in, the exact SCIM operations out, computed against the access graph (and
 * the target's capabilities) without writing anything. Later actions see the effect of earlier ones.
 */
import type { IntegrationConfig } from '../config/index.ts'
import type { AttributeIndex } from '../graph/reverse-index.ts'
import type { ScimCapabilities } from '../scim/capabilities.ts'
import { addMembersOperations, patchRequestBody, removeMembersOperations } from '../scim/patch-builder.ts'
import type { PatchOperation } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import { deactivationLosesData, isProtectedGroup, type VendorProfile } from '../vendors/index.ts'
import {
  actionSubject,
  type CreateEntitlementAction,
  type DeprovisionIdentityAction,
  type LifecycleAction,
  type ManageRelationshipsAction,
  type SyncIdentityAction,
} from './actions.ts'
import { ActionError } from './errors.ts'
import { type IntegrationGraph, plannedId, plannedSeq } from './integration-graph.ts'
import { matchAccount } from './matching.ts'
import type { OperationDetails, Plan, PlannedOperation, PlanProblem } from './plan.ts'
import { planCost } from './plan-cost.ts'
import { accountOf, accountsRead, ensureAccounts, readAhead } from './plan-reads.ts'
import { createUserBody, diffUser, resolveUserAttributes, withPrimaryEmail } from './user-attributes.ts'

/** Everything the planner knows of one integration. */
export interface PlanningTarget {
  config: IntegrationConfig
  profile: VendorProfile
  capabilities: ScimCapabilities
  index: AttributeIndex
  graph: IntegrationGraph
  /** Attributes the target's core Group schema declares (lower-case), when its `/Schemas` was read. */
  groupAttributes?: ReadonlySet<string> | undefined
}

export interface PlanOptions {
  /** Use SCIM Bulk where the target offers it (default true). */
  bulk?: boolean
  /** Reconcile: values a target normalizes (case, spacing of text, phone number format) are no drift. */
  tolerant?: boolean
}

const lower = (s: string) => s.toLowerCase()

/** Plans the actions in order; problems are reported in the plan rather than thrown. */
export async function planActions(
  actions: readonly LifecycleAction[],
  targets: ReadonlyMap<string, PlanningTarget>,
  options: PlanOptions = {},
): Promise<Plan> {
  const planner = new Planner(targets, options.tolerant === true)
  await readAhead(targets, actions)
  for (const action of actions) await planner.plan(action)
  return {
    operations: planner.operations,
    problems: planner.problems,
    unchanged: planner.unchanged,
    cost: planCost(planner.operations, targets, options.bulk !== false),
  }
}

class Planner {
  readonly operations: PlannedOperation[] = []
  readonly problems: PlanProblem[] = []
  unchanged = 0
  readonly #targets: ReadonlyMap<string, PlanningTarget>
  readonly #tolerant: boolean

  constructor(targets: ReadonlyMap<string, PlanningTarget>, tolerant: boolean) {
    this.#targets = targets
    this.#tolerant = tolerant
  }

  async plan(action: LifecycleAction): Promise<void> {
    const before = this.operations.length
    const subject = actionSubject(action)
    const target = this.#targets.get(action.integration)
    if (!target) {
      this.#problem('error', action, subject, `unknown integration ${JSON.stringify(action.integration)}`)
      return
    }
    try {
      // No-ops when prefetched; an account an earlier action made the match is read here.
      await ensureAccounts(this.#targets, [action])
      await target.graph.loadAttributes(accountsRead(target, action))
      switch (action.action) {
        case 'sync_identity':
          this.#syncIdentity(target, action)
          break
        case 'manage_relationships':
          await this.#manageRelationships(target, action)
          break
        case 'deprovision_identity':
          await this.#deprovision(target, action)
          break
        case 'create_entitlement':
          await this.#createEntitlement(target, action)
          break
      }
    } catch (error) {
      if (!(error instanceof ActionError)) throw error
      this.#problem('error', action, subject, error.message)
      this.operations.length = before
      return
    }
    if (this.operations.length === before) this.unchanged += 1
    // Every operation says whose it is, so a policy can tell which of its identities it served.
    const owner = 'identity' in action ? action.identity : undefined
    if (owner !== undefined) for (const op of this.operations.slice(before)) op.details.identity ??= owner
  }

  #syncIdentity(target: PlanningTarget, action: SyncIdentityAction): void {
    const { graph, config } = target
    const userName = String(action.attributes.user_name)
    const identity = action.identity ?? userName
    const lane = userLane(config.name, userName)
    const values: Record<string, unknown> = { ...action.attributes }
    const dependsOn: number[] = []
    if (typeof values.manager === 'string' && values.manager !== '') {
      const manager = accountOf(target, values.manager, values.manager)
      if (!manager) {
        throw new ActionError(
          `sync_identity for ${userName}: manager ${values.manager} has no account in ${config.name}`,
          { integration: config.name, identity },
        )
      }
      values.manager = manager.id
      addDependency(dependsOn, manager.id)
    }
    const resolved = resolveUserAttributes(values, (name) => target.index.lookup('User', name), {
      integration: config.name,
      identity: userName,
      extensionSchemas: config.extensionSchemas,
    })
    const match = matchAccount(graph, identity, values, config.matching)
    if (match.kind === 'disputed') {
      this.#problem('disputed', action, userName, match.reason, match.candidates)
      return
    }
    if (match.kind === 'none') {
      const body = createUserBody(resolved)
      const seq = this.#add(target, action, 'create_user', userName, lane, 'POST', '/Users', body, {
        dependsOn,
        identity,
        match: {
          userName,
          ...(typeof values.external_id === 'string' ? { externalId: values.external_id } : {}),
        },
      })
      const attributes: Record<string, unknown> = Object.fromEntries(resolved.map((r) => [r.name, r.value]))
      if (typeof attributes.email === 'string') {
        attributes.emails = withPrimaryEmail(
          attributes.emails as Record<string, unknown>[] | undefined,
          attributes.email,
        )
      }
      graph.addAccount({
        id: plannedId(seq),
        userName,
        externalId: typeof values.external_id === 'string' ? values.external_id : null,
        email: typeof attributes.email === 'string' ? attributes.email : null,
        active: attributes.active !== false,
        attributes,
      })
      graph.link(identity, plannedId(seq))
      return
    }
    const account = match.account
    const { operations, changes } = diffUser(account.attributes(), resolved, { tolerant: this.#tolerant })
    if (operations.length === 0) {
      if (!graph.linkedIdentity(account.id)) graph.link(identity, account.id)
      return
    }
    addDependency(dependsOn, account.id)
    const reactivates = changes.active?.to === true
    this.#patch(target, action, 'update_user', userName, lane, '/Users', account.id, operations, {
      dependsOn,
      identity,
      changes,
      ...(reactivates ? { prior: { active: false } } : {}),
    })
    graph.updateAccount(account.id, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])))
    graph.link(identity, account.id)
  }

  async #manageRelationships(target: PlanningTarget, action: ManageRelationshipsAction): Promise<void> {
    const { graph, config } = target
    this.#requireGroups(target, action)
    const member = action.member
    const memberName = member.kind === 'User' ? member.userName : member.displayName
    const memberId =
      member.kind === 'User'
        ? accountOf(target, member.userName, action.identity)?.id
        : graph.groupByName(member.displayName)?.id
    if (!memberId) {
      throw new ActionError(
        member.kind === 'User'
          ? `manage_relationships: ${memberName} has no account in ${config.name}; sync_identity first`
          : `manage_relationships: no group ${JSON.stringify(memberName)} in ${config.name}`,
        { integration: config.name, identity: memberName },
      )
    }
    await graph.loadMemberships([memberId])
    const lane =
      member.kind === 'User' ? userLane(config.name, memberName) : groupLane(config.name, memberName)
    for (const name of action.add) {
      this.#refuseProtected(target, name)
      let group = graph.groupByName(name)
      if (!group) {
        if (!action.createMissing) {
          throw new ActionError(
            `manage_relationships: no group ${JSON.stringify(name)} in ${config.name} (set createMissing: true to create it)`,
            { integration: config.name, identity: memberName },
          )
        }
        this.#createGroup(target, { display_name: name, members: [] }, 'manage_relationships')
        group = graph.groupByName(name)
      }
      if (!group || graph.isMember(group.id, memberId)) continue
      this.#membership(
        target,
        action,
        'add_members',
        lane,
        group.id,
        group.displayName,
        [memberId],
        [memberName],
        member.kind,
      )
    }
    for (const name of action.remove) {
      this.#refuseProtected(target, name)
      const group = graph.groupByName(name)
      if (!group || !graph.isMember(group.id, memberId)) continue
      this.#membership(
        target,
        action,
        'remove_members',
        lane,
        group.id,
        group.displayName,
        [memberId],
        [memberName],
        member.kind,
      )
    }
  }

  async #deprovision(target: PlanningTarget, action: DeprovisionIdentityAction): Promise<void> {
    const { graph, config, profile } = target
    const account = accountOf(target, action.userName, action.identity)
    if (!account) return
    const mode = action.mode ?? config.deprovision
    if (mode === 'deactivate' && deactivationLosesData(profile) && !action.allowDataLoss) {
      throw new ActionError(
        `deprovision_identity for ${action.userName}: on ${profile.displayName} deactivation removes the account and its data (${profile.deprovision.deactivate}); set allowDataLoss: true on the action, or mode: delete, to accept that`,
        { integration: config.name, identity: action.userName },
      )
    }
    const lane = userLane(config.name, action.userName)
    const identity = action.identity ?? graph.linkedIdentity(account.id) ?? action.userName
    if (profile.groups) await graph.loadMemberships([account.id])
    const groups = profile.groups ? graph.groupsOf(account.id) : []
    if (mode === 'delete') {
      this.#add(
        target,
        action,
        'delete_user',
        action.userName,
        lane,
        'DELETE',
        `/Users/${account.id}`,
        undefined,
        {
          dependsOn: dependencyOf(account.id),
          targetId: account.id,
          identity,
          prior: { attributes: { ...account.attributes() }, groups },
        },
      )
      for (const groupId of groups) graph.removeMember(groupId, account.id)
      graph.removeAccount(account.id)
      return
    }
    // Access is cut first: should the run stop half-way, the account is already inactive.
    if (account.active !== false) {
      this.#patch(
        target,
        action,
        'deactivate_user',
        action.userName,
        lane,
        '/Users',
        account.id,
        [{ op: 'replace', path: 'active', value: false }],
        {
          dependsOn: dependencyOf(account.id),
          identity,
          // The value as it was, absent included: a rollback restores exactly that.
          changes: { active: { from: account.active, to: false } },
          prior: { active: true },
        },
      )
      graph.updateAccount(account.id, { active: false })
    }
    for (const groupId of groups) {
      const group = graph.group(groupId)
      if (!group || isProtectedGroup(profile, group.displayName)) continue
      this.#membership(
        target,
        action,
        'remove_members',
        lane,
        groupId,
        group.displayName,
        [account.id],
        [action.userName],
        'User',
      )
    }
  }

  async #createEntitlement(target: PlanningTarget, action: CreateEntitlementAction): Promise<void> {
    this.#requireGroups(target, action)
    await target.graph.loadMemberships(
      action.group.members.flatMap((userName) => accountOf(target, userName, undefined)?.id ?? []),
    )
    this.#refuseProtected(target, action.group.display_name)
    this.#createGroup(target, action.group, 'create_entitlement')
  }

  /**
   * `description` and `group_type` are not RFC 7643 Group attributes: they are sent where vendors
   * that have them take them (top level), unless the target's `/Schemas` shows it has no such
   * attribute, which is said here rather than by a refused request.
   */
  #refuseUndeclared(target: PlanningTarget, spec: CreateEntitlementAction['group']): void {
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
  #createGroup(
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
    this.#refuseUndeclared(target, spec)
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
      const seq = this.#add(
        target,
        pseudo,
        'create_group',
        spec.display_name,
        lane,
        'POST',
        '/Groups',
        body,
        {
          dependsOn,
          members: memberIds,
          memberType: 'User',
          memberNames: [...spec.members],
          match: { displayName: spec.display_name },
        },
      )
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
      this.#patch(
        target,
        pseudo,
        'update_group',
        spec.display_name,
        lane,
        '/Groups',
        existing.id,
        operations,
        {
          dependsOn: dependencyOf(existing.id),
          changes,
        },
      )
      Object.assign(
        existing.attributes,
        Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])),
      )
    }
    if (memberIds.length > 0) {
      const missing = memberIds
        .map((id, i) => ({ id, name: spec.members[i] ?? id }))
        .filter(({ id }) => !graph.isMember(existing.id, id))
      if (missing.length > 0) {
        this.#membership(
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

  /** One PATCH per chunk of members the target takes at once. */
  #membership(
    target: PlanningTarget,
    action: { action: PlannedOperation['action']; integration: string },
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
      this.#patch(target, action, kind, names.join(', '), lane, '/Groups', groupId, operations, {
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

  #patch(
    target: PlanningTarget,
    action: { action: PlannedOperation['action']; integration: string },
    kind: PlannedOperation['kind'],
    identity: string,
    lane: string,
    endpoint: '/Users' | '/Groups',
    id: string,
    operations: PatchOperation[],
    details: OperationDetails,
  ): number {
    const method = target.capabilities.patch ? 'PATCH' : 'PUT'
    return this.#add(
      target,
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

  #add(
    _target: PlanningTarget,
    action: { action: PlannedOperation['action']; integration: string },
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

  #requireGroups(target: PlanningTarget, action: LifecycleAction): void {
    if (target.profile.groups && target.capabilities.groups) return
    throw new ActionError(
      `${action.action}: ${target.config.name} (${target.profile.displayName}) has no groups`,
      {
        integration: target.config.name,
        identity: actionSubject(action),
      },
    )
  }

  #refuseProtected(target: PlanningTarget, groupName: string): void {
    if (!isProtectedGroup(target.profile, groupName)) return
    throw new ActionError(
      `group ${JSON.stringify(groupName)} is managed by ${target.profile.displayName} itself and cannot be changed over SCIM`,
      { integration: target.config.name, identity: groupName },
    )
  }

  #problem(
    kind: PlanProblem['kind'],
    action: LifecycleAction,
    identity: string,
    message: string,
    candidates?: string[],
  ): void {
    this.problems.push({
      kind,
      integration: action.integration,
      action: action.action,
      identity,
      message,
      ...(candidates ? { candidates } : {}),
    })
  }
}

/** Lanes: operations of one user (or group) run in plan order; different lanes run in parallel. */
export function userLane(integration: string, userName: string): string {
  return `${integration}:user:${lower(userName)}`
}

export function groupLane(integration: string, displayName: string): string {
  return `${integration}:group:${lower(displayName)}`
}

function addDependency(dependsOn: number[], id: string): void {
  const seq = plannedSeq(id)
  if (seq !== undefined && !dependsOn.includes(seq)) dependsOn.push(seq)
}

function dependencyOf(id: string): number[] {
  const seq = plannedSeq(id)
  return seq === undefined ? [] : [seq]
}
