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
    written += await upsertAccounts(trx, runId, now)
    written += await upsertGroups(trx, runId, now)
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

async function upsertAccounts(trx: Kysely<Database>, runId: string, now: string): Promise<number> {
  const result = await trx
    .insertInto('accounts')
    .columns([
      'integration',
      'id',
      'user_name',
      'external_id',
      'display_name',
      'email',
      'active',
      'attributes',
      'raw',
      'created_at',
      'last_modified',
      'content_hash',
      'first_seen_at',
      'updated_at',
      'removed_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom('staged_accounts')
        .select([
          'integration',
          'id',
          'user_name',
          'external_id',
          'display_name',
          'email',
          'active',
          'attributes',
          'raw',
          'created_at',
          'last_modified',
          'content_hash',
          sql<string>`${now}`.as('first_seen_at'),
          sql<string>`${now}`.as('updated_at'),
          sql<null>`null`.as('removed_at'),
        ])
        .where('run_id', '=', runId),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['integration', 'id'])
        .doUpdateSet((eb) => ({
          user_name: eb.ref('excluded.user_name'),
          external_id: eb.ref('excluded.external_id'),
          display_name: eb.ref('excluded.display_name'),
          email: eb.ref('excluded.email'),
          active: eb.ref('excluded.active'),
          attributes: eb.ref('excluded.attributes'),
          raw: eb.ref('excluded.raw'),
          created_at: eb.ref('excluded.created_at'),
          last_modified: eb.ref('excluded.last_modified'),
          content_hash: eb.ref('excluded.content_hash'),
          updated_at: eb.ref('excluded.updated_at'),
          removed_at: null,
        }))
        .where((eb) =>
          eb.or([
            eb('accounts.content_hash', '<>', eb.ref('excluded.content_hash')),
            eb('accounts.removed_at', 'is not', null),
          ]),
        ),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n)
}

async function upsertGroups(trx: Kysely<Database>, runId: string, now: string): Promise<number> {
  const result = await trx
    .insertInto('groups')
    .columns([
      'integration',
      'id',
      'display_name',
      'external_id',
      'attributes',
      'raw',
      'created_at',
      'last_modified',
      'content_hash',
      'first_seen_at',
      'updated_at',
      'removed_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom('staged_groups')
        .select([
          'integration',
          'id',
          'display_name',
          'external_id',
          'attributes',
          'raw',
          'created_at',
          'last_modified',
          'content_hash',
          sql<string>`${now}`.as('first_seen_at'),
          sql<string>`${now}`.as('updated_at'),
          sql<null>`null`.as('removed_at'),
        ])
        .where('run_id', '=', runId),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['integration', 'id'])
        .doUpdateSet((eb) => ({
          display_name: eb.ref('excluded.display_name'),
          external_id: eb.ref('excluded.external_id'),
          attributes: eb.ref('excluded.attributes'),
          raw: eb.ref('excluded.raw'),
          created_at: eb.ref('excluded.created_at'),
          last_modified: eb.ref('excluded.last_modified'),
          content_hash: eb.ref('excluded.content_hash'),
          updated_at: eb.ref('excluded.updated_at'),
          removed_at: null,
        }))
        .where((eb) =>
          eb.or([
            eb('groups.content_hash', '<>', eb.ref('excluded.content_hash')),
            eb('groups.removed_at', 'is not', null),
          ]),
        ),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n)
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

/** Whether the integration's graph is empty, so a full extraction may write straight into it. */
export async function graphIsEmpty(db: Kysely<Database>, integration: string): Promise<boolean> {
  const account = await db
    .selectFrom('accounts')
    .select('id')
    .where('integration', '=', integration)
    .limit(1)
    .executeTakeFirst()
  if (account) return false
  const group = await db
    .selectFrom('groups')
    .select('id')
    .where('integration', '=', integration)
    .limit(1)
    .executeTakeFirst()
  return !group
}

/** Completes a first extraction written straight into the graph: nested-group edges and counts. */
export async function completeDirectRun(db: Kysely<Database>, integration: string): Promise<ApplyCounts> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('memberships')
      .set({ member_type: 'Group' })
      .where('integration', '=', integration)
      .where('member_type', '=', 'User')
      .where((eb) =>
        eb(
          'member_id',
          'in',
          eb.selectFrom('groups').select('groups.id').where('groups.integration', '=', integration),
        ),
      )
      .execute()
    const count = async (table: 'accounts' | 'groups' | 'memberships') =>
      Number(
        (
          await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('integration', '=', integration)
            .executeTakeFirst()
        )?.n ?? 0,
      )
    const memberships = await count('memberships')
    return {
      rowsWritten: (await count('accounts')) + (await count('groups')) + memberships,
      rowsRemoved: 0,
      membershipsSeen: memberships,
    }
  })
}

/** Takes back what a failed first extraction wrote, leaving the integration's graph empty as it was. */
export async function discardDirectRun(db: Kysely<Database>, integration: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('memberships').where('integration', '=', integration).execute()
    await trx.deleteFrom('groups').where('integration', '=', integration).execute()
    await trx.deleteFrom('accounts').where('integration', '=', integration).execute()
  })
}
