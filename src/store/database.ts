/**
 * Opens the store: SQLite (embedded, one process) or PostgreSQL (shared by several processes),
 * both behind one Kysely query builder, migrated to the latest schema on open.
 */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { type DatabaseTarget, parseDatabaseUrl, redactDatabaseUrl } from './database-url.ts'
import { StoreConfigError, StoreConnectionError } from './errors.ts'
import { migrateToLatest } from './migrate.ts'
import type { Database } from './tables.ts'

export interface OpenDatabaseOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean | undefined
  /** PostgreSQL only: the schema to use (created if absent) instead of the role's default one. */
  schema?: string | undefined
  /** Directory that relative SQLite paths are resolved against (default: the working directory). */
  baseDir?: string | undefined
  /** PostgreSQL only: pool size (default 10). */
  poolMax?: number | undefined
  /**
   * PostgreSQL only: told of errors on idle pooled connections (a server restart, say). The pool
   * drops such a connection by itself; without a listener Node would crash the process.
   */
  onIdleError?: ((error: Error) => void) | undefined
}

/** An open store. */
export interface Store {
  db: Kysely<Database>
  dialect: 'sqlite' | 'postgres'
  /** PostgreSQL: the schema every table lives in; SQLite: undefined. */
  schema: string | undefined
  /** Closes the file or the pool; further queries fail. Safe to call twice. */
  close(): Promise<void>
  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back when it throws. Use
   * the `trx` it receives: on SQLite, `db` waits for the transaction's single connection to free.
   */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>
}

/** SQLite waits this long for a lock held by another process before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function openSqliteFile(filename: string): BetterSqlite3.Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const raw = new BetterSqlite3(filename, { timeout: BUSY_TIMEOUT_MS })
  try {
    // Set before anything is written, so it only takes effect for a new file. Account rows (raw and
    // normalized JSON) run to a few KB: one fits a default 4 KB page with most of a second one's
    // room wasted, and an extraction's bulk writes cost about a third less CPU on 16 KB pages.
    raw.pragma('page_size = 16384')
    // WAL lets readers (the dashboard, `provisio graph`) run while an extraction writes; with WAL,
    // synchronous=NORMAL stays consistent after a crash and only risks the last commits on power loss.
    raw.pragma('journal_mode = WAL')
    raw.pragma('synchronous = NORMAL')
    raw.pragma('foreign_keys = ON')
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    return raw
  } catch (error) {
    raw.close()
    throw error
  }
}

/** Prepared statements kept per SQLite connection; see cachingStatements. */
const STATEMENT_CACHE_SIZE = 200

/**
 * The connection as Kysely's SQLite driver uses it, with prepared statements kept by their text:
 * the driver prepares every query it runs, and the same queries come back all the time (the
 * extraction's inserts have thousands of parameters, so preparing one costs more than running it).
 * Kysely runs one query at a time on the connection, so a statement is never reused while busy.
 */
function cachingStatements(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => raw.close(),
    prepare(text: string) {
      let statement = cache.get(text)
      if (statement) {
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(text)
      } else {
        statement = raw.prepare(text)
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
      }
      cache.set(text, statement)
      return statement
    },
  }
}

/** SQLite files behind open stores, for work that wants a connection of its own to the same file. */
const sqliteFiles = new WeakMap<Kysely<Database>, SqliteFile>()

/** An open store's SQLite file and how long its connections wait for a lock. */
export interface SqliteFile {
  filename: string
  busyTimeoutMs: number
}

/** The SQLite file behind `db`; undefined for PostgreSQL and in-memory stores (one connection only). */
export function sqliteFileOf(db: Kysely<Database>): SqliteFile | undefined {
  return sqliteFiles.get(db)
}

function openSqlite(filename: string): Store {
  let raw: BetterSqlite3.Database
  try {
    raw = openSqliteFile(filename)
  } catch (error) {
    throw new StoreConnectionError(
      `cannot open the SQLite database ${filename}: ${message(error)}`,
      `sqlite:${filename}`,
      error,
    )
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(raw) }) })
  if (filename !== ':memory:' && filename !== '') {
    sqliteFiles.set(db, { filename: resolve(filename), busyTimeoutMs: BUSY_TIMEOUT_MS })
  }
  return {
    db,
    dialect: 'sqlite',
    schema: undefined,
    close: closeOnce(db),
    // BEGIN IMMEDIATE takes the write lock up front: a deferred BEGIN that reads and then writes
    // can fail with SQLITE_BUSY at once, without waiting, when another process wrote in between.
    transaction: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn)
        try {
          const result = await fn(conn)
          await sql`commit`.execute(conn)
          return result
        } catch (error) {
          // SQLite may already have rolled back by itself (SQLITE_FULL, say); the first error matters.
          await sql`rollback`.execute(conn).catch(() => undefined)
          throw error
        }
      }),
  }
}

async function openPostgres(
  connectionString: string,
  options: OpenDatabaseOptions,
): Promise<Store & { schema: string }> {
  const redacted = redactDatabaseUrl(connectionString)
  const wanted = options.schema
  if (wanted !== undefined && !SCHEMA_NAME.test(wanted)) {
    throw new StoreConfigError(
      `PostgreSQL schema "${wanted}" is not allowed: use 1 to 63 lower-case letters, digits and underscores, not starting with a digit`,
    )
  }
  if (wanted !== undefined && new URL(connectionString).searchParams.has('options')) {
    // pg lets the URL's `options` replace ours, which would silently drop the search_path.
    throw new StoreConfigError(
      `database ${redacted} sets "options" in its URL; it cannot be combined with the schema option ("${wanted}")`,
    )
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolMax ?? 10,
    // Unreachable hosts otherwise hang the first query for the OS's TCP timeout (minutes).
    connectionTimeoutMillis: 10_000,
    // Set at connection start-up, so every pooled connection resolves unqualified names the same.
    ...(wanted === undefined ? {} : { options: `-c search_path=${wanted}` }),
  })
  pool.on('error', options.onIdleError ?? (() => undefined))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  let schema: string | null | undefined
  try {
    if (wanted !== undefined) await createSchema(db, wanted)
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
    schema = result.rows[0]?.schema
  } catch (error) {
    await db.destroy()
    throw new StoreConnectionError(
      `cannot connect to PostgreSQL at ${redacted}: ${message(error)}`,
      redacted,
      error,
    )
  }
  if (schema == null) {
    await db.destroy()
    throw new StoreConnectionError(
      `PostgreSQL at ${redacted}: no schema on the search_path exists; create one or set the store's schema option`,
      redacted,
    )
  }
  return {
    db,
    dialect: 'postgres',
    schema,
    close: closeOnce(db),
    transaction: (fn) => db.transaction().execute(fn),
  }
}

async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  } catch (error) {
    // Two processes creating the same schema at once can both pass "if not exists"; one then
    // fails on the catalog's unique index although the schema now exists, which is what we want.
    const code = (error as { code?: unknown }).code
    if (code !== '23505' && code !== '42P06') throw error
  }
}

function closeOnce(db: Kysely<Database>): () => Promise<void> {
  let closing: Promise<void> | undefined
  return () => {
    closing ??= db.destroy()
    return closing
  }
}

async function openTarget(target: DatabaseTarget, options: OpenDatabaseOptions): Promise<Store> {
  if (target.dialect === 'sqlite') {
    if (options.schema !== undefined) {
      throw new StoreConfigError(`the schema option ("${options.schema}") applies to PostgreSQL only`)
    }
    return openSqlite(target.filename)
  }
  return openPostgres(target.connectionString, options)
}

/**
 * Opens the database named by `url` (`sqlite:./file.db`, `sqlite::memory:`, `postgres://…`) and
 * applies pending migrations unless `options.migrate` is false.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Store> {
  const store = await openTarget(parseDatabaseUrl(url, options.baseDir), options)
  if (options.migrate === false) return store
  try {
    await migrateToLatest(store.db, { schema: store.schema })
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}
