/**
 * The sources' reads and writes of the store, all batched: states in one query, previous
 * attributes and writes in multi-row chunks, so a 100,000-identity snapshot costs a few hundred
 * statements rather than one per identity.
 */
import { createHash } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Store } from '../store/database.ts'
import type { Database, SourceEventsTable, SourceSnapshotsTable } from '../store/tables.ts'
import type { IdentityWrite, StoredState } from './detect-changes.ts'

type Db = Kysely<Database>

/** Rows per multi-row statement: 7–9 columns each stays far below both backends' parameter limits. */
const ROWS_PER_STATEMENT = 500

/**
 * Serializes writers of one source. SQLite's write transaction (BEGIN IMMEDIATE) already excludes
 * every other writer; PostgreSQL takes a transaction-scoped advisory lock on the source's name, so
 * two processes never compare against the same state and both write its events.
 */
export async function lockSource(trx: Db, dialect: Store['dialect'], source: string): Promise<void> {
  if (dialect !== 'postgres') return
  const digest = createHash('sha256').update(`provisio:source:${source}`).digest()
  const lockId = digest.readBigInt64BE(0).toString()
  await sql`select pg_advisory_xact_lock(${lockId}::bigint)`.execute(trx)
}

/** Stored states of the source's identities: all of them, or those of `keys`. */
export async function loadStates(
  db: Db,
  source: string,
  keys?: readonly string[],
): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>()
  // Columns named as StoredState's fields: each row is kept as it comes, not copied (100,000 a read).
  const query = db
    .selectFrom('source_identities')
    .select(['identity_key', 'content_hash as hash', 'left_at as leftAt'])
    .where('source', '=', source)
  const batches = keys === undefined ? [undefined] : chunks(keys)
  for (const batch of batches) {
    const rows = await (batch === undefined ? query : query.where('identity_key', 'in', batch)).execute()
    for (const row of rows) states.set(row.identity_key, row)
  }
  return states
}

/** Stored attributes (canonical JSON text) of `keys`. */
export async function loadAttributeTexts(
  db: Db,
  source: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const texts = new Map<string, string>()
  for (const batch of chunks(keys)) {
    const rows = await db
      .selectFrom('source_identities')
      .select(['identity_key', 'attributes'])
      .where('source', '=', source)
      .where('identity_key', 'in', batch)
      .execute()
    for (const row of rows) texts.set(row.identity_key, row.attributes)
  }
  return texts
}

/** Inserts new identities and updates changed ones; `first_seen_at` stays as first written. */
export async function writeIdentities(
  db: Db,
  source: string,
  writes: readonly IdentityWrite[],
  now: string,
): Promise<void> {
  for (const batch of chunks(writes)) {
    await db
      .insertInto('source_identities')
      .values(
        batch.map((write) => ({
          source,
          identity_key: write.key,
          attributes: write.text,
          content_hash: write.hash,
          first_seen_at: now,
          updated_at: now,
          left_at: write.leftAt,
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(['source', 'identity_key']).doUpdateSet((eb) => ({
          attributes: eb.ref('excluded.attributes'),
          content_hash: eb.ref('excluded.content_hash'),
          updated_at: eb.ref('excluded.updated_at'),
          left_at: eb.ref('excluded.left_at'),
        })),
      )
      .execute()
  }
}

/** Marks identities as left now, keeping their last attributes. */
export async function markDeparted(
  db: Db,
  source: string,
  keys: readonly string[],
  now: string,
): Promise<void> {
  for (const batch of chunks(keys)) {
    await db
      .updateTable('source_identities')
      .set({ left_at: now, updated_at: now })
      .where('source', '=', source)
      .where('identity_key', 'in', batch)
      .execute()
  }
}

/** The next free event number of the source (1 for the first); call it under lockSource. */
export async function nextEventSeq(db: Db, source: string): Promise<number> {
  const row = await db
    .selectFrom('source_events')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('source', '=', source)
    .executeTakeFirst()
  return Number(row?.last ?? 0) + 1
}

/** Appends events (already numbered). */
export async function insertEvents(db: Db, rows: readonly SourceEventsTable[]): Promise<void> {
  for (const batch of chunks(rows))
    await db
      .insertInto('source_events')
      .values([...batch])
      .execute()
}

/** Records one snapshot, accepted or refused. */
export async function insertSnapshot(db: Db, row: SourceSnapshotsTable): Promise<void> {
  await db.insertInto('source_snapshots').values(row).execute()
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) yield items.slice(i, i + ROWS_PER_STATEMENT)
}
