/**
 * Sources of truth: snapshots, the current state of each identity, and joiner/mover/leaver events
 * with one read position per consumer (see ../tables.ts). Same conventions as 0001: `text` and
 * `integer` only, ISO-8601 text timestamps, JSON as text, one schema for SQLite and PostgreSQL.
 */
import { type Kysely, type Migration, sql } from 'kysely'

async function createTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('source_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('full', 'incremental')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'refused')`))
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('identity_count', 'integer', (c) => c.notNull())
    .addColumn('joiners', 'integer', (c) => c.notNull())
    .addColumn('movers', 'integer', (c) => c.notNull())
    .addColumn('leavers', 'integer', (c) => c.notNull())
    .addColumn('problem_count', 'integer', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute()

  await db.schema
    .createTable('source_identities')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('identity_key', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text')
    .addPrimaryKeyConstraint('source_identities_pkey', ['source', 'identity_key'])
    .execute()

  await db.schema
    .createTable('source_events')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull())
    .addColumn('identity_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('joiner', 'mover', 'leaver')`))
    .addColumn('reason', 'text', (c) =>
      c.notNull().check(sql`reason in ('new', 'returned', 'changed', 'absent', 'condition', 'deleted')`),
    )
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('source_events_pkey', ['source', 'seq'])
    .execute()

  await db.schema
    .createTable('source_cursors')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('source_cursors_pkey', ['source', 'consumer'])
    .execute()

  await db.schema
    .createIndex('source_snapshots_taken_at')
    .on('source_snapshots')
    .columns(['source', 'taken_at'])
    .execute()
  await db.schema
    .createIndex('source_events_identity')
    .on('source_events')
    .columns(['source', 'identity_key'])
    .execute()
}

/** Creates the source tables and their indexes. */
export const sources: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await createTables(db)
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['source_cursors', 'source_events', 'source_identities', 'source_snapshots']) {
      await db.schema.dropTable(table).ifExists().execute()
    }
  },
}
