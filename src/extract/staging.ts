/**
 * Writing what an extraction reads into the staging tables, page by page in batched
 * transactions, so memory stays flat and the graph itself is only touched once at the end.
 */

import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { type AttributeIndex, normalizeGroup, normalizeUser } from '../graph/index.ts'
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import type {
  Database,
  StagedAccountsTable,
  StagedGroupsTable,
  StagedMembershipsTable,
} from '../store/tables.ts'

/** SQLite allows 32,766 bound parameters per statement; memberships have five columns. */
const MEMBERSHIP_ROWS_PER_INSERT = 1000

export interface StagingContext {
  db: Kysely<Database>
  runId: string
  integration: string
  index: AttributeIndex | undefined
}

/** Stages a page of users; returns the memberships their `groups` attribute states. */
export async function stageUsers(context: StagingContext, users: readonly ScimUser[]): Promise<number> {
  const accounts: StagedAccountsTable[] = []
  const memberships: StagedMembershipsTable[] = []
  for (const user of users) {
    if (typeof user.id !== 'string' || user.id === '') continue
    accounts.push(accountRow(context, user))
    // Targets that only offer User.groups still give the graph its memberships; indirect
    // memberships are derived, not edges.
    for (const group of user.groups ?? []) {
      const type = typeof group.type === 'string' ? group.type.toLowerCase() : 'direct'
      if (typeof group.value !== 'string' || type === 'indirect') continue
      memberships.push(membershipRow(context, group.value, user.id, 'User'))
    }
  }
  await context.db.transaction().execute(async (trx) => {
    if (accounts.length > 0) await trx.insertInto('staged_accounts').values(accounts).execute()
    await insertMemberships(trx, memberships)
  })
  return memberships.length
}

/** Stages a page of groups and their members; returns the number of memberships staged. */
export async function stageGroups(context: StagingContext, groups: readonly ScimGroup[]): Promise<number> {
  const rows: StagedGroupsTable[] = []
  const memberships: StagedMembershipsTable[] = []
  for (const group of groups) {
    if (typeof group.id !== 'string' || group.id === '') continue
    rows.push(groupRow(context, group))
    for (const member of group.members ?? []) {
      if (typeof member.value !== 'string' || member.value === '') continue
      const nested = typeof member.type === 'string' && member.type.toLowerCase() === 'group'
      memberships.push(membershipRow(context, group.id, member.value, nested ? 'Group' : 'User'))
    }
  }
  await context.db.transaction().execute(async (trx) => {
    if (rows.length > 0) await trx.insertInto('staged_groups').values(rows).execute()
    await insertMemberships(trx, memberships)
  })
  return memberships.length
}

/** Removes a run's staging rows. */
export async function clearStaging(db: Kysely<Database>, runId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('staged_accounts').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_groups').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_memberships').where('run_id', '=', runId).execute()
  })
}

async function insertMemberships(
  trx: Kysely<Database>,
  rows: readonly StagedMembershipsTable[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += MEMBERSHIP_ROWS_PER_INSERT) {
    await trx
      .insertInto('staged_memberships')
      .values(rows.slice(i, i + MEMBERSHIP_ROWS_PER_INSERT))
      // The same edge can be stated by Group.members and User.groups.
      .onConflict((conflict) => conflict.columns(['run_id', 'group_id', 'member_id']).doNothing())
      .execute()
  }
}

function accountRow(context: StagingContext, user: ScimUser): StagedAccountsTable {
  const attributes = normalizeUser(user, context.index)
  const raw = JSON.stringify(user)
  return {
    run_id: context.runId,
    integration: context.integration,
    id: user.id ?? '',
    user_name: textOf(attributes.user_name),
    external_id: textOf(attributes.external_id),
    display_name: textOf(attributes.display_name),
    email: textOf(attributes.email),
    active: typeof attributes.active === 'boolean' ? (attributes.active ? 1 : 0) : null,
    attributes: JSON.stringify(attributes),
    raw,
    created_at: textOf(user.meta?.created),
    last_modified: textOf(user.meta?.lastModified),
    content_hash: hashOf(raw),
  }
}

function groupRow(context: StagingContext, group: ScimGroup): StagedGroupsTable {
  // Members live in the memberships table; keeping them in the group's attributes too would double the graph.
  const { members: _members, ...attributes } = normalizeGroup(group, context.index)
  const raw = JSON.stringify(group)
  return {
    run_id: context.runId,
    integration: context.integration,
    id: group.id ?? '',
    display_name: textOf(attributes.display_name),
    external_id: textOf(attributes.external_id),
    attributes: JSON.stringify(attributes),
    raw,
    created_at: textOf(group.meta?.created),
    last_modified: textOf(group.meta?.lastModified),
    content_hash: hashOf(raw),
  }
}

function membershipRow(
  context: StagingContext,
  groupId: string,
  memberId: string,
  memberType: 'User' | 'Group',
): StagedMembershipsTable {
  return {
    run_id: context.runId,
    integration: context.integration,
    group_id: groupId,
    member_id: memberId,
    member_type: memberType,
  }
}

/**
 * Hash of the resource as the target sent it. The same target sends an unchanged resource the same
 * way; hashing its text costs a fraction of canonicalizing it, on a path run for every resource.
 */
function hashOf(raw: string): string {
  return createHash('sha256').update(raw).digest('base64url')
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
