/**
 * Applying a run's staged resources to the access graph in one transaction: only rows whose
 * content changed are written, and what the target no longer has is marked removed. Until this
 * commits, readers see the previous graph whole.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../store/tables.ts'
import type { ExtractionMode } from './extraction-target.ts'

export interface ApplyCounts {
  rowsWritten: number
  rowsRemoved: number
  /** Distinct memberships the run saw (Group.members and User.groups may state the same edge). */
  membershipsSeen: number
}

/** Where a run's memberships came from: `Group.members`, or `User.groups` for targets that only offer that. */
export type MembershipSource = 'groups' | 'users'

/**
 * Applies staged rows. A full run also marks removed everything not seen; an incremental run
 * only saw changed resources, so it replaces the memberships of the resources that state them
 * (the groups it saw, or with User.groups the users it saw) and removes nothing else.
 */
export async function applyStagedRun(
  db: Kysely<Database>,
  runId: string,
  integration: string,
  mode: ExtractionMode,
  now: string,
  membershipSource: MembershipSource = 'groups',
): Promise<ApplyCounts> {
  return db.transaction().execute(async (trx) => {
    // A run another process declared abandoned has lost its staging rows: applying would mark
    // everything it had not staged yet as removed.
    const alive = await trx
      .updateTable('extraction_runs')
      .set({ heartbeat_at: now })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .executeTakeFirst()
    if (Number(alive.numUpdatedRows) !== 1) {
      throw new Error(`run ${runId} is no longer running (it was declared abandoned); nothing was applied`)
    }
    // Members whose type the target did not state are nested groups when they are one of its
    // groups: one this run saw, or (an incremental run reads only what changed) one already in the graph.
    await trx
      .updateTable('staged_memberships')
      .set({ member_type: 'Group' })
      .where('run_id', '=', runId)
      .where('member_type', '=', 'User')
      .where((eb) =>
        eb.or([
          eb(
            'member_id',
            'in',
            eb
              .selectFrom('staged_groups')
              .select('staged_groups.id')
              .where('staged_groups.run_id', '=', runId),
          ),
          eb(
            'member_id',
            'in',
            eb
              .selectFrom('groups')
              .select('groups.id')
              .where('groups.integration', '=', integration)
              .where('groups.removed_at', 'is', null),
          ),
        ]),
      )
      .execute()
    let written = 0
    let removed = 0
    written += await upsertResources(trx, 'accounts', runId, now)
    written += await upsertResources(trx, 'groups', runId, now)
    written += await upsertMemberships(trx, runId, now)
    if (mode === 'full') {
      removed += await markRemoved(trx, 'accounts', 'staged_accounts', runId, integration, now)
      removed += await markRemoved(trx, 'groups', 'staged_groups', runId, integration, now)
      removed += await markMembershipsRemoved(trx, runId, integration, now, 'all')
    } else {
      removed += await markMembershipsRemoved(trx, runId, integration, now, membershipSource)
    }
    const seen = await trx
      .selectFrom('staged_memberships')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirst()
    return { rowsWritten: written, rowsRemoved: removed, membershipsSeen: Number(seen?.n ?? 0) }
  })
}

/** Columns of the content a resource row carries, beyond its key and bookkeeping. */
const CONTENT_COLUMNS = {
  accounts: [
    'user_name',
    'external_id',
    'display_name',
    'email',
    'active',
    'attributes',
    'raw',
    'created_at',
    'last_modified',
  ],
  groups: ['display_name', 'external_id', 'attributes', 'raw', 'created_at', 'last_modified'],
} as const

/**
 * Copies a run's staged accounts or groups into the graph, writing only rows that are new, whose
 * content changed, or that come back after being removed. Content is the raw and the normalized
 * JSON: every other content column is read from one of them. Written as one statement with the
 * table as a parameter: the query builder cannot type a table chosen at run time.
 */
async function upsertResources(
  trx: Kysely<Database>,
  table: 'accounts' | 'groups',
  runId: string,
  now: string,
): Promise<number> {
  const staged = table === 'accounts' ? 'staged_accounts' : 'staged_groups'
  const content = CONTENT_COLUMNS[table].map((column) => sql.ref(column))
  const result = await sql`
    INSERT INTO ${sql.table(table)} (integration, id, ${sql.join(content)}, first_seen_at, updated_at, removed_at)
    SELECT integration, id, ${sql.join(content)}, ${now}, ${now}, NULL
    FROM ${sql.table(staged)} WHERE run_id = ${runId}
    ON CONFLICT (integration, id) DO UPDATE SET
      ${sql.join(CONTENT_COLUMNS[table].map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))},
      updated_at = excluded.updated_at,
      removed_at = NULL
    WHERE ${sql.table(table)}.raw <> excluded.raw
      OR ${sql.table(table)}.attributes <> excluded.attributes
      OR ${sql.table(table)}.removed_at IS NOT NULL
  `.execute(trx)
  return Number(result.numAffectedRows ?? 0n)
}

async function upsertMemberships(trx: Kysely<Database>, runId: string, now: string): Promise<number> {
  const result = await trx
    .insertInto('memberships')
    .columns(['integration', 'group_id', 'member_id', 'member_type', 'first_seen_at', 'removed_at'])
    .expression((eb) =>
      eb
        .selectFrom('staged_memberships')
        .select([
          'integration',
          'group_id',
          'member_id',
          'member_type',
          sql<string>`${now}`.as('first_seen_at'),
          sql<null>`null`.as('removed_at'),
        ])
        .where('run_id', '=', runId),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['integration', 'group_id', 'member_id'])
        .doUpdateSet((eb) => ({ member_type: eb.ref('excluded.member_type'), removed_at: null }))
        .where((eb) =>
          eb.or([
            eb('memberships.removed_at', 'is not', null),
            eb('memberships.member_type', '<>', eb.ref('excluded.member_type')),
          ]),
        ),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n)
}

async function markRemoved(
  trx: Kysely<Database>,
  table: 'accounts' | 'groups',
  staged: 'staged_accounts' | 'staged_groups',
  runId: string,
  integration: string,
  now: string,
): Promise<number> {
  const result = await trx
    .updateTable(table)
    .set({ removed_at: now, updated_at: now })
    .where('integration', '=', integration)
    .where('removed_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom(staged)
            .select(sql`1`.as('one'))
            .where(`${staged}.run_id`, '=', runId)
            .whereRef(`${staged}.id`, '=', `${table}.id`),
        ),
      ),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Marks memberships gone that the run did not see: all of them (`all`, a full run), or only
 * those of the groups (`groups`) or users (`users`) the run read, for an incremental run.
 */
async function markMembershipsRemoved(
  trx: Kysely<Database>,
  runId: string,
  integration: string,
  now: string,
  scope: 'all' | MembershipSource,
): Promise<number> {
  let query = trx
    .updateTable('memberships')
    .set({ removed_at: now })
    .where('integration', '=', integration)
    .where('removed_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('staged_memberships')
            .select(sql`1`.as('one'))
            .where('staged_memberships.run_id', '=', runId)
            .whereRef('staged_memberships.group_id', '=', 'memberships.group_id')
            .whereRef('staged_memberships.member_id', '=', 'memberships.member_id'),
        ),
      ),
    )
  if (scope === 'groups') {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('staged_groups')
          .select(sql`1`.as('one'))
          .where('staged_groups.run_id', '=', runId)
          .whereRef('staged_groups.id', '=', 'memberships.group_id'),
      ),
    )
  } else if (scope === 'users') {
    query = query
      .where('member_type', '=', 'User')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('staged_accounts')
            .select(sql`1`.as('one'))
            .where('staged_accounts.run_id', '=', runId)
            .whereRef('staged_accounts.id', '=', 'memberships.member_id'),
        ),
      )
  }
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Whether the integration's current groups state their members (`Group.members`): some group in
 * the graph was stored with a member list. Targets that only offer User.groups never do.
 */
export async function graphGroupsStateMembers(db: Kysely<Database>, integration: string): Promise<boolean> {
  const row = await db
    .selectFrom('groups')
    .select('id')
    .where('integration', '=', integration)
    .where('removed_at', 'is', null)
    // `raw` is JSON.stringify output: a `members` key with a non-empty list reads exactly so.
    .where('raw', 'like', '%"members":[{%')
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
