/**
 * Finds users and groups in a target by their unique name. Look-ups of concurrent operations are
 * gathered into one `or` filter per turn of the event loop where the target combines filters,
 * and a look-up before a create also asks for the next creates' names (up to 50 per request),
 * so checking before each create (where a duplicate create cannot be trusted to fail) costs a
 * fiftieth of a request per create instead of one.
 */
import { type Filter, type ScimClient, type ScimGroup, type ScimUser, where } from '../scim/index.ts'

/** Most names one look-up query asks for at once. */
export const MOST_PER_QUERY = 50

/**
 * How long an answer asked ahead of a create stays good for it. A create that finds its answer
 * older asks again, so "absent" is never trusted for longer, even when a rate limit slows the run.
 */
export const AHEAD_FRESH_MS = 10_000

type Kind = 'User' | 'Group'
interface Waiting {
  name: string
  resolve: (found: ScimUser | ScimGroup | undefined) => void
  reject: (error: unknown) => void
}

/** An answer asked for ahead of the create that will need it. */
interface Ahead {
  answer: Promise<ScimUser | undefined>
  askedAt: number
}

/** Batched look-ups by userName (users) or displayName (groups), compared without case. */
export class ResourceLookup {
  readonly #client: ScimClient
  readonly #waiting: Record<Kind, Waiting[]> = { User: [], Group: [] }
  #scheduled = false
  /** User names the run will create, in the order it will create them (see expectCreates). */
  #upcoming: string[] = []
  #nextUpcoming = 0
  readonly #ahead = new Map<string, Ahead>()

  readonly #now: () => number

  constructor(client: ScimClient, now: () => number = Date.now) {
    this.#client = client
    this.#now = now
  }

  /** The user with this userName, if the target has one. */
  user(userName: string): Promise<ScimUser | undefined> {
    return this.#enqueue('User', userName) as Promise<ScimUser | undefined>
  }

  /**
   * Tells the look-up which users a run is about to create, in order: a look-up before a create
   * then also asks for the next ones in the same request, up to MOST_PER_QUERY names.
   */
  expectCreates(userNames: readonly string[]): void {
    this.#upcoming = userNames.map((name) => name.toLowerCase())
    this.#nextUpcoming = 0
    this.#ahead.clear()
  }

  /** The user with this userName, asked for just before creating it (answered ahead if it was fresh). */
  userBeforeCreate(userName: string): Promise<ScimUser | undefined> {
    const key = userName.toLowerCase()
    const ahead = this.#ahead.get(key)
    if (ahead) {
      this.#ahead.delete(key)
      // A failed or stale answer is asked for again, on its own.
      if (this.#now() - ahead.askedAt < AHEAD_FRESH_MS) return ahead.answer.catch(() => this.user(userName))
    }
    return this.user(userName)
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
      for (let i = 0; i < waiting.length; i += size) {
        const batch = waiting.slice(i, i + size)
        if (kind === 'User') this.#askAhead(batch, size)
        void this.#query(kind, batch)
      }
    }
  }

  /** Fills a batch of user look-ups with the next expected creates' names not yet asked for. */
  #askAhead(batch: Waiting[], size: number): void {
    const inBatch = new Set(batch.map((w) => w.name.toLowerCase()))
    const askedAt = this.#now()
    while (batch.length < size && this.#nextUpcoming < this.#upcoming.length) {
      const name = this.#upcoming[this.#nextUpcoming] as string
      this.#nextUpcoming += 1
      if (inBatch.has(name) || this.#ahead.has(name)) continue
      inBatch.add(name)
      const answer = new Promise<ScimUser | undefined>((resolve, reject) => {
        batch.push({ name, resolve: resolve as Waiting['resolve'], reject })
      })
      // Nobody may ever ask for it (an operation skipped); its failure is not an unhandled one.
      answer.catch(() => {})
      this.#ahead.set(name, { answer, askedAt })
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
