/**
 * Writing what an extraction reads into the staging tables (or, for a first extraction, straight
 * into the graph), page by page, each page in one transaction, so memory stays flat and the graph
 * itself is only touched once at the end.
 */
import type { Kysely } from 'kysely'
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import type { Database } from '../store/tables.ts'
import { RowBuffer, runStatements } from './bulk-insert.ts'
import { pushAccount, pushGroup, pushMembership, ROW_TABLES, type RowContext } from './staged-rows.ts'

/** Rows per statement: SQLite allows 32,766 bound parameters, PostgreSQL 65,535. */
const RESOURCE_ROWS_PER_INSERT = 100
const MEMBERSHIP_ROWS_PER_INSERT = 1000

export interface StagingContext extends RowContext {
  db: Kysely<Database>
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
  const tables = ROW_TABLES[context.into]
  const accounts = new RowBuffer(tables.accounts, RESOURCE_ROWS_PER_INSERT)
  const memberships = new RowBuffer(tables.memberships, MEMBERSHIP_ROWS_PER_INSERT)
  for (const user of users) {
    if (typeof user.id !== 'string' || user.id === '') continue
    pushAccount(context, accounts, user)
    // Targets that only offer User.groups still give the graph its memberships; indirect
    // memberships are derived, not edges.
    if (!withMemberships) continue
    for (const group of user.groups ?? []) {
      const type = typeof group.type === 'string' ? group.type.toLowerCase() : 'direct'
      if (typeof group.value !== 'string' || type === 'indirect') continue
      pushMembership(context, memberships, group.value, user.id, 'User')
    }
  }
  await write(context.db, [accounts, memberships])
}

/** Stages a page of groups and their members. */
export async function stageGroups(context: StagingContext, groups: readonly ScimGroup[]): Promise<void> {
  const tables = ROW_TABLES[context.into]
  const rows = new RowBuffer(tables.groups, RESOURCE_ROWS_PER_INSERT)
  const memberships = new RowBuffer(tables.memberships, MEMBERSHIP_ROWS_PER_INSERT)
  for (const group of groups) {
    if (typeof group.id !== 'string' || group.id === '') continue
    pushGroup(context, rows, group)
    for (const member of group.members ?? []) {
      if (typeof member.value !== 'string' || member.value === '') continue
      const nested = typeof member.type === 'string' && member.type.toLowerCase() === 'group'
      pushMembership(context, memberships, group.id, member.value, nested ? 'Group' : 'User')
    }
  }
  await write(context.db, [rows, memberships])
}

/** Removes a run's staging rows. */
export async function clearStaging(db: Kysely<Database>, runId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('staged_accounts').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_groups').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_memberships').where('run_id', '=', runId).execute()
  })
}

/** Writes a page's rows in one transaction. A resource listed twice (the listing shifted between pages) is kept as first read. */
async function write(db: Kysely<Database>, buffers: readonly RowBuffer[]): Promise<void> {
  const statements = buffers.flatMap((buffer) => buffer.drain(db))
  if (statements.length === 0) return
  await db.transaction().execute((trx) => runStatements(trx, statements))
}
