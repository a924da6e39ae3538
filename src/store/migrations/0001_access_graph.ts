/**
 * The access graph's tables (see ../tables.ts for what each column holds). Written with Kysely's
 * schema builder only, so the same statements run on SQLite and PostgreSQL: `text` and `integer`
 * columns (no `bigint`: pg returns it as a string), timestamps as ISO-8601 text, flags as 0/1.
 */
import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely'

type Table = CreateTableBuilder<string, string>

const flag = sql`in (0, 1)`

/** Columns shared by `accounts` and `staged_accounts`. */
function accountColumns(table: Table): Table {
  return table
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('email', 'text')
    .addColumn('active', 'integer', (c) => c.check(sql`active ${flag}`))
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
}

/** Columns shared by `groups` and `staged_groups`. */
function groupColumns(table: Table): Table {
  return table
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('external_id', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
}

/** Graph-side lifecycle columns: when a row appeared, last changed, and went missing. */
function lifecycleColumns(table: Table): Table {
  return table
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
}

const memberType = sql`member_type in ('User', 'Group')`

async function createTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integrations')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .addColumn('lifecycle_management', 'integer', (c) => c.notNull().check(sql`lifecycle_management ${flag}`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('extraction_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('full', 'incremental')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed')`))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('users_seen', 'integer', (c) => c.notNull())
    .addColumn('groups_seen', 'integer', (c) => c.notNull())
    .addColumn('memberships_seen', 'integer', (c) => c.notNull())
    .addColumn('rows_written', 'integer', (c) => c.notNull())
    .addColumn('rows_removed', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute()

  await lifecycleColumns(accountColumns(db.schema.createTable('accounts')))
    .addPrimaryKeyConstraint('accounts_pkey', ['integration', 'id'])
    .execute()

  await lifecycleColumns(groupColumns(db.schema.createTable('groups')))
    .addPrimaryKeyConstraint('groups_pkey', ['integration', 'id'])
    .execute()

  await db.schema
    .createTable('memberships')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('member_type', 'text', (c) => c.notNull().check(memberType))
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addPrimaryKeyConstraint('memberships_pkey', ['integration', 'group_id', 'member_id'])
    .execute()

  await db.schema
    .createTable('target_schemas')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('urn', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('target_schemas_pkey', ['integration', 'urn'])
    .execute()

  await db.schema
    .createTable('attribute_index')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('normalized_name', 'text', (c) => c.notNull())
    .addColumn('schema_urn', 'text', (c) => c.notNull())
    .addColumn('attribute_path', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('multi_valued', 'integer', (c) => c.notNull().check(sql`multi_valued ${flag}`))
    .addColumn('mutability', 'text', (c) => c.notNull())
    .addColumn('case_exact', 'integer', (c) => c.notNull().check(sql`case_exact ${flag}`))
    .addPrimaryKeyConstraint('attribute_index_pkey', ['integration', 'resource_type', 'normalized_name'])
    .execute()

  await accountColumns(
    db.schema.createTable('staged_accounts').addColumn('run_id', 'text', (c) => c.notNull()),
  )
    .addPrimaryKeyConstraint('staged_accounts_pkey', ['run_id', 'id'])
    .execute()

  await groupColumns(db.schema.createTable('staged_groups').addColumn('run_id', 'text', (c) => c.notNull()))
    .addPrimaryKeyConstraint('staged_groups_pkey', ['run_id', 'id'])
    .execute()

  await db.schema
    .createTable('staged_memberships')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('member_type', 'text', (c) => c.notNull().check(memberType))
    .addPrimaryKeyConstraint('staged_memberships_pkey', ['run_id', 'group_id', 'member_id'])
    .execute()

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
}

/**
 * Indexes for the graph's lookups. SCIM compares `userName` and a group's `displayName` without
 * case (RFC 7643 §4.1.1, §4.2), so each also has an expression index on `lower(…)`: a query must
 * spell the expression exactly, `lower(user_name) = lower(?)` with `integration = ?`, to use it.
 * SQLite's lower() folds ASCII only and PostgreSQL's folds per locale, so non-ASCII names may
 * match on PostgreSQL and not on SQLite.
 */
async function createIndexes(db: Kysely<unknown>): Promise<void> {
  const plain: Array<[string, string, string[]]> = [
    ['accounts_user_name', 'accounts', ['integration', 'user_name']],
    ['accounts_external_id', 'accounts', ['integration', 'external_id']],
    ['accounts_email', 'accounts', ['integration', 'email']],
    ['groups_display_name', 'groups', ['integration', 'display_name']],
    ['memberships_member_id', 'memberships', ['integration', 'member_id']],
    ['extraction_runs_started_at', 'extraction_runs', ['integration', 'started_at']],
  ]
  for (const [name, table, columns] of plain) {
    await db.schema.createIndex(name).on(table).columns(columns).execute()
  }
  await db.schema
    .createIndex('accounts_lower_user_name')
    .on('accounts')
    .expression(sql`integration, lower(user_name)`)
    .execute()
  await db.schema
    .createIndex('groups_lower_display_name')
    .on('groups')
    .expression(sql`integration, lower(display_name)`)
    .execute()
}

/** Creates every table of tables.ts, with primary keys and the graph's indexes. */
export const accessGraph: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await createTables(db)
    await createIndexes(db)
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'leases',
      'staged_memberships',
      'staged_groups',
      'staged_accounts',
      'attribute_index',
      'target_schemas',
      'memberships',
      'groups',
      'accounts',
      'extraction_runs',
      'integrations',
    ]) {
      await db.schema.dropTable(table).ifExists().execute()
    }
  },
}
