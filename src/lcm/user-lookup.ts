/**
 * Finds users and groups in a target by their unique name. Look-ups of concurrent operations are
 * gathered into one `or` filter per turn of the event loop where the target combines filters,
 * so checking before each create (where a duplicate create cannot be trusted to fail) costs a
 * fraction of a request per create instead of one.
 */
import { type Filter, type ScimClient, type ScimGroup, type ScimUser, where } from '../scim/index.ts'

/** Most names one look-up query asks for at once. */
export const MOST_PER_QUERY = 50

type Kind = 'User' | 'Group'
interface Waiting {
  name: string
  resolve: (found: ScimUser | ScimGroup | undefined) => void
  reject: (error: unknown) => void
}

/** Batched look-ups by userName (users) or displayName (groups), compared without case. */
export class ResourceLookup {
  readonly #client: ScimClient
  readonly #waiting: Record<Kind, Waiting[]> = { User: [], Group: [] }
  #scheduled = false

  constructor(client: ScimClient) {
    this.#client = client
  }

  /** The user with this userName, if the target has one. */
  user(userName: string): Promise<ScimUser | undefined> {
    return this.#enqueue('User', userName) as Promise<ScimUser | undefined>
  }

  /** The group with this displayName, if the target has one. */
  group(displayName: string): Promise<ScimGroup | undefined> {
    return this.#enqueue('Group', displayName) as Promise<ScimGroup | undefined>
  }

  #enqueue(kind: Kind, name: string): Promise<ScimUser | ScimGroup | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting[kind].push({ name, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#run())
      }
    })
  }

  #run(): void {
    this.#scheduled = false
    for (const kind of ['User', 'Group'] as const) {
      const waiting = this.#waiting[kind]
      this.#waiting[kind] = []
      const capabilities = this.#client.capabilities
      const size = capabilities.filter.logical
        ? Math.max(1, Math.min(MOST_PER_QUERY, capabilities.filter.maxResults))
        : 1
      for (let i = 0; i < waiting.length; i += size) void this.#query(kind, waiting.slice(i, i + size))
    }
  }

  async #query(kind: Kind, batch: Waiting[]): Promise<void> {
    const attribute = kind === 'User' ? 'userName' : 'displayName'
    const names = [...new Set(batch.map((w) => w.name.toLowerCase()))]
    const filter: Filter = where.or(...names.map((name) => where.eq(attribute, name)))
    try {
      const resources = kind === 'User' ? this.#client.users : this.#client.groups
      const found = await resources.find(filter, kind === 'Group' ? { excludedAttributes: ['members'] } : {})
      const byName = new Map<string, ScimUser | ScimGroup>()
      for (const resource of found) {
        const name = resource[attribute]
        if (typeof name === 'string') byName.set(name.toLowerCase(), resource)
      }
      for (const w of batch) w.resolve(byName.get(w.name.toLowerCase()))
    } catch (error) {
      for (const w of batch) w.reject(error)
    }
  }
}
