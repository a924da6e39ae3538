/**
 * Multi-row inserts for the extraction's hot path. Building a query of a few thousand bound values
 * through the query builder, then preparing it, costs more than SQLite's own work of storing the
 * rows; the statement text depends only on the table and the number of rows, so it is built once
 * per shape (by Kysely, so each dialect gets its own placeholders) and reused with new values.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { CompiledQuery, type DialectAdapter, type Kysely, sql } from 'kysely'
import type { Database } from '../store/tables.ts'

/** A table written in bulk: its columns in the order rows give them, and the key a repeat hits. */
export interface BulkTable {
  table: keyof Database
  columns: readonly string[]
  /** Columns of the unique key; a row whose key is already there is skipped. */
  conflict: readonly string[]
}

/**
 * Rows of one table gathered as the value lists of the statements that will insert them. Values
 * go straight into a statement's list, with no array per row: a page of groups can state a
 * hundred thousand memberships, and every array is one more object for the collector.
 */
export class RowBuffer {
  readonly spec: BulkTable
  readonly #rowsPerStatement: number
  #full: unknown[][] = []
  #current: unknown[] = []
  #inCurrent = 0
  #rows = 0

  /** `rowsPerStatement` keeps the values of one statement under the backend's limit (SQLite: 32,766). */
  constructor(spec: BulkTable, rowsPerStatement: number) {
    this.spec = spec
    this.#rowsPerStatement = rowsPerStatement
  }

  /** Where the next row's values go, in `spec.columns` order; call `added` once they are in. */
  get values(): unknown[] {
    return this.#current
  }

  added(): void {
    this.#rows++
    if (++this.#inCurrent < this.#rowsPerStatement) return
    this.#full.push(this.#current)
    this.#current = []
    this.#inCurrent = 0
  }

  get rows(): number {
    return this.#rows
  }

  /** The statements that insert the gathered rows (repeats skipped), emptying the buffer. */
  drain(db: Kysely<Database>): BulkStatement[] {
    const lists = this.#full
    const width = this.spec.columns.length
    // The last, partial list goes in parts of a power of two rows: a handful of statement shapes
    // per table then serve every count, and each is built and prepared once.
    for (let start = 0, rest = this.#inCurrent; rest > 0; ) {
      const rows = 2 ** Math.floor(Math.log2(rest))
      lists.push(this.#current.slice(start * width, (start + rows) * width))
      start += rows
      rest -= rows
    }
    this.#full = []
    this.#current = []
    this.#inCurrent = 0
    this.#rows = 0
    return lists.map((parameters) => ({
      sql: statementFor(db, this.spec, parameters.length / width),
      parameters,
    }))
  }
}

/** A statement ready to run: its text and bound values. */
export interface BulkStatement {
  sql: string
  parameters: unknown[]
}

/**
 * Runs statements through `db` (a transaction, typically), giving the event loop a turn between
 * them: writing a thousand rows takes a SQLite connection's thread for tens of milliseconds, and
 * meanwhile the next page that arrived is taken in and the one after it asked for.
 */
export async function runStatements(
  db: Kysely<Database>,
  statements: readonly BulkStatement[],
): Promise<void> {
  for (const [at, { sql: text, parameters }] of statements.entries()) {
    if (at > 0) await nextTurn()
    await db.executeQuery(CompiledQuery.raw(text, parameters))
  }
}

/** Statement texts by shape, per dialect (the adapter is shared by a Kysely instance and its transactions). */
const statements = new WeakMap<DialectAdapter, Map<string, string>>()

function statementFor(db: Kysely<Database>, spec: BulkTable, count: number): string {
  const adapter = db.getExecutor().adapter
  let byShape = statements.get(adapter)
  if (!byShape) {
    byShape = new Map()
    statements.set(adapter, byShape)
  }
  const key = `${spec.table}:${spec.columns.join(',')}:${count}`
  let text = byShape.get(key)
  if (text === undefined) {
    const row = sql`(${sql.join(spec.columns.map(() => null))})`
    text = sql`insert into ${sql.table(spec.table)} (${sql.join(spec.columns.map((c) => sql.ref(c)))})
      values ${sql.join(Array.from({ length: count }, () => row))}
      on conflict (${sql.join(spec.conflict.map((c) => sql.ref(c)))}) do nothing`.compile(db).sql
    byShape.set(key, text)
  }
  return text
}
