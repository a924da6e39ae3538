/**
 * Policy bookkeeping (see ../tables.ts): versions of each policy's definition, so a run says which
 * version produced it, and the memberships a policy granted, so a mover removes only those.
 */
import type { Kysely, Migration } from 'kysely'

/** Creates the policy tables. */
export const policies: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('policy_versions')
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_versions_pkey', ['policy', 'version'])
      .execute()
    await db.schema
      .createTable('policy_memberships')
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('integration', 'text', (c) => c.notNull())
      .addColumn('identity', 'text', (c) => c.notNull())
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text')
      .addColumn('granted_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_memberships_pkey', ['policy', 'integration', 'identity', 'group_name'])
      .execute()
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('policy_memberships').ifExists().execute()
    await db.schema.dropTable('policy_versions').ifExists().execute()
  },
}
