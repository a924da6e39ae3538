/**
 * Fewer index writes per extracted account. `accounts` had two indexes on the user name: the plain
 * one and the one on `lower(user_name)`. SCIM compares `userName` without case (RFC 7643 §4.1.1),
 * so lookups go through the lower-case one (see 0001's note on spelling the expression); the plain
 * one was only ever written, once per account of every extraction.
 */
import type { Kysely, Migration } from 'kysely'

/** Drops the plain user-name index of `accounts`; lookups by `lower(user_name)`, `external_id` and `email` keep theirs. */
export const extractionSpeed: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('accounts_user_name').ifExists().execute()
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('accounts_user_name')
      .on('accounts')
      .columns(['integration', 'user_name'])
      .execute()
  },
}
