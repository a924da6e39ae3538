/**
 * What policy evaluation asks of the targets, answered from the access graph: the account linked
 * to an identity, whether a user name is taken, and accounts no identity backs (orphans).
 *
 * A run that reacts to events reads only the links and accounts of the identities concerned, and
 * the integration's user names only when a user name has to be checked: 1,500 movers and leavers
 * among 100,000 accounts then cost a few queries, not two copies of the whole graph in memory.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../store/index.ts'
import type { TargetView } from './workflow-evaluation.ts'

interface Account {
  id: string
  userName: string | null
  /** Normalized attributes as stored; read only when the view was loaded with attributes. */
  attributes: string | undefined
}

export interface GraphTargetViewOptions {
  /** Only these identities' links and accounts (an event-driven run); default all of them. */
  identities?: Iterable<string> | undefined
  /** Also read the linked accounts' attributes, for `linkedAttributes` (reconcile drift). */
  attributes?: boolean | undefined
}

/** Keys per `in (…)` list: far below both backends' parameter limits. */
const KEYS_PER_QUERY = 500

/** The graph's accounts and identity links of some integrations, in memory. */
export class GraphTargetView implements TargetView {
  readonly #db: Kysely<Database>
  /** integration → account id → account (linked ones; every account when loaded in full) */
  readonly #byId = new Map<string, Map<string, Account>>()
  /** integration → identity → account id */
  readonly #links = new Map<string, Map<string, string>>()
  /** integration → lower user name → account id, read on first use */
  readonly #userNames = new Map<string, Promise<Map<string, string>>>()

  private constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Reads the links and linked accounts of the integrations (of some identities, or all). */
  static async load(
    db: Kysely<Database>,
    integrations: readonly string[],
    options: GraphTargetViewOptions = {},
  ): Promise<GraphTargetView> {
    const view = new GraphTargetView(db)
    const identities = options.identities === undefined ? undefined : [...new Set(options.identities)]
    const columns = options.attributes
      ? (['id', 'user_name', 'attributes'] as const)
      : (['id', 'user_name'] as const)
    for (const integration of integrations) {
      const byId = new Map<string, Account>()
      const links = new Map<string, string>()
      const accounts = db
        .selectFrom('accounts')
        .select(columns)
        .where('integration', '=', integration)
        .where('removed_at', 'is', null)
      const linkRows = db
        .selectFrom('lcm_links')
        .select(['identity', 'account_id'])
        .where('integration', '=', integration)
      const add = (row: { id: string; user_name: string | null; attributes?: string }) =>
        byId.set(row.id, { id: row.id, userName: row.user_name, attributes: row.attributes })
      if (identities === undefined) {
        for (const row of await accounts.execute()) add(row)
        for (const link of await linkRows.execute())
          if (byId.has(link.account_id)) links.set(link.identity, link.account_id)
      } else {
        for (const batch of chunks(identities)) {
          const found = await linkRows.where('identity', 'in', batch).execute()
          const ids = found.map((link) => link.account_id)
          if (ids.length > 0) for (const row of await accounts.where('id', 'in', ids).execute()) add(row)
          for (const link of found) if (byId.has(link.account_id)) links.set(link.identity, link.account_id)
        }
      }
      view.#byId.set(integration, byId)
      view.#links.set(integration, links)
    }
    return view
  }

  linkedUserName(integration: string, identity: string): string | undefined {
    return this.#linked(integration, identity)?.userName ?? undefined
  }

  async isTaken(integration: string, userName: string, identity: string): Promise<boolean> {
    const id = (await this.#userNamesOf(integration)).get(userName.toLowerCase())
    if (id === undefined) return false
    return this.#links.get(integration)?.get(identity) !== id
  }

  /** Normalized attributes of the account linked to an identity (a view loaded with attributes). */
  linkedAttributes(integration: string, identity: string): Record<string, unknown> | undefined {
    const text = this.#linked(integration, identity)?.attributes
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>)
  }

  /**
   * Accounts not linked to any of the identities (by link or by a user name one of them would get).
   * Only a view loaded for all identities knows every account.
   */
  orphans(identities: ReadonlySet<string>): Array<{ integration: string; userName: string }> {
    const orphans: Array<{ integration: string; userName: string }> = []
    for (const [integration, accounts] of this.#byId) {
      const backed = new Set<string>()
      for (const [identity, id] of this.#links.get(integration) ?? [])
        if (identities.has(identity)) backed.add(id)
      for (const account of accounts.values()) {
        if (!backed.has(account.id)) orphans.push({ integration, userName: account.userName ?? account.id })
      }
    }
    return orphans
  }

  #linked(integration: string, identity: string): Account | undefined {
    const id = this.#links.get(integration)?.get(identity)
    return id === undefined ? undefined : this.#byId.get(integration)?.get(id)
  }

  #userNamesOf(integration: string): Promise<Map<string, string>> {
    let names = this.#userNames.get(integration)
    if (!names) {
      names = this.#db
        .selectFrom('accounts')
        .select(['id', 'user_name'])
        .where('integration', '=', integration)
        .where('removed_at', 'is', null)
        .where('user_name', 'is not', null)
        .execute()
        .then((rows) => {
          const map = new Map<string, string>()
          for (const row of rows) if (row.user_name) map.set(row.user_name.toLowerCase(), row.id)
          return map
        })
      this.#userNames.set(integration, names)
    }
    return names
  }
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += KEYS_PER_QUERY) yield items.slice(i, i + KEYS_PER_QUERY)
}
