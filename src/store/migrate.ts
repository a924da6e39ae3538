/** Applies the store's migrations with Kysely's Migrator and an in-code provider. */
import { type Kysely, type MigrationProvider, Migrator } from 'kysely'
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
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  })
}

/** Runs every migration not yet applied and returns the names it ran, in order. */
export async function migrateToLatest(db: Kysely<Database>, options: MigrateOptions = {}): Promise<string[]> {
  const { error, results = [] } = await createMigrator(db, options).migrateToLatest()
  if (error !== undefined) {
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
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Names of the migrations already applied to the database, in order. */
export async function appliedMigrations(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<string[]> {
  const all = await createMigrator(db, options).getMigrations()
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name)
}
