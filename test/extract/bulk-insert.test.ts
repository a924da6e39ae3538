import type { CompiledQuery, Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { runStatements } from '../../src/extract/bulk-insert.ts'
import type { Database } from '../../src/store/tables.ts'

/** A connection that only records what it is asked to run. */
function recordingDb(events: string[]): Kysely<Database> {
  const db = {
    executeQuery: async (query: CompiledQuery) => {
      events.push(query.sql)
      return { rows: [] }
    },
  }
  return db as unknown as Kysely<Database>
}

describe('runStatements', () => {
  it('gives the event loop a turn between statements, so a page that arrived is taken in mid-write', async () => {
    const events: string[] = []
    const db = recordingDb(events)
    setImmediate(() => events.push('page arrived'))

    await runStatements(
      db,
      ['first', 'second', 'third'].map((sql) => ({ sql, parameters: [] })),
    )

    expect(events).toEqual(['first', 'page arrived', 'second', 'third'])
  })

  it('runs every statement in order', async () => {
    const events: string[] = []

    await runStatements(
      recordingDb(events),
      ['a', 'b'].map((sql) => ({ sql, parameters: [] })),
    )

    expect(events).toEqual(['a', 'b'])
  })
})
