/**
 * Checkpoints in a worker thread while an extraction or a lifecycle run writes to a SQLite file.
 * In WAL mode the commit that takes the log past its size limit copies the log into the database
 * and waits for the disk to sync both: a stall of the writer's thread every few pages written,
 * with the next page waiting to be read or the next requests waiting to be sent. A second connection can checkpoint beside the writer (a PASSIVE checkpoint
 * never blocks it), so the writer's own checkpoints are turned off for as long as the thread runs.
 */
import { Worker } from 'node:worker_threads'
import { type Kysely, sql } from 'kysely'
import { sqliteFileOf } from './database.ts'
import type { Database } from './tables.ts'

/**
 * How often the thread checkpoints: the log then holds about a second of writes. Every checkpoint
 * syncs the disk, and copies again each page written since the last one; an extraction rewrites
 * its index pages in commit after commit, so checkpointing ten times a second cost more CPU and
 * wrote more for no gain (100,000 users: 1,280 MB written at 100 ms, 1,203 MB at 1 s).
 */
const CHECKPOINT_EVERY_MS = 1000

/** SQLite's default: the writer checkpoints itself once the log holds this many pages. */
const WRITER_CHECKPOINT_PAGES = 1000

/** Threads checkpointing each store, so the writer gets its checkpoints back when the last one stops. */
const running = new WeakMap<Kysely<Database>, number>()

/**
 * Starts checkpointing `db`'s SQLite file from a worker thread; the function returned stops it
 * and gives checkpoints back to the writer. Does nothing for PostgreSQL or an in-memory database.
 */
export async function startBackgroundCheckpoints(db: Kysely<Database>): Promise<() => Promise<void>> {
  const file = sqliteFileOf(db)
  if (!file) return async () => {}
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { ...file, intervalMs: CHECKPOINT_EVERY_MS },
    // Plain JavaScript: it needs none of the loaders the main thread was started with.
    execArgv: [],
  })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  // The writer stops checkpointing only once the thread has the file open; a thread that fails to
  // open it (or stops) leaves checkpoints to the writer, and the extraction goes on regardless.
  const ready = await new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true))
    worker.once('error', () => resolve(false))
    worker.once('exit', () => resolve(false))
  })
  if (!ready) return () => exited
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    const others = (running.get(db) ?? 1) - 1
    running.set(db, others)
    if (others === 0) await writerCheckpoints(db, WRITER_CHECKPOINT_PAGES)
  }
  running.set(db, (running.get(db) ?? 0) + 1)
  await writerCheckpoints(db, 0)
  worker.once('error', () => stop().catch(() => {}))
  return async () => {
    worker.postMessage('stop')
    await exited
    await stop()
  }
}

function writerCheckpoints(db: Kysely<Database>, pages: number): Promise<unknown> {
  return sql`pragma wal_autocheckpoint = ${sql.raw(String(pages))}`.execute(db)
}
