/**
 * The planner's in-memory accounts: an account whose normalized attributes are parsed only when
 * looked at, and the lookup of accounts by a key (user name, external id, email) built on first use.
 */

/** An account as the planner sees it. */
export interface GraphAccount {
  id: string
  userName: string | null
  externalId: string | null
  email: string | null
  active: boolean | null
  /** Normalized attributes (parsed lazily: most accounts of a large graph are never looked at). */
  attributes(): Record<string, unknown>
  setAttributes(values: Record<string, unknown>): void
}

/**
 * What an account is made from: its key columns, and its normalized attributes as stored `text`
 * (parsed on first use), as parsed `attributes`, or neither while `stored` (still in the store).
 */
export interface AccountInput {
  id: string
  userName: string | null
  externalId: string | null
  email: string | null
  active: boolean | null
  text?: string | undefined
  attributes?: Record<string, unknown>
  stored?: boolean
}

/** An account; its attributes text is parsed on first use, or read first when still `stored`. */
export class Account implements GraphAccount {
  readonly id: string
  readonly userName: string | null
  readonly externalId: string | null
  readonly email: string | null
  readonly active: boolean | null
  #text: string | undefined
  #parsed: Record<string, unknown> | undefined
  #employeeNumber: string | undefined
  /** The attributes are in the store only. */
  stored: boolean

  constructor(input: AccountInput) {
    this.id = input.id
    this.userName = input.userName
    this.externalId = input.externalId
    this.email = input.email
    this.active = input.active
    this.#text = input.text
    this.#parsed = input.attributes
    this.stored = input.stored === true && input.text === undefined && input.attributes === undefined
  }

  attributes(): Record<string, unknown> {
    // Answering {} for attributes never read would plan changes against nothing: fail loudly.
    if (this.stored)
      throw new Error(`attributes of account ${this.id} not loaded: call loadAttributes() first`)
    if (this.#parsed) return this.#parsed
    // Parsed anew on each call rather than kept: a full sync reads every account once, and 100,000
    // parsed objects kept to the end of the plan cost far more memory and garbage collection than
    // the few accounts read twice (those a plan changes) cost parsing.
    return this.#text === undefined ? {} : (JSON.parse(this.#text) as Record<string, unknown>)
  }

  /** The employee number, for matching on it: kept, since every look-up by it reads every account. */
  employeeNumber(): string {
    this.#employeeNumber ??= String(this.attributes().employee_number ?? '')
    return this.#employeeNumber
  }

  setAttributes(values: Record<string, unknown>): void {
    this.#employeeNumber = undefined
    this.#parsed = values
    this.#text = undefined
    this.stored = false
  }

  /** The attributes text read from the store. */
  setText(text: string): void {
    if (!this.stored) return
    this.#text = text
    this.stored = false
  }
}

/**
 * A multimap from a lookup key to account ids, built on first use: a plan whose identities are
 * all linked never looks an account up by key, and 100,000 accounts need not be indexed for it.
 */
export class KeyIndex {
  /** key → the id of the one account with it, or the ids of several (rare: a disputed match). */
  #ids: Map<string, string | string[]> | undefined
  readonly #keyOf: (account: Account) => string | null
  readonly #accounts: ReadonlyMap<string, Account>

  constructor(accounts: ReadonlyMap<string, Account>, keyOf: (account: Account) => string | null) {
    this.#accounts = accounts
    this.#keyOf = keyOf
  }

  add(account: Account): void {
    if (this.#ids) KeyIndex.#insert(this.#ids, this.#keyOf(account), account.id)
  }

  remove(account: Account): void {
    const key = this.#keyOf(account)
    if (!this.#ids || key === null) return
    const found = this.#ids.get(key)
    const ids = (typeof found === 'string' ? [found] : (found ?? [])).filter((other) => other !== account.id)
    if (ids.length > 1) this.#ids.set(key, ids)
    else if (ids.length === 1) this.#ids.set(key, ids[0] as string)
    else this.#ids.delete(key)
  }

  get(key: string): readonly string[] {
    if (!this.#ids) {
      this.#ids = new Map()
      for (const account of this.#accounts.values())
        KeyIndex.#insert(this.#ids, this.#keyOf(account), account.id)
    }
    const found = this.#ids.get(key)
    return found === undefined ? [] : typeof found === 'string' ? [found] : found
  }

  static #insert(ids: Map<string, string | string[]>, key: string | null, id: string): void {
    if (key === null || key === '') return
    const found = ids.get(key)
    if (found === undefined) ids.set(key, id)
    else if (typeof found === 'string') ids.set(key, [found, id])
    else found.push(id)
  }
}
