/**
 * Fault injection for the sandbox: error statuses, dropped connections, latency and a
 * requests-per-second cap, decided by a seedable PRNG so a seeded run misbehaves the same way
 * every time. Faults apply to every endpoint, discovery included: real services fail there too,
 * and a client must survive a 503 on `/ServiceProviderConfig` as well as on `/Users`.
 */

/** What goes wrong, and how often. Rates are fractions of requests; together at most 1. */
export interface FaultSpec {
  /** Status code → fraction of requests answered with it, e.g. `{ 429: 0.05, 500: 0.02 }`. */
  statusRates?: Record<number, number>
  /** Fraction of requests whose connection is destroyed before anything is done or answered. */
  drop?: number
  /** Fraction of requests that are carried out but whose connection is destroyed instead of answered. */
  dropAfter?: number
  /** Added latency in milliseconds, uniformly drawn from `[min, max]`. */
  latencyMs?: { min: number; max: number }
  /** Requests per second served; beyond it requests are answered 429 with Retry-After. */
  rps?: number
  /** Seconds sent in `Retry-After` with 429 and 503 answers (default 1). */
  retryAfterSeconds?: number
  /** PRNG seed; without it every run differs. */
  seed?: number
}

/** What happens to one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; retryAfterSeconds: number | undefined }
  | { kind: 'drop' }
  | { kind: 'dropAfter' }

/** A `--faults` text that does not parse; the message names the offending part. */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FaultSpecError'
  }
}

const KEYS = 'a status code such as 500, drop, dropAfter, latency, rps, retryAfter or seed'

function fraction(part: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new FaultSpecError(`Fault "${part}": the rate must be a fraction between 0 and 1, e.g. 0.05`)
  }
  return n
}

function wholeNumber(part: string, value: string, what: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new FaultSpecError(`Fault "${part}": ${what} must be a whole number ≥ 0`)
  }
  return n
}

/**
 * Parses the CLI's `--faults`, e.g. `429=0.05,500=0.02,503=0.01,drop=0.01,latency=20-80,rps=200,
 * retryAfter=1,seed=42`; throws FaultSpecError naming the bad part.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {}
  const seen = new Set<string>()
  for (const raw of text.split(',')) {
    const part = raw.trim()
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq <= 0) throw new FaultSpecError(`Fault "${part}" is not key=value (key: ${KEYS})`)
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (seen.has(key)) throw new FaultSpecError(`Fault "${key}" is given twice`)
    seen.add(key)
    if (/^\d{3}$/.test(key)) {
      const status = Number(key)
      if (status < 400 || status > 599) {
        throw new FaultSpecError(`Fault "${part}": only error statuses 400-599 can be injected`)
      }
      spec.statusRates = { ...spec.statusRates, [status]: fraction(part, value) }
    } else if (key === 'drop' || key === 'dropAfter') {
      spec[key] = fraction(part, value)
    } else if (key === 'latency') {
      const [low, high, extra] = value.split('-')
      if (extra !== undefined)
        throw new FaultSpecError(`Fault "${part}": latency is N or LOW-HIGH milliseconds`)
      const min = wholeNumber(part, low ?? '', 'latency')
      const max = high === undefined ? min : wholeNumber(part, high, 'latency')
      if (max < min)
        throw new FaultSpecError(`Fault "${part}": the latency range must be LOW-HIGH with LOW ≤ HIGH`)
      spec.latencyMs = { min, max }
    } else if (key === 'rps') {
      const n = Number(value)
      if (!Number.isFinite(n) || n <= 0) throw new FaultSpecError(`Fault "${part}": rps must be a number > 0`)
      spec.rps = n
    } else if (key === 'retryAfter') {
      spec.retryAfterSeconds = wholeNumber(part, value, 'retryAfter (seconds)')
    } else if (key === 'seed') {
      spec.seed = wholeNumber(part, value, 'seed')
    } else {
      throw new FaultSpecError(`Unknown fault "${key}" in "${part}" (expected ${KEYS})`)
    }
  }
  checkFaultSpec(spec)
  return spec
}

/** Rejects specs that cannot be honoured (also those built in code rather than parsed). */
export function checkFaultSpec(spec: FaultSpec): void {
  const rates: Array<[string, number | undefined]> = [
    ...Object.entries(spec.statusRates ?? {}),
    ['drop', spec.drop],
    ['dropAfter', spec.dropAfter],
  ]
  for (const [name, rate] of rates) {
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new FaultSpecError(`Fault "${name}": the rate must be a fraction between 0 and 1, not ${rate}`)
    }
  }
  for (const status of Object.keys(spec.statusRates ?? {})) {
    if (!/^[45]\d\d$/.test(status))
      throw new FaultSpecError(`Fault "${status}": only error statuses 400-599 can be injected`)
  }
  const { latencyMs, rps, retryAfterSeconds } = spec
  if (latencyMs && !(latencyMs.min >= 0 && latencyMs.max >= latencyMs.min)) {
    throw new FaultSpecError(`Fault "latency": need 0 ≤ min ≤ max, not ${latencyMs.min}-${latencyMs.max}`)
  }
  if (rps !== undefined && !(rps > 0)) throw new FaultSpecError(`Fault "rps": must be > 0, not ${rps}`)
  if (retryAfterSeconds !== undefined && !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)) {
    throw new FaultSpecError(`Fault "retryAfter": must be whole seconds ≥ 0, not ${retryAfterSeconds}`)
  }
  const total = rates.reduce((sum, [, rate]) => sum + (rate ?? 0), 0)
  if (total > 1 + 1e-9) {
    throw new FaultSpecError(
      `Fault rates add up to ${total.toFixed(3)}; status, drop and dropAfter rates must total at most 1`,
    )
  }
}

/** mulberry32: tiny, fast, and good enough to pick faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Decides, request by request, which fault to inject. */
export class FaultInjector {
  private readonly random: () => number
  private readonly outcomes: Array<{ upTo: number; decision: FaultDecision }> = []
  private readonly retryAfter: number
  private tokens: number
  private refilledAt: number

  constructor(
    private readonly spec: FaultSpec,
    private readonly now: () => number = () => performance.now(),
  ) {
    checkFaultSpec(spec)
    this.random = mulberry32(spec.seed ?? Math.floor(Math.random() * 2 ** 32))
    this.retryAfter = spec.retryAfterSeconds ?? 1
    let upTo = 0
    for (const [status, rate] of Object.entries(spec.statusRates ?? {})) {
      const code = Number(status)
      const retryAfterSeconds = code === 429 || code === 503 ? this.retryAfter : undefined
      upTo += rate
      this.outcomes.push({ upTo, decision: { kind: 'status', status: code, retryAfterSeconds } })
    }
    upTo += spec.drop ?? 0
    this.outcomes.push({ upTo, decision: { kind: 'drop' } })
    upTo += spec.dropAfter ?? 0
    this.outcomes.push({ upTo, decision: { kind: 'dropAfter' } })
    this.tokens = spec.rps ?? 0
    this.refilledAt = now()
  }

  /** The latency and fault of the next request. Always draws two numbers, so seeded runs repeat exactly. */
  decide(): { latencyMs: number; fault: FaultDecision } {
    const pick = this.random()
    const spread = this.random()
    const range = this.spec.latencyMs
    const latencyMs = range ? range.min + Math.floor(spread * (range.max - range.min + 1)) : 0
    if (this.spec.rps !== undefined && !this.takeToken(this.spec.rps)) {
      return { latencyMs, fault: { kind: 'status', status: 429, retryAfterSeconds: this.retryAfter } }
    }
    for (const outcome of this.outcomes) {
      if (pick < outcome.upTo) return { latencyMs, fault: outcome.decision }
    }
    return { latencyMs, fault: { kind: 'none' } }
  }

  /** Token bucket holding one second's worth of requests. */
  private takeToken(rps: number): boolean {
    const now = this.now()
    this.tokens = Math.min(rps, this.tokens + ((now - this.refilledAt) / 1000) * rps)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
