/**
 * The store's contract, run unchanged on every backend: what extraction and the graph rely on
 * must behave the same on SQLite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appliedMigrations, migrateToLatest } from '../../src/store/migrate.ts'
import { migrations } from '../../src/store/migrations/index.ts'
import type { Database } from '../../src/store/tables.ts'
import { openTestStore, type TestBackend, testBackends } from '../support/test-databases.ts'
import { account, oneRowPerTable, T1, TABLES } from './fixtures.ts'

type TestStore = Awaited<ReturnType<typeof openTestStore>>
type LooseDb = Kysely<Record<string, Record<string, unknown>>>

async function tableNames(store: TestStore): Promise<string[]> {
  const tables = await store.db.introspection.getTables()
  return tables.filter((t) => store.schema === undefined || t.schema === store.schema).map((t) => t.name)
}

async function indexNames(store: TestStore): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
      : sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`
  return (await query.execute(store.db)).rows.map((r) => r.name)
}

/** Upserts accounts the way extraction does: a row is rewritten only when its content changed. */
function upsertAccounts(db: Kysely<Database>, rows: Database['accounts'][]) {
  return db
    .insertInto('accounts')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['integration', 'id'])
        .doUpdateSet((eb) => ({
          raw: eb.ref('excluded.raw'),
          attributes: eb.ref('excluded.attributes'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('accounts.raw', '<>', eb.ref('excluded.raw')),
            eb('accounts.attributes', '<>', eb.ref('excluded.attributes')),
          ]),
        ),
    )
    .executeTakeFirstOrThrow()
}

/** Applies a staged run to `accounts` with INSERT … SELECT, as the graph does at the end of a run. */
function applyStaged(db: Kysely<Database>, runId: string, now: string) {
  const columns = ['integration', 'id', 'user_name', 'attributes', 'raw'] as const
  return db
    .insertInto('accounts')
    .columns([...columns, 'first_seen_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('staged_accounts')
        .select([...columns, sql<string>`${now}`.as('first_seen_at'), sql<string>`${now}`.as('updated_at')])
        .where('run_id', '=', runId),
    )
    .onConflict((oc) =>
      oc
        .columns(['integration', 'id'])
        .doUpdateSet((eb) => ({
          raw: eb.ref('excluded.raw'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) => eb('accounts.raw', '<>', eb.ref('excluded.raw'))),
    )
    .executeTakeFirstOrThrow()
}

function stage(runId: string, integration: string, n: number, raw: string): Database['staged_accounts'] {
  const { first_seen_at: _f, updated_at: _u, removed_at: _r, ...row } = account(integration, n)
  return { ...row, run_id: runId, raw }
}

async function plan(store: TestStore, query: string): Promise<string> {
  if (store.dialect === 'sqlite') {
    const rows = await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(store.db)
    return rows.rows.map((r) => r.detail).join('\n')
  }
  // Tiny tables make a sequential scan cheapest; forbidding it shows whether the index is usable.
  return store.transaction(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx)
    const rows = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx)
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n')
  })
}

describe.each(testBackends())('store contract on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'with a fresh, migrated store',
    () => {
      let store: TestStore

      beforeAll(async () => {
        store = await openTestStore(backend, `store-contract-${backend.name}`)
      })
      afterAll(async () => {
        await store?.dispose()
      })

      it('creates every table and index on a fresh database, and migrating again does nothing', async () => {
        // getTables leaves out Kysely's own bookkeeping tables, so this is exactly tables.ts.
        expect((await tableNames(store)).sort()).toEqual([...TABLES].sort())
        expect(await indexNames(store)).toEqual(
          expect.arrayContaining([
            'accounts_lower_user_name',
            'accounts_external_id',
            'accounts_email',
            'groups_display_name',
            'groups_lower_display_name',
            'memberships_member_id',
            'extraction_runs_started_at',
            'lcm_operations_window',
            'lcm_links_account',
          ]),
        )
        // 0002 dropped it: user names are looked up through lower(user_name).
        expect(await indexNames(store)).not.toContain('accounts_user_name')
        expect(await appliedMigrations(store.db, { schema: store.schema })).toEqual(Object.keys(migrations))
        expect(await migrateToLatest(store.db, { schema: store.schema })).toEqual([])
      })

      it('stores and returns a row of every table with its documented types', async () => {
        const rows = oneRowPerTable('roundtrip')
        const db = store.db as unknown as LooseDb
        for (const table of TABLES) await db.insertInto(table).values(rows[table]).execute()
        for (const table of TABLES) {
          expect(await db.selectFrom(table).selectAll().execute(), table).toContainEqual(rows[table])
        }
        const run = await store.db
          .selectFrom('extraction_runs')
          .select(['duration_ms', 'users_seen'])
          .where('id', '=', 'run-roundtrip')
          .executeTakeFirstOrThrow()
        // Counters come back as JS numbers on both drivers, not strings or bigints.
        expect(typeof run.duration_ms).toBe('number')
        expect(run.users_seen).toBe(100_000)
      })

      it('refuses flags other than 0/1 and unknown enum values', async () => {
        await expect(
          store.db
            .insertInto('accounts')
            .values({ ...account('checks', 1), active: 2 as 0 })
            .execute(),
        ).rejects.toThrow()
        await expect(
          store.db
            .insertInto('memberships')
            .values({
              integration: 'checks',
              group_id: 'g',
              member_id: 'm',
              member_type: 'user' as 'User',
              first_seen_at: T1,
              removed_at: null,
            })
            .execute(),
        ).rejects.toThrow()
      })

      it('upserts only rows whose raw or normalized JSON changed', async () => {
        const rows = [1, 2, 3].map((n) => account('upsert', n))
        expect((await upsertAccounts(store.db, rows)).numInsertedOrUpdatedRows).toBe(3n)
        const again = rows.map((r) => ({ ...r, updated_at: T1 }))
        expect((await upsertAccounts(store.db, again)).numInsertedOrUpdatedRows).toBe(0n)
        const changed = again.map((r, i) => (i === 1 ? { ...r, raw: '{"changed":true}' } : r))
        expect((await upsertAccounts(store.db, changed)).numInsertedOrUpdatedRows).toBe(1n)
        const stored = await store.db
          .selectFrom('accounts')
          .select(['id', 'raw', 'updated_at'])
          .where('integration', '=', 'upsert')
          .orderBy('id')
          .execute()
        expect(stored).toEqual([
          { id: 'u-1', raw: rows[0]?.raw, updated_at: account('upsert', 1).updated_at },
          { id: 'u-2', raw: '{"changed":true}', updated_at: T1 },
          { id: 'u-3', raw: rows[2]?.raw, updated_at: account('upsert', 3).updated_at },
        ])
        const renormalized = changed.map((r, i) => (i === 2 ? { ...r, attributes: '{"title":"Lead"}' } : r))
        expect((await upsertAccounts(store.db, renormalized)).numInsertedOrUpdatedRows).toBe(1n)
      })

      it('applies staged rows with INSERT … SELECT, writing nothing when a second run saw no change', async () => {
        const stageRun = (runId: string, raws: string[]) =>
          store.db
            .insertInto('staged_accounts')
            .values(raws.map((raw, i) => stage(runId, 'staged', i, raw)))
            .execute()
        await stageRun('run-1', ['a', 'b', 'c', 'd'])
        expect((await applyStaged(store.db, 'run-1', T1)).numInsertedOrUpdatedRows).toBe(4n)
        await stageRun('run-2', ['a', 'b', 'c', 'd'])
        expect((await applyStaged(store.db, 'run-2', T1)).numInsertedOrUpdatedRows).toBe(0n)
        await stageRun('run-3', ['a', 'b', 'C', 'd'])
        expect((await applyStaged(store.db, 'run-3', T1)).numInsertedOrUpdatedRows).toBe(1n)
      })

      it('finds an account by userName without regard to case, through the lower(user_name) index', async () => {
        await store.db
          .insertInto('accounts')
          .values([account('ci', 1, { user_name: 'Ada.Lovelace@Example.COM' }), account('ci', 2)])
          .execute()
        const found = await store.db
          .selectFrom('accounts')
          .select('id')
          .where('integration', '=', 'ci')
          .where((eb) =>
            eb(eb.fn('lower', ['user_name']), '=', eb.fn('lower', [eb.val('ada.lovelace@example.com')])),
          )
          .execute()
        expect(found).toEqual([{ id: 'u-1' }])
        const explained = await plan(
          store,
          `select id from accounts where integration = 'ci' and lower(user_name) = lower('ADA.LOVELACE@example.com')`,
        )
        expect(explained).toContain('accounts_lower_user_name')
      })

      it('looks accounts up by external id and by email through their indexes', async () => {
        await store.db
          .insertInto('accounts')
          .values(Array.from({ length: 200 }, (_, i) => account('lookup', i + 1)))
          .execute()
        // PostgreSQL picks among indexes by statistics, which a fresh table does not have yet.
        if (backend.name === 'postgres') await sql`analyze accounts`.execute(store.db)
        const byExternalId = await plan(
          store,
          `select id from accounts where integration = 'lookup' and external_id = 'ext-7'`,
        )
        expect(byExternalId).toContain('accounts_external_id')
        const byEmail = await plan(
          store,
          `select id from accounts where integration = 'lookup' and email = 'user7@example.com'`,
        )
        expect(byEmail).toContain('accounts_email')
      })

      it('commits a transaction that resolves and rolls back one that throws', async () => {
        const committed = await store.transaction(async (trx) => {
          await trx.insertInto('accounts').values(account('trx', 1)).execute()
          return 'done'
        })
        expect(committed).toBe('done')
        await expect(
          store.transaction(async (trx) => {
            await trx.insertInto('accounts').values(account('trx', 2)).execute()
            await trx
              .updateTable('accounts')
              .set({ display_name: 'changed' })
              .where('integration', '=', 'trx')
              .execute()
            throw new Error('boom')
          }),
        ).rejects.toThrow('boom')
        const rows = await store.db
          .selectFrom('accounts')
          .select(['id', 'display_name'])
          .where('integration', '=', 'trx')
          .execute()
        expect(rows).toEqual([{ id: 'u-1', display_name: 'User 1' }])
      })

      it('rolls back a transaction whose statement fails', async () => {
        await expect(
          store.transaction(async (trx) => {
            await trx.insertInto('accounts').values(account('trx-fail', 1)).execute()
            await trx.insertInto('accounts').values(account('trx-fail', 1)).execute()
          }),
        ).rejects.toThrow()
        const left = await store.db
          .selectFrom('accounts')
          .select('id')
          .where('integration', '=', 'trx-fail')
          .execute()
        expect(left).toEqual([])
      })
    },
  )
})
