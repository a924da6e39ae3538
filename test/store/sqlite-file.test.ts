/** SQLite on disk: the folder is made, the pragmas are set, and data outlives a close. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/database.ts'
import { StoreConfigError, StoreConnectionError } from '../../src/store/errors.ts'
import { appliedMigrations, migrateToLatest } from '../../src/store/migrate.ts'
import { migrations } from '../../src/store/migrations/index.ts'
import { account } from './fixtures.ts'

const dir = mkdtempSync(join(tmpdir(), 'provisio-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a SQLite file database', () => {
  it('creates its folder, sets WAL and the other pragmas, and keeps its rows across close and reopen', async () => {
    const url = `sqlite:${join(dir, 'nested', 'deeper', 'provisio.db')}`
    const first = await openDatabase(url)
    const settings = await sql<Record<string, unknown>>`
      select * from pragma_journal_mode, pragma_synchronous, pragma_foreign_keys, pragma_busy_timeout`.execute(
      first.db,
    )
    expect(Object.values(settings.rows[0] ?? {})).toEqual(['wal', 1, 1, 5000])
    await first.db.insertInto('accounts').values(account('file', 1)).execute()
    await first.close()
    await first.close()

    const second = await openDatabase(url)
    expect(await appliedMigrations(second.db)).toEqual(Object.keys(migrations))
    expect(await migrateToLatest(second.db)).toEqual([])
    const rows = await second.db.selectFrom('accounts').selectAll().execute()
    expect(rows).toEqual([account('file', 1)])
    await second.close()
  })

  it('resolves a relative path against baseDir', async () => {
    const store = await openDatabase('sqlite:./relative/provisio.db', { baseDir: dir })
    await store.db.insertInto('leases').values({ name: 'n', holder: 'h', expires_at: 'x' }).execute()
    await store.close()
    const again = await openDatabase(`sqlite:${join(dir, 'relative', 'provisio.db')}`)
    expect(await again.db.selectFrom('leases').select('holder').execute()).toEqual([{ holder: 'h' }])
    await again.close()
  })

  it('can be opened without migrating', async () => {
    const store = await openDatabase(`sqlite:${join(dir, 'bare.db')}`, { migrate: false })
    expect(await store.db.introspection.getTables()).toEqual([])
    await store.close()
  })

  it('reports a file that is not a database, naming it', async () => {
    const path = join(dir, 'notes.txt')
    writeFileSync(path, 'this is not a database, just some text that is long enough to have a header')
    const opening = openDatabase(`sqlite:${path}`)
    await expect(opening).rejects.toBeInstanceOf(StoreConnectionError)
    await expect(opening).rejects.toThrow(path)
  })

  it('refuses the PostgreSQL-only schema option', async () => {
    await expect(openDatabase('sqlite::memory:', { schema: 'x' })).rejects.toBeInstanceOf(StoreConfigError)
  })
})

describe('a new SQLite file opened by several connections at once', () => {
  it('is migrated once, and every connection opens it without a migration error', async () => {
    for (let round = 0; round < 5; round += 1) {
      const url = `sqlite:${join(dir, `concurrent-${round}.db`)}`
      // Separate connections, as separate processes would have: their migrations interleave.
      const stores = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url)))
      for (const store of stores) expect(await appliedMigrations(store.db)).toEqual(Object.keys(migrations))
      await Promise.all(stores.map((store) => store.close()))
    }
  })
})
