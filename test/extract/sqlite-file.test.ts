/**
 * Extraction into a SQLite file, the embedded default: a worker thread checkpoints the
 * write-ahead log while the extraction writes (the other tests run on in-memory databases, which
 * have no log), and the writer gets its own checkpoints back after, whether the run succeeded or not.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExtractionError } from '../../src/extract/extraction-error.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { type Sandbox, seededUserId, startSandbox } from '../../src/sandbox/index.ts'
import { startBackgroundCheckpoints } from '../../src/store/background-checkpoints.ts'
import { openDatabase, type Store } from '../../src/store/index.ts'
import type { Database } from '../../src/store/tables.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import { extractionTarget, graphSnapshot, stagedRowCount, TOKEN } from '../support/extraction-fixtures.ts'
import { rejectionOf } from '../support/scim-client-fixtures.ts'

async function writerCheckpointPages(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)
  return Number(result.rows[0]?.wal_autocheckpoint)
}

async function count(db: Kysely<Database>, table: 'accounts' | 'groups' | 'memberships'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('extraction into a SQLite file', () => {
  let dir: string
  let store: Store
  let sandbox: Sandbox
  const closers: Array<() => Promise<void>> = []
  const target = () => {
    const made = extractionTarget(sandbox.url, { pageSize: 7 })
    closers.push(() => made.client.close())
    return made
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provisio-extract-file-'))
    store = await openDatabase(`sqlite:${join(dir, 'provisio.db')}`)
    sandbox = await startSandbox({ token: TOKEN, seedUsers: 40, seedGroups: 6 })
  })
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
    await sandbox.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the graph with checkpoints moved off the writer, then writes no row when nothing changed', async () => {
    let duringRun: Promise<number> | undefined
    const first = await runExtraction(store.db, target(), {
      onProgress: (progress) => {
        if (progress.phase === 'users') duringRun ??= writerCheckpointPages(store.db)
      },
    })
    expect(first).toMatchObject({ status: 'succeeded', usersSeen: 40, groupsSeen: 6 })
    expect(await duringRun).toBe(0)
    expect(await writerCheckpointPages(store.db)).toBe(1000)
    expect(await count(store.db, 'accounts')).toBe(40)
    expect(await count(store.db, 'groups')).toBe(6)
    expect(await count(store.db, 'memberships')).toBe(first.membershipsSeen)

    const before = await graphSnapshot(store.db)
    const second = await runExtraction(store.db, target())
    expect(second).toMatchObject({ status: 'succeeded', rowsWritten: 0, rowsRemoved: 0, usersSeen: 40 })
    expect(await graphSnapshot(store.db)).toEqual(before)
    expect(await stagedRowCount(store.db)).toBe(0)
    expect(await writerCheckpointPages(store.db)).toBe(1000)
  })

  it('gives the writer its checkpoints back only when the last of two checkpointing threads stops', async () => {
    const stopFirst = await startBackgroundCheckpoints(store.db)
    const stopSecond = await startBackgroundCheckpoints(store.db)
    expect(await writerCheckpointPages(store.db)).toBe(0)
    await stopFirst()
    expect(await writerCheckpointPages(store.db)).toBe(0)
    await stopSecond()
    expect(await writerCheckpointPages(store.db)).toBe(1000)
  })

  it('extracts two integrations at once into one file', async () => {
    const other = extractionTarget(sandbox.url, { pageSize: 5, integration: 'other' })
    closers.push(() => other.client.close())
    const runs = await Promise.all([runExtraction(store.db, target()), runExtraction(store.db, other)])
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded'])
    expect(await count(store.db, 'accounts')).toBe(80)
    expect(await writerCheckpointPages(store.db)).toBe(1000)
  })

  it('leaves the previous graph as it was when a page fails, and gives checkpoints back', async () => {
    await runExtraction(store.db, target())
    await new TestClient(sandbox.url, TOKEN).patch(`/Users/${seededUserId(2)}`, [
      { op: 'replace', path: 'title', value: 'CFO' },
    ])
    const before = await graphSnapshot(store.db)

    const error = await rejectionOf(
      runExtraction(store.db, target(), {
        onProgress: (progress) => {
          if (progress.phase === 'users' && progress.users === 14)
            sandbox.setFaults({ statusRates: { 500: 1 } })
        },
      }),
    )

    expect(error).toBeInstanceOf(ExtractionError)
    expect(await graphSnapshot(store.db)).toEqual(before)
    expect(await stagedRowCount(store.db)).toBe(0)
    expect(await writerCheckpointPages(store.db)).toBe(1000)
  })

  it('takes back what a failed first extraction wrote straight into the graph', async () => {
    const error = await rejectionOf(
      runExtraction(store.db, target(), {
        onProgress: (progress) => {
          if (progress.phase === 'users' && progress.users === 14)
            sandbox.setFaults({ statusRates: { 500: 1 } })
        },
      }),
    )

    expect(error).toBeInstanceOf(ExtractionError)
    expect(await count(store.db, 'accounts')).toBe(0)
    expect(await count(store.db, 'groups')).toBe(0)
    expect(await count(store.db, 'memberships')).toBe(0)
    expect(await writerCheckpointPages(store.db)).toBe(1000)
  })
})
