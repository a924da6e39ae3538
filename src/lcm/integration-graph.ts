/**
 * One integration's accounts, groups and memberships, read from the access graph into memory for
 * planning, and changed as the planner plans so that later actions see earlier ones (an account
 * planned for creation can be put in a group by the next action). Nothing here writes the store.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../store/index.ts'
import { Account, type AccountInput, type GraphAccount, KeyIndex } from './graph-accounts.ts'

/** A planned resource's id before it exists: what bulk calls a bulkId reference. */
export type PlannedId = `bulkId:op${number}`

/** `bulkId:op12` for the resource operation 12 creates. */
export function plannedId(seq: number): PlannedId {
  return `bulkId:op${seq}`
}

/** The sequence number a planned id refers to; undefined for a real id. */
export function plannedSeq(id: string): number | undefined {
  const match = /^bulkId:op(\d+)$/.exec(id)
  return match ? Number(match[1]) : undefined
}

export interface GraphGroup {
  id: string
  displayName: string
  attributes: Record<string, unknown>
}

const lower = (value: string): string => value.toLowerCase()

/** Ids per `in (…)` list: far below both backends' parameter limits. */
const IDS_PER_QUERY = 500

/** The in-memory view of one integration the planner works on. */
export class IntegrationGraph {
  readonly integration: string
  readonly #accounts = new Map<string, Account>()
  readonly #byUserName = new KeyIndex(this.#accounts, (a) => (a.userName === null ? null : lower(a.userName)))
  readonly #byExternalId = new KeyIndex(this.#accounts, (a) => a.externalId)
  readonly #byEmail = new KeyIndex(this.#accounts, (a) => (a.email === null ? null : lower(a.email)))
  readonly #groups = new Map<string, GraphGroup>()
  readonly #groupsByName = new Map<string, string>()
  /**
   * member id → ids of the groups it is a direct member of, for the members whose memberships
   * were read: a plan reads those of the accounts and groups it touches, not the whole graph's.
   */
  readonly #groupsOfMember = new Map<string, Set<string>>()
  /** identity → account id, and back. */
  readonly #links = new Map<string, string>()
  readonly #linkedTo = new Map<string, string>()
  readonly #db: Kysely<Database>
  /** Every stored account is in #accounts (else only those read on demand). */
  #complete = false
  /** Whether accounts read from now on come without their attributes. */
  #withAttributes = true
  /** Every account's attributes have been read. */
  #allAttributes = false
  /** Ids read on demand and not found (removed, or never there). */
  readonly #absent = new Set<string>()
  /** Ids the plan deleted: reading every account later must not bring them back. */
  readonly #forgotten = new Set<string>()

  private constructor(db: Kysely<Database>, integration: string) {
    this.#db = db
    this.integration = integration
  }

  /**
   * Reads the integration's current accounts, groups and identity links. Without `attributes`,
   * accounts come without their attributes (most of a large graph is never looked at): read
   * those an account needs with loadAttributes before asking for them. With `accounts:
   * 'on-demand'`, no account is read yet: loadAccounts reads those a plan names by link, and
   * loadAllAccounts every one, which looking accounts up by key needs.
   */
  static async load(
    db: Kysely<Database>,
    integration: string,
    options: { attributes?: boolean; accounts?: 'all' | 'on-demand' } = {},
  ): Promise<IntegrationGraph> {
    const graph = new IntegrationGraph(db, integration)
    graph.#withAttributes = options.attributes !== false
    if (options.accounts !== 'on-demand') await graph.loadAllAccounts()
    const groups = await db
      .selectFrom('groups')
      .select(['id', 'display_name', 'attributes'])
      .where('integration', '=', integration)
      .where('removed_at', 'is', null)
      .execute()
    for (const row of groups) {
      graph.addGroup({
        id: row.id,
        displayName: row.display_name ?? '',
        attributes: JSON.parse(row.attributes) as Record<string, unknown>,
      })
    }
    const links = await db
      .selectFrom('lcm_links')
      .select(['identity', 'account_id'])
      .where('integration', '=', integration)
      .execute()
    for (const link of links) graph.link(link.identity, link.account_id)
    return graph
  }

  /**
   * Adds an account; `text` is its normalized attributes as stored, parsed on first use, and
   * `stored` says they are still in the store (loadAttributes reads them).
   */
  addAccount(input: AccountInput): GraphAccount {
    const account = new Account(input)
    this.#accounts.set(account.id, account)
    this.#byUserName.add(account)
    this.#byExternalId.add(account)
    this.#byEmail.add(account)
    return account
  }

  /** Applies planned attribute values to an account, keeping the lookups right. */
  updateAccount(id: string, values: Record<string, unknown>): void {
    const account = this.#accounts.get(id)
    if (!account) return
    const merged = { ...account.attributes() }
    for (const [name, value] of Object.entries(values)) {
      if (value === null || value === undefined) delete merged[name]
      else merged[name] = value
    }
    this.#accounts.delete(id)
    this.#byUserName.remove(account)
    this.#byExternalId.remove(account)
    this.#byEmail.remove(account)
    this.addAccount({
      id,
      userName: textOf(merged.user_name),
      externalId: textOf(merged.external_id),
      email: textOf(merged.email),
      active: typeof merged.active === 'boolean' ? merged.active : account.active,
      attributes: merged,
    })
  }

  /**
   * Reads every stored account not read yet (with every attribute, when asked); the ones the plan
   * changed or deleted stay as planned.
   */
  async loadAllAccounts(options: { attributes?: boolean } = {}): Promise<void> {
    if (!this.#complete) {
      for (const row of await this.#accountRows().execute()) {
        if (!this.#accounts.has(row.id) && !this.#forgotten.has(row.id)) this.#addRow(row)
      }
      this.#complete = true
      this.#absent.clear()
    }
    if (options.attributes && !this.#allAttributes) {
      await this.loadAttributes(this.#accounts.keys())
      this.#allAttributes = true
    }
  }

  /** Reads these accounts (by id), those not read yet. */
  async loadAccounts(ids: Iterable<string>): Promise<void> {
    if (this.#complete) return
    const wanted: string[] = []
    for (const id of new Set(ids)) if (!this.#known(id)) wanted.push(id)
    for (let i = 0; i < wanted.length; i += IDS_PER_QUERY) {
      const batch = wanted.slice(i, i + IDS_PER_QUERY)
      for (const row of await this.#accountRows().where('id', 'in', batch).execute()) this.#addRow(row)
      for (const id of batch) if (!this.#accounts.has(id)) this.#absent.add(id)
    }
  }

  #known(id: string): boolean {
    return (
      this.#complete ||
      this.#accounts.has(id) ||
      this.#absent.has(id) ||
      this.#forgotten.has(id) ||
      plannedSeq(id) !== undefined
    )
  }

  #accountRows() {
    return this.#db
      .selectFrom('accounts')
      .select(
        this.#withAttributes
          ? ['id', 'user_name', 'external_id', 'email', 'active', 'attributes']
          : ['id', 'user_name', 'external_id', 'email', 'active'],
      )
      .where('integration', '=', this.integration)
      .where('removed_at', 'is', null)
  }

  #addRow(row: {
    id: string
    user_name: string | null
    external_id: string | null
    email: string | null
    active: number | null
    attributes?: string
  }): void {
    this.addAccount({
      id: row.id,
      userName: row.user_name,
      externalId: row.external_id,
      email: row.email,
      active: row.active === null ? null : row.active === 1,
      text: row.attributes,
      stored: !this.#withAttributes,
    })
  }

  /** Reads the stored attributes of these accounts, those not read yet. */
  async loadAttributes(ids: Iterable<string>): Promise<void> {
    const wanted: string[] = []
    for (const id of new Set(ids)) if (this.#accounts.get(id)?.stored) wanted.push(id)
    for (let i = 0; i < wanted.length; i += IDS_PER_QUERY) {
      const rows = await this.#db
        .selectFrom('accounts')
        .select(['id', 'attributes'])
        .where('integration', '=', this.integration)
        .where('id', 'in', wanted.slice(i, i + IDS_PER_QUERY))
        .execute()
      for (const row of rows) this.#accounts.get(row.id)?.setText(row.attributes)
    }
  }

  /** Forgets an account (a planned delete). */
  removeAccount(id: string): void {
    const account = this.#accounts.get(id)
    if (!account) return
    this.#forgotten.add(id)
    this.#accounts.delete(id)
    this.#byUserName.remove(account)
    this.#byExternalId.remove(account)
    this.#byEmail.remove(account)
  }

  account(id: string): GraphAccount | undefined {
    const account = this.#accounts.get(id)
    // Answering "no such account" for one never read would plan a duplicate: fail loudly instead.
    if (!account && !this.#known(id)) throw new Error(`account ${id} not loaded: call loadAccounts() first`)
    return account
  }

  #requireComplete(): void {
    if (!this.#complete) throw new Error('accounts not all loaded: call loadAllAccounts() first')
  }

  /** Accounts whose normalized `key` equals `value` (user names and emails without case). */
  accountsBy(key: 'user_name' | 'external_id' | 'email' | 'employee_number', value: string): GraphAccount[] {
    this.#requireComplete()
    let ids: readonly string[]
    if (key === 'user_name') ids = this.#byUserName.get(lower(value))
    else if (key === 'external_id') ids = this.#byExternalId.get(value)
    else if (key === 'email') ids = this.#byEmail.get(lower(value))
    else {
      return [...this.#accounts.values()].filter((a) => a.employeeNumber() === value)
    }
    return ids.flatMap((id) => this.#accounts.get(id) ?? [])
  }

  addGroup(group: GraphGroup): void {
    this.#groups.set(group.id, group)
    if (!this.#groupsByName.has(lower(group.displayName)))
      this.#groupsByName.set(lower(group.displayName), group.id)
  }

  /** The group of that display name (without case). */
  groupByName(displayName: string): GraphGroup | undefined {
    const id = this.#groupsByName.get(lower(displayName))
    return id === undefined ? undefined : this.#groups.get(id)
  }

  group(id: string): GraphGroup | undefined {
    return this.#groups.get(id)
  }

  removeGroup(id: string): void {
    const group = this.#groups.get(id)
    if (!group) return
    this.#groups.delete(id)
    if (this.#groupsByName.get(lower(group.displayName)) === id)
      this.#groupsByName.delete(lower(group.displayName))
    for (const groups of this.#groupsOfMember.values()) groups.delete(id)
  }

  /** Reads the memberships of these members (user or group ids) that were not read yet. */
  async loadMemberships(memberIds: Iterable<string>): Promise<void> {
    const wanted = new Set<string>()
    for (const id of memberIds) if (!this.#groupsOfMember.has(id)) wanted.add(id)
    const read = new Map<string, Set<string>>()
    // A resource the plan creates (bulkId:opN) has no stored memberships.
    for (const id of wanted) read.set(id, new Set())
    const stored = [...wanted].filter((id) => plannedSeq(id) === undefined)
    for (let i = 0; i < stored.length; i += IDS_PER_QUERY) {
      const rows = await this.#db
        .selectFrom('memberships')
        .select(['group_id', 'member_id'])
        .where('integration', '=', this.integration)
        .where('member_id', 'in', stored.slice(i, i + IDS_PER_QUERY))
        .where('removed_at', 'is', null)
        .execute()
      for (const row of rows) read.get(row.member_id)?.add(row.group_id)
    }
    for (const [id, groups] of read) this.#groupsOfMember.set(id, groups)
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.#groupsOf(memberId).has(groupId)
  }

  /** Ids of the groups a user or group is a direct member of. */
  groupsOf(memberId: string): string[] {
    return [...this.#groupsOf(memberId)]
  }

  addMember(groupId: string, memberId: string): void {
    this.#groupsOf(memberId).add(groupId)
  }

  removeMember(groupId: string, memberId: string): void {
    this.#groupsOf(memberId).delete(groupId)
  }

  #groupsOf(memberId: string): Set<string> {
    const groups = this.#groupsOfMember.get(memberId)
    if (!groups) throw new Error(`memberships of ${memberId} not loaded: call loadMemberships() first`)
    return groups
  }

  /** Records that `identity` owns `accountId`. */
  link(identity: string, accountId: string): void {
    this.#links.set(identity, accountId)
    this.#linkedTo.set(accountId, identity)
  }

  linkedAccount(identity: string): string | undefined {
    return this.#links.get(identity)
  }

  linkedIdentity(accountId: string): string | undefined {
    return this.#linkedTo.get(accountId)
  }

  accountCount(): number {
    this.#requireComplete()
    return [...this.#accounts.keys()].filter((id) => plannedSeq(id) === undefined).length
  }
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
