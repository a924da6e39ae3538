/**
 * Helpers for the extraction tests: extraction targets over real HTTP, snapshots of the graph's
 * tables to compare row by row, and a sandbox whose resources were last modified long ago.
 */
import type { Kysely } from 'kysely'
import { onTestFinished } from 'vitest'
import type { ExtractionTarget } from '../../src/extract/extraction-target.ts'
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.ts'
import { type CapabilityOverrides, ScimClient, type ScimResource } from '../../src/scim/index.ts'
import type {
  AccountsTable,
  Database,
  ExtractionRunsTable,
  GroupsTable,
  MembershipsTable,
  Store,
} from '../../src/store/index.ts'
import { openTestStore, type TestBackend } from './test-databases.ts'

export const TOKEN = 'extraction-token-5d1e'

export interface TargetOptions {
  integration?: string
  groups?: boolean
  extensionSchemas?: boolean
  /** Page size asked for; small pages make a handful of resources span several pages. */
  pageSize?: number
  token?: string
  overrides?: CapabilityOverrides
}

/** An extraction target over a fresh client with fast retries; close the client when done. */
export function extractionTarget(baseUrl: string, options: TargetOptions = {}): ExtractionTarget {
  const pagination = options.pageSize === undefined ? {} : { pagination: { pageSize: options.pageSize } }
  const client = new ScimClient({
    baseUrl,
    auth: { bearer: options.token ?? TOKEN },
    integration: options.integration ?? 'app',
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    overrides: { ...pagination, ...options.overrides },
  })
  return {
    integration: options.integration ?? 'app',
    client,
    groups: options.groups ?? true,
    extensionSchemas: options.extensionSchemas ?? false,
  }
}

/** Every row of the graph's tables for one integration, in key order, every column included. */
export interface GraphSnapshot {
  accounts: AccountsTable[]
  groups: GroupsTable[]
  memberships: MembershipsTable[]
}

export async function graphSnapshot(db: Kysely<Database>, integration = 'app'): Promise<GraphSnapshot> {
  return {
    accounts: await db
      .selectFrom('accounts')
      .selectAll()
      .where('integration', '=', integration)
      .orderBy('id')
      .execute(),
    groups: await db
      .selectFrom('groups')
      .selectAll()
      .where('integration', '=', integration)
      .orderBy('id')
      .execute(),
    memberships: await db
      .selectFrom('memberships')
      .selectAll()
      .where('integration', '=', integration)
      .orderBy('group_id')
      .orderBy('member_id')
      .execute(),
  }
}

/** Keys of rows that differ (or appear, or vanish) between two lists keyed by `key`. */
export function changedKeys<T>(before: readonly T[], after: readonly T[], key: (row: T) => string): string[] {
  const old = new Map(before.map((row) => [key(row), JSON.stringify(row)]))
  const changed = after.filter((row) => old.get(key(row)) !== JSON.stringify(row)).map(key)
  const current = new Set(after.map(key))
  const vanished = before.map(key).filter((k) => !current.has(k))
  return [...changed, ...vanished].sort()
}

export const membershipKey = (row: { group_id: string; member_id: string }): string =>
  `${row.group_id}>${row.member_id}`

/** Staging rows of every run; after any extraction, finished or failed, there must be none. */
export async function stagedRowCount(db: Kysely<Database>): Promise<number> {
  let total = 0
  for (const table of ['staged_accounts', 'staged_groups', 'staged_memberships'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    total += Number(row.n)
  }
  return total
}

/** The extraction_runs row of a run. */
export function runRecord(db: Kysely<Database>, runId: string): Promise<ExtractionRunsTable> {
  return db.selectFrom('extraction_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow()
}

/** Distinct (group, member) edges the sandbox's groups state. */
export function sandboxMemberships(sandbox: Sandbox): string[] {
  return sandbox
    .groups()
    .flatMap((group) => membersOf(group).map((member) => `${group.id}>${member.value}`))
    .sort()
}

function membersOf(resource: ScimResource): Array<{ value?: string }> {
  return Array.isArray(resource.members) ? (resource.members as Array<{ value?: string }>) : []
}

/**
 * Dates every resource of the sandbox back to `at` (created and lastModified), so an incremental
 * extraction after it sees only what changes from now on.
 */
export function backdateSandbox(sandbox: Sandbox, at: string): void {
  const state = structuredClone(sandbox.store.snapshot())
  for (const resource of [...state.users, ...state.groups]) {
    resource.meta = { ...resource.meta, created: at, lastModified: at }
  }
  sandbox.store.restore(state)
}

/** A store, a sandbox and the targets made for them, all closed when the test finishes. */
export interface ExtractionWorld {
  store: Store & { dispose(): Promise<void> }
  db: Kysely<Database>
  sandbox: Sandbox
  /** A target for the sandbox (or `url`), closed with the world. */
  target(options?: TargetOptions & { url?: string }): ExtractionTarget
  /** Closes something else with the world. */
  defer(close: () => Promise<void>): void
}

/** Opens a fresh store on `backend` and a sandbox requiring TOKEN; both go away after the test. */
export async function extractionWorld(
  backend: TestBackend,
  label: string,
  sandboxOptions: SandboxOptions = {},
): Promise<ExtractionWorld> {
  const closers: Array<() => Promise<void>> = []
  onTestFinished(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })
  const store = await openTestStore(backend, label)
  closers.push(() => store.dispose())
  const sandbox = await startSandbox({ token: TOKEN, ...sandboxOptions })
  closers.push(() => sandbox.close())
  return {
    store,
    db: store.db,
    sandbox,
    target(options = {}) {
      const target = extractionTarget(options.url ?? sandbox.url, options)
      closers.push(() => target.client.close())
      return target
    },
    defer(close) {
      closers.push(close)
    },
  }
}
