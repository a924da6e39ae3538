/**
 * Named leases: one holder at a time runs a singleton (the scheduler) even when several processes
 * share one PostgreSQL. A holder renews its lease well within the TTL; if it dies, another process
 * takes the lease over once it has expired.
 *
 * Expiry is judged by the clock of the process asking, against the time the holder wrote: hosts
 * sharing a database must keep their clocks in step (NTP), and the TTL minus the renewal interval
 * is the skew tolerated.
 */
import type { Kysely } from 'kysely'
import type { Database } from './tables.ts'

export interface LeaseOptions {
  /** The current time; tests pass one to step over an expiry without waiting. */
  now?: Date | undefined
}

function checkTtl(ttlMs: number): void {
  // A TTL past year 9999 would leave the fixed-width ISO format that makes text comparison work.
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > 366 * 24 * 3600 * 1000) {
    throw new RangeError(
      `lease TTL must be a whole number of milliseconds between 1 and one year, not ${ttlMs}`,
    )
  }
}

/**
 * Takes the lease `name` for `holder` for `ttlMs`: true when it was free, expired or already
 * held by `holder` (a renewal), false when another holder's lease is still running.
 */
export async function acquireLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  ttlMs: number,
  options: LeaseOptions = {},
): Promise<boolean> {
  checkTtl(ttlMs)
  const now = options.now ?? new Date()
  const nowIso = now.toISOString()
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString()
  // One statement, so the check and the write are atomic on both backends: PostgreSQL re-reads the
  // conflicting row under its lock before evaluating the WHERE, SQLite has a single writer.
  const result = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({
          holder: eb.ref('excluded.holder'),
          expires_at: eb.ref('excluded.expires_at'),
        }))
        .where((eb) =>
          eb.or([eb('leases.expires_at', '<=', nowIso), eb('leases.holder', '=', eb.ref('excluded.holder'))]),
        ),
    )
    .executeTakeFirst()
  return result.numInsertedOrUpdatedRows === 1n
}

/** Gives the lease up if `holder` still has it; true when it did. */
export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<boolean> {
  const result = await db
    .deleteFrom('leases')
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst()
  return result.numDeletedRows === 1n
}

/** The lease's current holder and expiry, or undefined when nobody has ever held it or it was released. */
export async function readLease(
  db: Kysely<Database>,
  name: string,
): Promise<{ holder: string; expiresAt: string } | undefined> {
  const row = await db
    .selectFrom('leases')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst()
  return row === undefined ? undefined : { holder: row.holder, expiresAt: row.expires_at }
}
