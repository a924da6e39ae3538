/** PostgreSQL specifics: schemas, reopening, and connection errors that never show the password. */
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/database.ts'
import { StoreConfigError, StoreConnectionError } from '../../src/store/errors.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { testBackends, testSchemaName } from '../support/test-databases.ts'

const postgres = testBackends().find((b) => b.name === 'postgres')
const url = postgres?.url ?? ''

describe.skipIf(postgres?.skip !== undefined)(
  postgres?.skip ? `skipped: ${postgres.skip}` : 'PostgreSQL store',
  () => {
    const schema = testSchemaName('postgres-open')
    afterAll(async () => {
      const admin = await openDatabase(url, { migrate: false })
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db)
      await admin.close()
    })

    it('creates the schema it is given, migrates inside it, and applies nothing on reopen', async () => {
      const first = await openDatabase(url, { schema })
      expect(first.schema).toBe(schema)
      const tables = await first.db.introspection.getTables()
      expect(tables.filter((t) => t.schema === schema).map((t) => t.name)).toContain('accounts')
      await first.db.insertInto('leases').values({ name: 'n', holder: 'h', expires_at: 'x' }).execute()
      await first.close()

      const second = await openDatabase(url, { schema })
      expect(await migrateToLatest(second.db, { schema })).toEqual([])
      expect(await second.db.selectFrom('leases').select('holder').execute()).toEqual([{ holder: 'h' }])
      await second.close()
    })

    it('refuses a schema name that would need quoting', async () => {
      await expect(openDatabase(url, { schema: 'Robert"; drop table x' })).rejects.toBeInstanceOf(
        StoreConfigError,
      )
    })

    it('reports a wrong password without showing it', async () => {
      const parsed = new URL(url)
      parsed.password = 'not-the-password-0451'
      const error = await openDatabase(parsed.toString()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreConnectionError)
      const text = `${(error as Error).message} ${(error as StoreConnectionError).database}`
      expect(text).toContain(`${parsed.hostname}`)
      expect(text).not.toContain('not-the-password-0451')
      expect(text).toContain(':***@')
    })

    it('reports an unreachable server without showing the password', async () => {
      const parsed = new URL(url)
      parsed.port = '1'
      const password = decodeURIComponent(parsed.password)
      const error = await openDatabase(parsed.toString()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreConnectionError)
      expect((error as Error).message).toMatch(/cannot connect to PostgreSQL/)
      if (password) expect((error as Error).message).not.toContain(`:${password}@`)
    })
  },
)
