/**
 * What planning reads of the store, read ahead in a few queries: the accounts the actions can
 * match (by link, or all of them when one is matched by key) and the memberships of the accounts
 * and groups they name, as things stand before planning.
 */
import type { LifecycleAction } from './actions.ts'
import type { GraphAccount } from './graph-accounts.ts'
import type { PlanningTarget } from './planner.ts'

/**
 * Reads in a few queries what planning the actions reads of the store: the attributes of the
 * accounts they can match and the memberships of the accounts and groups they name, as things
 * stand before planning. Planning reads any other (one found only after an earlier action) itself.
 */
export async function readAhead(
  targets: ReadonlyMap<string, PlanningTarget>,
  actions: readonly LifecycleAction[],
): Promise<void> {
  await ensureAccounts(targets, actions)
  const wanted = new Map<PlanningTarget, { accounts: Set<string>; members: Set<string> }>()
  for (const action of actions) {
    const target = targets.get(action.integration)
    if (!target) continue
    let ids = wanted.get(target)
    if (!ids) {
      ids = { accounts: new Set(), members: new Set() }
      wanted.set(target, ids)
    }
    for (const id of accountsRead(target, action)) ids.accounts.add(id)
    for (const id of membersRead(target, action)) ids.members.add(id)
  }
  for (const [target, ids] of wanted) {
    if (ids.accounts.size > 0) await target.graph.loadAttributes(ids.accounts)
    if (ids.members.size > 0) await target.graph.loadMemberships(ids.members)
  }
}

/**
 * Reads the accounts planning the actions looks up: by link when the identity has one, and every
 * account when one is looked up by key (an identity without a link, a manager, group members).
 */
export async function ensureAccounts(
  targets: ReadonlyMap<string, PlanningTarget>,
  actions: readonly LifecycleAction[],
): Promise<void> {
  const linked = new Map<PlanningTarget, Set<string>>()
  const byKey = new Set<PlanningTarget>()
  for (const action of actions) {
    const target = targets.get(action.integration)
    if (!target) continue
    const ids = linked.get(target) ?? new Set<string>()
    linked.set(target, ids)
    for (const id of lookups(target, action)) {
      if (id === undefined) byKey.add(target)
      else ids.add(id)
    }
  }
  for (const [target, ids] of linked) {
    await target.graph.loadAccounts(ids)
    // A link to an account that is gone: matching falls back to the keys.
    for (const id of ids) if (!target.graph.account(id)) byKey.add(target)
    // Matching on employee_number compares every account's attributes.
    if (byKey.has(target))
      await target.graph.loadAllAccounts({ attributes: target.config.matching.includes('employee_number') })
  }
}

/** The linked account id of each account look-up planning the action does; undefined: by key. */
function lookups(target: PlanningTarget, action: LifecycleAction): Array<string | undefined> {
  const linkOf = (identity: string | undefined) =>
    identity === undefined ? undefined : target.graph.linkedAccount(identity)
  switch (action.action) {
    case 'sync_identity': {
      const { manager } = action.attributes
      const lookups = [linkOf(action.identity ?? String(action.attributes.user_name))]
      if (typeof manager === 'string' && manager !== '') lookups.push(linkOf(manager))
      return lookups
    }
    case 'manage_relationships':
      return action.member.kind === 'User' ? [linkOf(action.identity)] : []
    case 'deprovision_identity':
      return [linkOf(action.identity)]
    case 'create_entitlement':
      return action.group.members.length > 0 ? [undefined] : []
  }
}

/** Accounts whose attributes planning the action reads: those it can match, or deprovisions. */
export function accountsRead(target: PlanningTarget, action: LifecycleAction): string[] {
  const { graph, config } = target
  if (action.action === 'deprovision_identity') {
    const id = accountOf(target, action.userName, action.identity)?.id
    return id === undefined ? [] : [id]
  }
  if (action.action !== 'sync_identity') return []
  // An identity's linked account is its match (see matchAccount): the keys are not looked at.
  const linked = graph.linkedAccount(action.identity ?? String(action.attributes.user_name))
  if (linked !== undefined && graph.account(linked)) return [linked]
  const ids: string[] = []
  for (const key of config.matching) {
    const value = action.attributes[key]
    // Matching on employee_number compares every account's attributes: #ensureAccounts read them.
    if (key !== 'employee_number' && typeof value === 'string' && value !== '')
      for (const account of graph.accountsBy(key, value)) ids.push(account.id)
  }
  return ids
}

/** Accounts and groups whose memberships planning the action reads. */
function membersRead(target: PlanningTarget, action: LifecycleAction): string[] {
  const ids: Array<string | undefined> = []
  if (action.action === 'manage_relationships') {
    const member = action.member
    ids.push(
      member.kind === 'User'
        ? accountOf(target, member.userName, action.identity)?.id
        : target.graph.groupByName(member.displayName)?.id,
    )
  } else if (action.action === 'deprovision_identity') {
    ids.push(accountOf(target, action.userName, action.identity)?.id)
  } else if (action.action === 'create_entitlement') {
    for (const userName of action.group.members) ids.push(accountOf(target, userName, undefined)?.id)
  }
  return ids.filter((id): id is string => id !== undefined)
}

/** The account an identity or user name stands for: its link first, then its user name. */
export function accountOf(
  target: PlanningTarget,
  userName: string,
  identity: string | undefined,
): GraphAccount | undefined {
  const { graph } = target
  const linked = identity === undefined ? undefined : graph.linkedAccount(identity)
  if (linked !== undefined) {
    const account = graph.account(linked)
    if (account) return account
  }
  const candidates = graph.accountsBy('user_name', userName)
  return candidates.length === 1 ? candidates[0] : undefined
}
