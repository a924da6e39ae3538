/**
 * What the policy engine reads of a source: its pending events per consumer, the current state of
 * its identities, and its last snapshot. Each consumer (a policy, say) has its own position in
 * the source's event log, so several policies on one source each see every event once.
 */
import type { Kysely } from 'kysely'
import type {
  Database,
  SourceEventsTable,
  SourceIdentitiesTable,
  SourceSnapshotsTable,
} from '../store/tables.ts'
import type { AttributeChange, SourceAttributes, SourceEvent } from './source-types.ts'

type Db = Kysely<Database>

/** One identity's current state in a source. */
export interface SourceIdentity {
  readonly key: string
  readonly attributes: SourceAttributes
  readonly firstSeenAt: string
  readonly updatedAt: string
  /** When it left; null while it is there. */
  readonly leftAt: string | null
}

/** Events of `source` after the consumer's position, oldest first, at most `limit` (default 1000). */
export async function pendingEvents(
  db: Db,
  source: string,
  consumer: string,
  options: { limit?: number | undefined } = {},
): Promise<SourceEvent[]> {
  const cursor = await db
    .selectFrom('source_cursors')
    .select('last_seq')
    .where('source', '=', source)
    .where('consumer', '=', consumer)
    .executeTakeFirst()
  const rows = await db
    .selectFrom('source_events')
    .selectAll()
    .where('source', '=', source)
    .where('seq', '>', cursor?.last_seq ?? 0)
    .orderBy('seq')
    .limit(options.limit ?? 1000)
    .execute()
  return rows.map(toEvent)
}

/**
 * Moves the consumer's position to `throughSeq`: events up to it are processed. The position
 * never moves back, so a late or repeated call changes nothing.
 */
export async function markEventsConsumed(
  db: Db,
  source: string,
  consumer: string,
  throughSeq: number,
  now: Date = new Date(),
): Promise<void> {
  await db
    .insertInto('source_cursors')
    .values({ source, consumer, last_seq: throughSeq, updated_at: now.toISOString() })
    .onConflict((conflict) =>
      conflict
        .columns(['source', 'consumer'])
        .doUpdateSet((eb) => ({
          last_seq: eb.ref('excluded.last_seq'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) => eb('source_cursors.last_seq', '<', eb.ref('excluded.last_seq'))),
    )
    .execute()
}

/** The identities of `source` as of its last accepted snapshot, by key; left ones only when asked. */
export async function currentIdentities(
  db: Db,
  source: string,
  options: { includeLeft?: boolean | undefined } = {},
): Promise<SourceIdentity[]> {
  let query = db.selectFrom('source_identities').selectAll().where('source', '=', source)
  if (options.includeLeft !== true) query = query.where('left_at', 'is', null)
  const rows = await query.orderBy('identity_key').execute()
  return rows.map(toIdentity)
}

/** One identity of `source`, left or not; undefined when the source never had it. */
export async function findIdentity(db: Db, source: string, key: string): Promise<SourceIdentity | undefined> {
  const row = await db
    .selectFrom('source_identities')
    .selectAll()
    .where('source', '=', source)
    .where('identity_key', '=', key)
    .executeTakeFirst()
  return row === undefined ? undefined : toIdentity(row)
}

/** The last snapshot of `source` (accepted or refused), for health and scheduling. */
export async function lastSnapshot(db: Db, source: string): Promise<SourceSnapshotsTable | undefined> {
  return db
    .selectFrom('source_snapshots')
    .selectAll()
    .where('source', '=', source)
    .orderBy('taken_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

function toIdentity(row: SourceIdentitiesTable): SourceIdentity {
  return {
    key: row.identity_key,
    attributes: JSON.parse(row.attributes) as SourceAttributes,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    leftAt: row.left_at,
  }
}

function toEvent(row: SourceEventsTable): SourceEvent {
  return {
    source: row.source,
    seq: row.seq,
    snapshotId: row.snapshot_id,
    key: row.identity_key,
    kind: row.kind,
    reason: row.reason,
    changes: JSON.parse(row.changes) as Record<string, AttributeChange>,
    attributes: JSON.parse(row.attributes) as SourceAttributes,
    createdAt: row.created_at,
  }
}
