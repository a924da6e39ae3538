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
  /**
   * Where rows go: the staging tables, or, when the integration's graph is empty (its first
   * extraction), straight into the graph, since there is no previous graph to keep whole.
   */
  into: 'staging' | 'graph'
  /** Timestamp of rows written straight into the graph. */
  now: string
}

/**
 * Stages a page of users, and with `withMemberships` the memberships their `groups` attribute
 * states (for targets whose groups do not list members).
 */
export async function stageUsers(
  context: StagingContext,
  users: readonly ScimUser[],
  withMemberships: boolean,
): Promise<void> {
  const accounts: StagedAccountsTable[] = []
  const memberships: StagedMembershipsTable[] = []
  for (const user of users) {
    if (typeof user.id !== 'string' || user.id === '') continue
    accounts.push(accountRow(context, user))
    // Targets that only offer User.groups still give the graph its memberships; indirect
    // memberships are derived, not edges.
    if (!withMemberships) continue
    for (const group of user.groups ?? []) {
      const type = typeof group.type === 'string' ? group.type.toLowerCase() : 'direct'
      if (typeof group.value !== 'string' || type === 'indirect') continue
      memberships.push(membershipRow(context, group.value, user.id, 'User'))
    }
  }
  await context.db.transaction().execute(async (trx) => {
    // A resource listed twice (the listing shifted between pages) is kept as first read.
    if (accounts.length > 0) {
      if (context.into === 'staging')
        await trx
          .insertInto('staged_accounts')
          .values(accounts)
          .onConflict((conflict) => conflict.columns(['run_id', 'id']).doNothing())
          .execute()
      else
        await trx
          .insertInto('accounts')
          .values(accounts.map((row) => liveRow(context, row)))
          .onConflict((conflict) => conflict.columns(['integration', 'id']).doNothing())
          .execute()
    }
    await insertMemberships(trx, context, memberships)
  })
}

/** Stages a page of groups and their members. */
export async function stageGroups(context: StagingContext, groups: readonly ScimGroup[]): Promise<void> {
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
    if (rows.length > 0) {
      if (context.into === 'staging')
        await trx
          .insertInto('staged_groups')
          .values(rows)
          .onConflict((conflict) => conflict.columns(['run_id', 'id']).doNothing())
          .execute()
      else
        await trx
          .insertInto('groups')
          .values(rows.map((row) => liveRow(context, row)))
          .onConflict((conflict) => conflict.columns(['integration', 'id']).doNothing())
          .execute()
    }
    await insertMemberships(trx, context, memberships)
  })
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
  context: StagingContext,
  rows: readonly StagedMembershipsTable[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += MEMBERSHIP_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + MEMBERSHIP_ROWS_PER_INSERT)
    // The same edge can be stated twice (a group listed on two pages, or twice in one list).
    if (context.into === 'graph') {
      await trx
        .insertInto('memberships')
        .values(
          chunk.map(({ run_id: _runId, ...row }) => ({
            ...row,
            first_seen_at: context.now,
            removed_at: null,
          })),
        )
        .onConflict((conflict) => conflict.columns(['integration', 'group_id', 'member_id']).doNothing())
        .execute()
    } else {
      await trx
        .insertInto('staged_memberships')
        .values(chunk)
        .onConflict((conflict) => conflict.columns(['run_id', 'group_id', 'member_id']).doNothing())
        .execute()
    }
  }
}

/** A staged row as a graph row: no run id, first seen and updated now. */
function liveRow<T extends { run_id: string }>(
  context: StagingContext,
  row: T,
): Omit<T, 'run_id'> & { first_seen_at: string; updated_at: string; removed_at: null } {
  const { run_id: _runId, ...rest } = row
  return { ...rest, first_seen_at: context.now, updated_at: context.now, removed_at: null }
}

function accountRow(context: StagingContext, user: ScimUser): StagedAccountsTable {
  const attributes = normalizeUser(user, context.index)
  const normalized = JSON.stringify(attributes)
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
    attributes: normalized,
    raw,
    created_at: textOf(user.meta?.created),
    last_modified: textOf(user.meta?.lastModified),
    content_hash: hashOf(raw, normalized),
  }
}

function groupRow(context: StagingContext, group: ScimGroup): StagedGroupsTable {
  // Members live in the memberships table; keeping them in the group's attributes too would double the graph.
  const { members: _members, ...attributes } = normalizeGroup(group, context.index)
  const normalized = JSON.stringify(attributes)
  const raw = JSON.stringify(group)
  return {
    run_id: context.runId,
    integration: context.integration,
    id: group.id ?? '',
    display_name: textOf(attributes.display_name),
    external_id: textOf(attributes.external_id),
    attributes: normalized,
    raw,
    created_at: textOf(group.meta?.created),
    last_modified: textOf(group.meta?.lastModified),
    content_hash: hashOf(raw, normalized),
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
 * Hash of the resource as the target sent it and as the graph normalized it. The same target sends
 * an unchanged resource the same way; hashing its text costs a fraction of canonicalizing it, on a
 * path run for every resource. The normalized text is in it too, so a row is rewritten when only
 * its normalization changed (extension schemas turned on or off, a new attribute in `/Schemas`).
 */
function hashOf(raw: string, normalized: string): string {
  return createHash('sha256').update(raw).update('\n').update(normalized).digest('base64url')
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
