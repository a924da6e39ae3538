/** A store written by an earlier version is brought up to date on open without losing a row. */
import { type Kysely, Migrator, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/database.ts'
import { appliedMigrations, migrateToLatest } from '../../src/store/migrate.ts'
import { migrations } from '../../src/store/migrations/index.ts'
import type { Database } from '../../src/store/tables.ts'
import { type TestBackend, testBackends, testSchemaName } from '../support/test-databases.ts'
import { account, group } from './fixtures.ts'

/** A store migrated only as far as `last`, as an earlier version of Provisio left it. */
async function storeAt(backend: TestBackend, label: string, last: string) {
  const schema = backend.name === 'postgres' ? testSchemaName(label) : undefined
  const store = await openDatabase(backend.url ?? 'sqlite::memory:', { migrate: false, schema })
  if (schema) {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await sql`create schema ${sql.id(schema)}`.execute(store.db)
  }
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
  const { error } = await migrator.migrateTo(last)
  if (error) throw error
  const dispose = async () => {
    if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await store.close()
  }
  return { db: store.db, schema, dispose }
}

async function columnsOf(db: Kysely<Database>, table: string, schema: string | undefined): Promise<string[]> {
  const rows = schema
    ? await sql<{ name: string }>`select column_name as name from information_schema.columns
        where table_schema = ${schema} and table_name = ${table}`.execute(db)
    : await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)
  return rows.rows.map((row) => row.name)
}

describe.each(testBackends())('upgrading a store on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ? `skipped: ${backend.skip}` : 'from 0005', () => {
    it('drops the content hash of accounts and groups and keeps every row and its content', async () => {
      const old = await storeAt(backend, `migration-upgrade-${backend.name}`, '0005_policies')
      try {
        const accounts = [account('old', 1), account('old', 2)]
        const groups = [group('old', 1)]
        // Rows as 0001–0005 stored them: each with its content hash.
        for (const row of accounts) {
          await sql`insert into accounts (integration, id, user_name, external_id, display_name, email, active,
            attributes, raw, created_at, last_modified, content_hash, first_seen_at, updated_at, removed_at)
            values (${row.integration}, ${row.id}, ${row.user_name}, ${row.external_id}, ${row.display_name},
            ${row.email}, ${row.active}, ${row.attributes}, ${row.raw}, ${row.created_at}, ${row.last_modified},
            ${'hash'}, ${row.first_seen_at}, ${row.updated_at}, ${row.removed_at})`.execute(old.db)
        }
        for (const row of groups) {
          await sql`insert into groups (integration, id, display_name, external_id, attributes, raw, created_at,
            last_modified, content_hash, first_seen_at, updated_at, removed_at)
            values (${row.integration}, ${row.id}, ${row.display_name}, ${row.external_id}, ${row.attributes},
            ${row.raw}, ${row.created_at}, ${row.last_modified}, ${'hash'}, ${row.first_seen_at},
            ${row.updated_at}, ${row.removed_at})`.execute(old.db)
        }

        expect(await migrateToLatest(old.db, { schema: old.schema })).toContain('0006_content_compare')

        expect(await appliedMigrations(old.db, { schema: old.schema })).toEqual(Object.keys(migrations))
        for (const table of ['accounts', 'groups', 'staged_accounts', 'staged_groups']) {
          expect(await columnsOf(old.db, table, old.schema)).not.toContain('content_hash')
        }
        expect(await old.db.selectFrom('accounts').selectAll().orderBy('id').execute()).toEqual(accounts)
        expect(await old.db.selectFrom('groups').selectAll().execute()).toEqual(groups)
      } finally {
        await old.dispose()
      }
    })
  })
})
