/**
 * Searching the access graph: accounts, groups and memberships of one integration, filtered by a
 * SCIM filter over normalized names. Rows are read in keyset pages, so memory stays flat.
 */
import type { Kysely } from 'kysely'
import { compileFilter, type Filter } from '../scim/index.ts'
import type { Database } from '../store/index.ts'

/** A graph row as the CLI and API print it: normalized names plus `id` and `integration`. */
export type GraphRecord = Record<string, unknown> & { id: string; integration: string }

const PAGE = 1000

/** Current (not removed) accounts of an integration matching the filter. */
export async function* searchAccounts(
  db: Kysely<Database>,
  integration: string,
  filter?: Filter,
): AsyncGenerator<GraphRecord> {
  yield* searchTable(db, 'accounts', integration, filter)
}

/** Current groups of an integration matching the filter. */
export async function* searchGroups(
  db: Kysely<Database>,
  integration: string,
  filter?: Filter,
): AsyncGenerator<GraphRecord> {
  yield* searchTable(db, 'groups', integration, filter)
}

async function* searchTable(
  db: Kysely<Database>,
  table: 'accounts' | 'groups',
  integration: string,
  filter: Filter | undefined,
): AsyncGenerator<GraphRecord> {
  const matches = filter ? compileFilter(filter) : undefined
  let after = ''
  for (;;) {
    const rows = await db
      .selectFrom(table)
      .select(['id', 'attributes'])
      .where('integration', '=', integration)
      .where('removed_at', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()
    for (const row of rows) {
      const record: GraphRecord = { id: row.id, integration, ...(JSON.parse(row.attributes) as object) }
      if (!matches || matches(record)) yield record
    }
    if (rows.length < PAGE) return
    after = rows[rows.length - 1]!.id
  }
}

/**
 * Current memberships of an integration: `group_id`, `group_name`, `member_id`, `member_type`
 * (User or Group) and `member_name` (user name or group name).
 */
export async function* searchMemberships(
  db: Kysely<Database>,
  integration: string,
  filter?: Filter,
): AsyncGenerator<GraphRecord> {
  const matches = filter ? compileFilter(filter) : undefined
  let after = { group: '', member: '' }
  for (;;) {
    const rows = await db
      .selectFrom('memberships as m')
      .leftJoin('groups as g', (join) =>
        join.onRef('g.integration', '=', 'm.integration').onRef('g.id', '=', 'm.group_id'),
      )
      .leftJoin('accounts as a', (join) =>
        join.onRef('a.integration', '=', 'm.integration').onRef('a.id', '=', 'm.member_id'),
      )
      .leftJoin('groups as ng', (join) =>
        join.onRef('ng.integration', '=', 'm.integration').onRef('ng.id', '=', 'm.member_id'),
      )
      .select([
        'm.group_id',
        'm.member_id',
        'm.member_type',
        'g.display_name as group_name',
        'a.user_name as member_user_name',
        'ng.display_name as member_group_name',
      ])
      .where('m.integration', '=', integration)
      .where('m.removed_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('m.group_id', '>', after.group),
          eb.and([eb('m.group_id', '=', after.group), eb('m.member_id', '>', after.member)]),
        ]),
      )
      .orderBy('m.group_id')
      .orderBy('m.member_id')
      .limit(PAGE)
      .execute()
    for (const row of rows) {
      const record: GraphRecord = {
        id: `${row.group_id}:${row.member_id}`,
        integration,
        group_id: row.group_id,
        group_name: row.group_name,
        member_id: row.member_id,
        member_type: row.member_type,
        member_name: row.member_type === 'Group' ? row.member_group_name : row.member_user_name,
      }
      if (!matches || matches(record)) yield record
    }
    if (rows.length < PAGE) return
    const last = rows[rows.length - 1]!
    after = { group: last.group_id, member: last.member_id }
  }
}
