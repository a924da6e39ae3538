// A worker thread that checkpoints a SQLite file's write-ahead log while an extraction or a
// lifecycle run writes to it, so that copying the log into the database and waiting for the disk to sync it (SQLite does
// both inside the commit that crosses the log's size limit) no longer stalls the extraction.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader of the main thread.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const { filename, busyTimeoutMs, intervalMs } = workerData
const db = new Database(filename, { timeout: busyTimeoutMs, fileMustExist: true })
// Per connection: with WAL, NORMAL syncs at checkpoints, which is what this connection does.
db.pragma('synchronous = NORMAL')
// A PASSIVE checkpoint copies what no reader still needs and never waits for the writer.
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)')
const timer = setInterval(() => {
  try {
    checkpoint.get()
  } catch {
    // A busy or failed checkpoint leaves the log as it was; the next one, or the writer's own, catches up.
  }
}, intervalMs)

parentPort.postMessage('ready')
parentPort.once('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
