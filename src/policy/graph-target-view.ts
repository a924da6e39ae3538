/**
 * What policy evaluation asks of the targets, answered from the access graph: the account linked
 * to an identity, whether a user name is taken, and accounts no identity backs (orphans).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../store/index.ts'
import type { TargetView } from './workflow-evaluation.ts'

interface Account {
  id: string
  userName: string | null
  attributes: string
}

/** The graph's accounts and identity links of some integrations, in memory. */
export class GraphTargetView implements TargetView {
  /** integration → lower user name → account */
  readonly #byUserName = new Map<string, Map<string, Account>>()
  /** integration → account id → account */
  readonly #byId = new Map<string, Map<string, Account>>()
  /** integration → identity → account id */
  readonly #links = new Map<string, Map<string, string>>()

  /** Reads the accounts and links of the integrations. */
  static async load(db: Kysely<Database>, integrations: readonly string[]): Promise<GraphTargetView> {
    const view = new GraphTargetView()
    for (const integration of integrations) {
      const byUserName = new Map<string, Account>()
      const byId = new Map<string, Account>()
      const rows = await db
        .selectFrom('accounts')
        .select(['id', 'user_name', 'attributes'])
        .where('integration', '=', integration)
        .where('removed_at', 'is', null)
        .execute()
      for (const row of rows) {
        const account = { id: row.id, userName: row.user_name, attributes: row.attributes }
        byId.set(row.id, account)
        if (row.user_name) byUserName.set(row.user_name.toLowerCase(), account)
      }
      const links = new Map<string, string>()
      const linkRows = await db
        .selectFrom('lcm_links')
        .select(['identity', 'account_id'])
        .where('integration', '=', integration)
        .execute()
      for (const link of linkRows) if (byId.has(link.account_id)) links.set(link.identity, link.account_id)
      view.#byUserName.set(integration, byUserName)
      view.#byId.set(integration, byId)
      view.#links.set(integration, links)
    }
    return view
  }

  linkedUserName(integration: string, identity: string): string | undefined {
    const id = this.#links.get(integration)?.get(identity)
    return id === undefined ? undefined : (this.#byId.get(integration)?.get(id)?.userName ?? undefined)
  }

  isTaken(integration: string, userName: string, identity: string): boolean {
    const account = this.#byUserName.get(integration)?.get(userName.toLowerCase())
    if (!account) return false
    return this.#links.get(integration)?.get(identity) !== account.id
  }

  /** Normalized attributes of the account linked to an identity. */
  linkedAttributes(integration: string, identity: string): Record<string, unknown> | undefined {
    const id = this.#links.get(integration)?.get(identity)
    const account = id === undefined ? undefined : this.#byId.get(integration)?.get(id)
    return account ? (JSON.parse(account.attributes) as Record<string, unknown>) : undefined
  }

  /** Accounts not linked to any of the identities (by link or by a user name one of them would get). */
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
}
