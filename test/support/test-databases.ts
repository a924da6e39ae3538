/**
 * The databases tests run against: SQLite in memory always, PostgreSQL when
 * PROVISIO_TEST_DATABASE_URL names one (CI sets it). Each PostgreSQL store lives in a schema of
 * its own, named from a label, so test files running in parallel never see each other's rows.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { openDatabase, type Store } from '../../src/store/database.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'

export interface TestBackend {
  name: 'sqlite' | 'postgres'
  url?: string
  /** Why the backend's tests are skipped, when they are. */
  skip?: string
}

/** The backends every store-level test runs on; postgres carries `skip` when no database is configured. */
export function testBackends(): TestBackend[] {
  const url = process.env.PROVISIO_TEST_DATABASE_URL
  return [
    { name: 'sqlite', url: 'sqlite::memory:' },
    url
      ? { name: 'postgres', url }
      : {
          name: 'postgres',
          skip: 'PROVISIO_TEST_DATABASE_URL is not set (PostgreSQL tests need a database)',
        },
  ]
}

/** A schema name for `label`: readable prefix, hash for uniqueness, within PostgreSQL's 63 bytes. */
export function testSchemaName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
  const hash = createHash('sha256').update(label).digest('hex').slice(0, 10)
  return `t_${slug}_${hash}`
}

/**
 * Opens a fresh, migrated store on `backend`: SQLite in memory, or a PostgreSQL schema named from
 * `label` (dropped first if a crashed run left it, dropped again by dispose). Labels must be
 * unique among stores open at once, e.g. the test file's name plus the case.
 */
export async function openTestStore(
  backend: TestBackend,
  label: string,
): Promise<Store & { dispose(): Promise<void> }> {
  if (backend.skip !== undefined) throw new Error(`backend ${backend.name} is skipped: ${backend.skip}`)
  if (backend.name === 'sqlite') {
    const store = await openDatabase(backend.url ?? 'sqlite::memory:')
    return { ...store, dispose: () => store.close() }
  }
  if (backend.url === undefined) throw new Error('the postgres test backend needs a url')
  const schema = testSchemaName(label)
  const store = await openDatabase(backend.url, { schema, poolMax: 4, migrate: false })
  try {
    // Start from nothing even when a crashed run left the schema behind.
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await sql`create schema ${sql.id(schema)}`.execute(store.db)
    await migrateToLatest(store.db, { schema })
  } catch (error) {
    await store.close()
    throw error
  }
  return {
    ...store,
    dispose: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
      await store.close()
    },
  }
}
