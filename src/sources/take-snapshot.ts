/**
 * Turns a read (or a webhook delivery) into stored state and events. Everything of one snapshot
 * — its row, the identities that changed and its events — is written in one transaction under
 * the source's lock; a refused read writes its snapshot row only, and the state stays as it was.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Store } from '../store/database.ts'
import type { Database, SourceEventsTable } from '../store/tables.ts'
import { type Detection, detectChanges, type IncomingIdentity } from './detect-changes.ts'
import { attributesText, diffAttributes, encodeAttributes } from './identity-codec.ts'
import type { SourceRefusedError } from './source-errors.ts'
import {
  insertEvents,
  insertSnapshot,
  loadAttributeTexts,
  loadStates,
  lockSource,
  markDeparted,
  nextEventSeq,
  writeIdentities,
} from './source-store.ts'
import type {
  IdentityRecord,
  LeaverPredicate,
  SourceAttributes,
  SourceEvent,
  SourceProblem,
  SourceRead,
} from './source-types.ts'

/** Problems kept with a snapshot row; the count says how many there were in all. */
export const MAX_STORED_PROBLEMS = 100

export interface SnapshotOptions {
  /** The source's `leaver` condition, compiled by the policy layer; without it only absence makes leavers. */
  isLeaver?: LeaverPredicate | undefined
  /** The snapshot's time; default now. */
  now?: Date | undefined
  /** Compute the events and write nothing (a plan's preview). */
  dryRun?: boolean | undefined
}

/** What a snapshot did. */
export interface SnapshotResult {
  readonly snapshotId: string
  readonly source: string
  readonly status: 'accepted' | 'refused'
  /** Why it was refused; the stored state is untouched. */
  readonly error?: SourceRefusedError | undefined
  /** The events written, in order. */
  readonly events: readonly SourceEvent[]
  readonly problems: readonly SourceProblem[]
  /** Identities in the read (records in the delivery). */
  readonly identities: number
  /** Identity rows inserted or updated: 0 when nothing changed. */
  readonly written: number
}

/** A webhook delivery: full records to upsert, and keys that left. */
export interface Delivery {
  readonly upserts: readonly IdentityRecord[]
  readonly leavers: readonly string[]
}

/** Compares a full read with the stored state and writes the snapshot, identities and events. */
export async function takeSnapshot(
  store: Store,
  read: SourceRead,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const now = (options.now ?? new Date()).toISOString()
  if (read.status === 'refused') {
    const { error, problems } = read
    const snapshotId = options.dryRun
      ? randomUUID()
      : await recordRefusal(store.db, read.source, 'full', error.toJSON(), problems, now)
    return {
      snapshotId,
      source: read.source,
      status: 'refused',
      error,
      events: [],
      problems,
      identities: 0,
      written: 0,
    }
  }
  const incoming = encode(read.records, options.isLeaver)
  return commit(
    store,
    read.source,
    'full',
    incoming,
    read.problems,
    now,
    options.dryRun === true,
    async (trx) =>
      detectChanges({
        incoming,
        states: await loadStates(trx, read.source),
        now,
        full: true,
        held: new Set(read.heldKeys),
      }),
  )
}

/** Applies one webhook delivery: the same events as a read, for the keys it names only. */
export async function applyDelivery(
  store: Store,
  source: string,
  delivery: Delivery,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const now = (options.now ?? new Date()).toISOString()
  const incoming = encode(delivery.upserts, options.isLeaver)
  const keys = [...incoming.map((identity) => identity.key), ...delivery.leavers]
  return commit(store, source, 'incremental', incoming, [], now, false, async (trx) =>
    detectChanges({
      incoming,
      states: await loadStates(trx, source, keys),
      now,
      full: false,
      deleted: delivery.leavers,
    }),
  )
}

/** Stores a refused snapshot or delivery (nothing else is written); returns its id. */
export async function recordRefusal(
  db: Kysely<Database>,
  source: string,
  mode: 'full' | 'incremental',
  error: { readonly code: string; readonly reason: string },
  problems: readonly SourceProblem[],
  now: string,
): Promise<string> {
  const id = randomUUID()
  await insertSnapshot(db, {
    id,
    source,
    mode,
    status: 'refused',
    taken_at: now,
    identity_count: 0,
    joiners: 0,
    movers: 0,
    leavers: 0,
    problem_count: problems.length,
    problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
    error: JSON.stringify(error),
  })
  return id
}

// Hashing and the leaver condition run before the transaction: on SQLite it holds the write lock.
function encode(
  records: readonly IdentityRecord[],
  isLeaver: LeaverPredicate | undefined,
): IncomingIdentity[] {
  return records.map((record) => {
    const { hash } = encodeAttributes(record.attributes)
    const leaver = isLeaver?.(record.attributes) ?? false
    return { key: record.key, attributes: record.attributes, hash, leaver }
  })
}

async function commit(
  store: Store,
  source: string,
  mode: 'full' | 'incremental',
  incoming: readonly IncomingIdentity[],
  problems: readonly SourceProblem[],
  now: string,
  dryRun: boolean,
  detect: (trx: Kysely<Database>) => Promise<Detection>,
): Promise<SnapshotResult> {
  const snapshotId = randomUUID()
  const run = async (trx: Kysely<Database>): Promise<SnapshotResult> => {
    await lockSource(trx, store.dialect, source)
    const detection = await detect(trx)
    const previous = await loadAttributeTexts(trx, source, detection.previousNeeded)
    const firstSeq = detection.events.length > 0 ? await nextEventSeq(trx, source) : 1
    const events = detection.events.map((event, index) =>
      buildEvent(source, snapshotId, firstSeq + index, event, previous.get(event.key), now),
    )
    const result: SnapshotResult = {
      snapshotId,
      source,
      status: 'accepted' as const,
      events: events.map((event) => event.event),
      problems,
      identities: incoming.length,
      written: detection.writes.length + detection.departures.length,
    }
    if (dryRun) return result
    const count = (kind: SourceEvent['kind']) => events.filter((event) => event.event.kind === kind).length
    await insertSnapshot(trx, {
      id: snapshotId,
      source,
      mode,
      status: 'accepted',
      taken_at: now,
      identity_count: incoming.length,
      joiners: count('joiner'),
      movers: count('mover'),
      leavers: count('leaver'),
      problem_count: problems.length,
      problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
      error: null,
    })
    await writeIdentities(trx, source, detection.writes, now)
    await markDeparted(trx, source, detection.departures, now)
    await insertEvents(
      trx,
      events.map((event) => event.row),
    )
    return result
  }
  // A preview only reads, in a read transaction: on SQLite it does not take the write lock, so
  // writers elsewhere (an apply, a webhook delivery) are not held up while it compares.
  return dryRun ? store.db.transaction().execute(run) : store.transaction(run)
}

function buildEvent(
  source: string,
  snapshotId: string,
  seq: number,
  detected: Detection['events'][number],
  previousText: string | undefined,
  now: string,
): { row: SourceEventsTable; event: SourceEvent } {
  const previous = previousText === undefined ? undefined : (JSON.parse(previousText) as SourceAttributes)
  const attributes = detected.incoming?.attributes ?? previous ?? {}
  const changes = detected.changed && previous !== undefined ? diffAttributes(previous, attributes) : {}
  const row: SourceEventsTable = {
    source,
    seq,
    snapshot_id: snapshotId,
    identity_key: detected.key,
    kind: detected.kind,
    reason: detected.reason,
    changes: JSON.stringify(changes),
    attributes:
      detected.incoming === undefined ? (previousText ?? '{}') : attributesText(detected.incoming.attributes),
    created_at: now,
  }
  const event: SourceEvent = {
    source,
    seq,
    snapshotId,
    key: detected.key,
    kind: detected.kind,
    reason: detected.reason,
    changes,
    attributes,
    createdAt: now,
  }
  return { row, event }
}
