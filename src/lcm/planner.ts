/**
 * The planner: actions in, the exact SCIM operations out, computed against the access graph (and
 * the target's capabilities) without writing anything. Later actions see the effect of earlier ones.
 */
import type { IntegrationConfig } from '../config/index.ts'
import type { AttributeIndex } from '../graph/reverse-index.ts'
import type { ScimCapabilities } from '../scim/capabilities.ts'
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
import { type IntegrationGraph, plannedId } from './integration-graph.ts'
import { matchAccount } from './matching.ts'
import type { Plan, PlannedOperation, PlanProblem } from './plan.ts'
import { planCost } from './plan-cost.ts'
import { createOrAdoptGroup, refuseProtected, requireGroups } from './plan-groups.ts'
import { addDependency, dependencyOf, groupLane, PlanOperations, userLane } from './plan-operations.ts'
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
  readonly #ops = new PlanOperations()
  readonly operations: PlannedOperation[] = this.#ops.operations
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
      const seq = this.#ops.add(action, 'create_user', userName, lane, 'POST', '/Users', body, {
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
    this.#ops.patch(target, action, 'update_user', userName, lane, '/Users', account.id, operations, {
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
    requireGroups(target, action)
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
      refuseProtected(target, name)
      let group = graph.groupByName(name)
      if (!group) {
        if (!action.createMissing) {
          throw new ActionError(
            `manage_relationships: no group ${JSON.stringify(name)} in ${config.name} (set createMissing: true to create it)`,
            { integration: config.name, identity: memberName },
          )
        }
        createOrAdoptGroup(this.#ops, target, { display_name: name, members: [] }, 'manage_relationships')
        group = graph.groupByName(name)
      }
      if (!group || graph.isMember(group.id, memberId)) continue
      this.#ops.membership(
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
      refuseProtected(target, name)
      const group = graph.groupByName(name)
      if (!group || !graph.isMember(group.id, memberId)) continue
      this.#ops.membership(
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
      this.#ops.add(
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
      this.#ops.patch(
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
      this.#ops.membership(
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
    requireGroups(target, action)
    await target.graph.loadMemberships(
      action.group.members.flatMap((userName) => accountOf(target, userName, undefined)?.id ?? []),
    )
    refuseProtected(target, action.group.display_name)
    createOrAdoptGroup(this.#ops, target, action.group, 'create_entitlement')
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
