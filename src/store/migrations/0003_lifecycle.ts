/**
 * The lifecycle engine's tables (see ../tables.ts): runs, their journaled operations, the audit
 * trail, identity links and integration quarantine. Same conventions as 0001: text and integer
 * columns only, ISO-8601 text timestamps, JSON as text, so one migration serves both dialects.
 */
import { type Kysely, type Migration, sql } from 'kysely'

async function createTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lcm_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('apply', 'rollback')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'text')
    .addColumn('rollback_of', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('limits_report', 'text')
    .addColumn('problems', 'text')
    .addColumn('error', 'text')
    .addColumn('holder', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('operation_count', 'integer', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('lcm_operations')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('lane', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('result_id', 'text')
    .addColumn('error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('answered_at', 'text')
    .addPrimaryKeyConstraint('lcm_operations_pkey', ['run_id', 'seq'])
    .execute()

  await db.schema
    .createTable('lcm_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('request', 'text')
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .execute()

  await db.schema
    .createTable('lcm_links')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lcm_links_pkey', ['integration', 'identity'])
    .execute()

  await db.schema
    .createTable('integration_states')
    .addColumn('integration', 'text', (c) => c.primaryKey())
    .addColumn('quarantined_at', 'text')
    .addColumn('quarantine_reason', 'text')
    .addColumn('resume_after', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

async function createIndexes(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('lcm_runs_created_at').on('lcm_runs').columns(['created_at']).execute()
  await db.schema.createIndex('lcm_runs_status').on('lcm_runs').columns(['status']).execute()
  // Rolling-window limits count answered destructive operations per integration and kind.
  await db.schema
    .createIndex('lcm_operations_window')
    .on('lcm_operations')
    .columns(['integration', 'kind', 'answered_at'])
    .execute()
  await db.schema.createIndex('lcm_audit_run').on('lcm_audit').columns(['run_id', 'seq']).execute()
  await db.schema.createIndex('lcm_audit_at').on('lcm_audit').columns(['at']).execute()
  await db.schema
    .createIndex('lcm_links_account')
    .on('lcm_links')
    .columns(['integration', 'account_id'])
    .unique()
    .execute()
}

/** Creates the lifecycle tables and their indexes. */
export const lifecycle: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await createTables(db)
    await createIndexes(db)
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['integration_states', 'lcm_links', 'lcm_audit', 'lcm_operations', 'lcm_runs']) {
      await db.schema.dropTable(table).ifExists().execute()
    }
  },
}
