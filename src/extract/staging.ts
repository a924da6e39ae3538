/**
 * Writing what an extraction reads into the staging tables, page by page, so memory stays flat
 * and the graph itself is only touched once at the end. A first extraction writes straight into
 * the graph instead (there is no previous graph to keep whole), about a thousand resources per
 * transaction: a commit writes every index page its rows touched, and with keys spread at random
 * (UUIDs, user names) nearly all of them are touched again by the next page. Measured with 30,000
 * accounts with random keys: 730 MB of write-ahead log committed page by page, 174 MB a thousand at
 * a time, for less than half the CPU. Its rows are taken back if it fails, so nothing depends on
 * when they commit.
 */
import type { Kysely } from 'kysely'
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import type { Database } from '../store/tables.ts'
import { RowBuffer, runStatements } from './bulk-insert.ts'
import { insertGroupMemberships } from './group-memberships.ts'
import { pushAccount, pushGroup, pushMembership, ROW_TABLES, type RowContext } from './staged-rows.ts'

/** Rows per statement: SQLite allows 32,766 bound parameters, PostgreSQL 65,535. */
const RESOURCE_ROWS_PER_INSERT = 100
const MEMBERSHIP_ROWS_PER_INSERT = 1000

/** Straight into the graph, a transaction is written once it holds this many resources or memberships. */
const RESOURCES_PER_TRANSACTION = 1000
const MEMBERSHIPS_PER_TRANSACTION = 10_000

export interface StagingContext extends RowContext {
  db: Kysely<Database>
}

/** Writes an extraction's rows as its pages are read; `flush` writes what a first extraction still holds. */
export class StagingWriter {
  readonly #context: StagingContext
  readonly #accounts: RowBuffer
  readonly #groups: RowBuffer
  readonly #memberships: RowBuffer

  constructor(context: StagingContext) {
    this.#context = context
    const tables = ROW_TABLES[context.into]
    this.#accounts = new RowBuffer(tables.accounts, RESOURCE_ROWS_PER_INSERT)
    this.#groups = new RowBuffer(tables.groups, RESOURCE_ROWS_PER_INSERT)
    this.#memberships = new RowBuffer(tables.memberships, MEMBERSHIP_ROWS_PER_INSERT)
  }

  /**
   * Stages a page of users, and with `withMemberships` the memberships their `groups` attribute
   * states (for targets whose groups do not list members). `texts` are the users' JSON as sent.
   */
  async stageUsers(
    users: readonly ScimUser[],
    withMemberships: boolean,
    texts?: ReadonlyArray<string | undefined>,
  ): Promise<void> {
    const context = this.#context
    for (const [at, user] of users.entries()) {
      if (typeof user.id !== 'string' || user.id === '') continue
      pushAccount(context, this.#accounts, user, texts?.[at])
      // Targets that only offer User.groups still give the graph its memberships; indirect
      // memberships are derived, not edges.
      if (!withMemberships) continue
      for (const group of user.groups ?? []) {
        const type = typeof group.type === 'string' ? group.type.toLowerCase() : 'direct'
        if (typeof group.value !== 'string' || type === 'indirect') continue
        pushMembership(context, this.#memberships, group.value, user.id, 'User')
      }
    }
    await this.#pageDone()
  }

  /**
   * Stages a page of groups; `texts` are the groups' JSON as sent. Their members become
   * memberships once every group is stored (`stageGroupMemberships`).
   */
  async stageGroups(groups: readonly ScimGroup[], texts?: ReadonlyArray<string | undefined>): Promise<void> {
    const context = this.#context
    for (const [at, group] of groups.entries()) {
      if (typeof group.id !== 'string' || group.id === '') continue
      pushGroup(context, this.#groups, group, texts?.[at])
    }
    await this.#pageDone()
  }

  /** Writes the memberships the stored groups' `members` state, after their last page. */
  async stageGroupMemberships(): Promise<void> {
    await this.flush()
    await this.#context.db.transaction().execute((trx) => insertGroupMemberships(trx, this.#context))
  }

  /** Writes the rows gathered so far, in one transaction. A resource listed twice (the listing shifted between pages) is kept as first read. */
  async flush(): Promise<void> {
    const db = this.#context.db
    const statements = [this.#accounts, this.#groups, this.#memberships].flatMap((rows) => rows.drain(db))
    if (statements.length === 0) return
    await db.transaction().execute((trx) => runStatements(trx, statements))
  }

  async #pageDone(): Promise<void> {
    const gathered =
      this.#accounts.rows + this.#groups.rows >= RESOURCES_PER_TRANSACTION ||
      this.#memberships.rows >= MEMBERSHIPS_PER_TRANSACTION
    if (this.#context.into === 'staging' || gathered) await this.flush()
  }
}

/** Removes a run's staging rows. */
export async function clearStaging(db: Kysely<Database>, runId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('staged_accounts').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_groups').where('run_id', '=', runId).execute()
    await trx.deleteFrom('staged_memberships').where('run_id', '=', runId).execute()
  })
}
