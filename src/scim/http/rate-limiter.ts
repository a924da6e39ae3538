/**
 * Client-side pacing of SCIM requests: a requests-per-second token bucket and a concurrency
 * semaphore. Both are FIFO and offer a synchronous `tryAcquire` so the common, uncontended case
 * costs no promise at all.
 */

export interface TokenBucketOptions {
  /** Tokens added per second. */
  requestsPerSecond: number
  /** Most tokens held at once, i.e. the largest burst; default `max(1, requestsPerSecond)`. */
  burst?: number
  /** Monotonic clock in milliseconds. */
  now?: () => number
}

/** A token bucket: at most `requestsPerSecond` on average, `burst` at once, waiters served in order. */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #updatedAt: number
  readonly #waiters: Array<() => void> = []
  #timer: NodeJS.Timeout | undefined

  constructor(options: TokenBucketOptions) {
    const rps = options.requestsPerSecond
    if (!(Number.isFinite(rps) && rps > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${rps}`)
    this.#rate = rps / 1000
    this.#burst = options.burst ?? Math.max(1, rps)
    if (!(this.#burst >= 1)) throw new RangeError(`burst must be >= 1, got ${this.#burst}`)
    this.#now = options.now ?? (() => performance.now())
    this.#tokens = this.#burst
    this.#updatedAt = this.#now()
  }

  /** Takes a token if one is free and nobody is queued before us. */
  tryAcquire(): boolean {
    if (this.#waiters.length > 0) return false
    this.#refill()
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Resolves when a token is ours; callers are served in the order they asked. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve()
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve)
      this.#schedule()
    })
  }

  /** Requests waiting for a token. */
  get pending(): number {
    return this.#waiters.length
  }

  #refill(): void {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#rate)
    this.#updatedAt = now
  }

  #schedule(): void {
    if (this.#timer !== undefined) return
    const wait = Math.max(1, Math.ceil((1 - this.#tokens) / this.#rate))
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#drain()
    }, wait)
  }

  #drain(): void {
    this.#refill()
    while (this.#waiters.length > 0 && this.#tokens >= 1) {
      this.#tokens -= 1
      this.#waiters.shift()?.()
    }
    if (this.#waiters.length > 0) this.#schedule()
  }
}

/** A counting semaphore with FIFO hand-over: a released slot goes to the longest waiter. */
export class Semaphore {
  readonly #limit: number
  #active = 0
  readonly #waiters: Array<() => void> = []

  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`)
    this.#limit = limit
  }

  /** Takes a slot if one is free and nobody is queued before us. */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit || this.#waiters.length > 0) return false
    this.#active += 1
    return true
  }

  /** Resolves when a slot is ours; pair every acquisition with one `release()`. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve()
    return new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  /** Gives the slot back, directly to the next waiter when there is one. */
  release(): void {
    const next = this.#waiters.shift()
    // The slot passes to the waiter without being counted free, so no newcomer can barge in.
    if (next) next()
    else this.#active -= 1
  }

  /** Slots in use. */
  get active(): number {
    return this.#active
  }
}
