/** Applies the store's migrations with Kysely's Migrator and an in-code provider. */
import { setTimeout as delay } from 'node:timers/promises'
import { type Kysely, type MigrationProvider, type MigrationResult, Migrator } from 'kysely'
import { StoreMigrationError } from './errors.ts'
import { migrations } from './migrations/index.ts'
import type { Database } from './tables.ts'

/** Provides the in-code list, so migrations ship inside the package instead of being read from disk. */
const provider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
}

export interface MigrateOptions {
  /**
   * PostgreSQL schema holding Kysely's own bookkeeping tables. Set it to the schema the store
   * uses: without it Kysely looks for `kysely_migration` in every schema it can see and may find
   * another store's, then skip creating its own.
   */
  schema?: string | undefined
}

function createMigrator(db: Kysely<Database>, options: MigrateOptions): Migrator {
  return new Migrator({
    db,
    provider,
    // 0002 landed after 0003–0005 had been applied by development databases; each migration stands
    // alone, so one that arrives late is run rather than refused.
    allowUnorderedMigrations: true,
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  })
}

/** Attempts before a failing migration is reported; see migrateToLatest. */
const MIGRATION_ATTEMPTS = 5

/** Runs every migration not yet applied and returns the names it ran, in order. */
export async function migrateToLatest(db: Kysely<Database>, options: MigrateOptions = {}): Promise<string[]> {
  for (let attempt = 1; ; attempt += 1) {
    const { error, results = [] } = await createMigrator(db, options).migrateToLatest()
    if (error === undefined) return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
    // Kysely locks migrations on PostgreSQL but not on SQLite: two processes opening a new
    // database file at once both run the first migration, and the later one fails on the tables
    // the other created. Its transaction rolled back; the next attempt finds the work done.
    if (attempt < MIGRATION_ATTEMPTS) {
      await delay(50 * attempt)
      continue
    }
    throwMigrationError(error, results)
  }
}

function throwMigrationError(error: unknown, results: readonly MigrationResult[]): never {
  const failed = results.find((r) => r.status === 'Error')?.migrationName
  const reason = error instanceof Error ? error.message : String(error)
  throw new StoreMigrationError(
    failed !== undefined
      ? `database migration ${failed} failed: ${reason}`
      : reason.includes('is missing')
        ? `database migration failed: ${reason}; the database was migrated by a newer Provisio, which it needs`
        : `database migration failed: ${reason}`,
    failed,
    error,
  )
}

/** Names of the migrations already applied to the database, in order. */
export async function appliedMigrations(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<string[]> {
  const all = await createMigrator(db, options).getMigrations()
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name)
}
