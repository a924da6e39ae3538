/**
 * Accounts and groups no longer carry a content hash. An extraction decides whether a row changed
 * by comparing its raw and normalized JSON with what is stored, which costs the database a
 * comparison of two texts; hashing cost every extracted resource a SHA-256 over both, in the
 * process that reads the target, whether anything had changed or not.
 */
import { type Kysely, type Migration, sql } from 'kysely'

const TABLES = ['accounts', 'groups', 'staged_accounts', 'staged_groups'] as const

/** Drops `content_hash` from the graph's and staging's account and group tables. */
export const contentCompare: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const table of TABLES) await db.schema.alterTable(table).dropColumn('content_hash').execute()
  },
  async down(db: Kysely<unknown>): Promise<void> {
    // A hash no extraction produces: the next extraction rewrites every row, and with it the hash.
    for (const table of TABLES) {
      await db.schema
        .alterTable(table)
        .addColumn('content_hash', 'text', (c) => c.notNull().defaultTo(sql`''`))
        .execute()
    }
  },
}
