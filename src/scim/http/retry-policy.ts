/**
 * When a failed SCIM request is sent again, and after how long. Pure functions: the transport
 * supplies the error, the attempt number and the clock.
 */
import { ScimNetworkError, ScimResponseError } from '../errors.ts'

/**
 * Longest wait honoured from a `Retry-After` header. A target asking for more (some answer 429
 * with an hour) still gets a bounded wait so a sync run cannot hang; if the next attempt is
 * refused again the caller sees the error, with the server's `retryAfterMs`, and reschedules.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000

export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export interface RetryContext {
  method: string
  path: string
  /** The request's own statement; otherwise derived from the method (see `isIdempotent`). */
  idempotent?: boolean | undefined
  /** Attempts made so far, the failed one included (1 after the first failure). */
  attempt: number
  maxAttempts: number
  backoff: BackoffOptions
  random?: () => number
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string }

/**
 * Network error codes after which the request may have reached the server: retried only when
 * sending twice is harmless.
 */
const AMBIGUOUS_NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'EAI_AGAIN',
])

/** Codes raised before a single byte of the request left: even a create may be sent again. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT'])

/** Parses `Retry-After` (RFC 9110 §10.2.3: delay-seconds or HTTP-date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined
  const value = header.trim()
  if (value === '') return undefined
  let ms: number
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000
  } else {
    // Every HTTP-date form names a day or month; this keeps Date.parse's leniency ('-5') out.
    if (!/[a-z]/i.test(value)) return undefined
    const date = Date.parse(value)
    if (Number.isNaN(date)) return undefined
    ms = date - now
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

/** Exponential backoff with full jitter: a random delay in [0, min(maxMs, baseMs·2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/** Whether sending the request twice has the effect of sending it once. */
export function isIdempotent(method: string, path: string, override?: boolean): boolean {
  if (override !== undefined) return override
  if (method !== 'POST') return true
  // POST /.search is a query (RFC 7644 §3.4.3), not a create.
  return /\/\.search(?:\?|$)/.test(path)
}

/**
 * Decides whether a failed attempt is tried again. Idempotent requests are retried on 408, 429,
 * 5xx, timeouts and dropped connections; a create (plain POST) only when the failure proves it
 * was not processed: 429, 503, or a connection that was never established.
 */
export function shouldRetry(error: unknown, context: RetryContext): RetryDecision {
  if (context.attempt >= context.maxAttempts) return { retry: false }
  const idempotent = isIdempotent(context.method, context.path, context.idempotent)
  const backoff = () => backoffDelay(context.attempt, context.backoff, context.random)

  if (error instanceof ScimResponseError) {
    const status = error.status
    const retryable = idempotent
      ? status === 408 || status === 429 || status >= 500
      : status === 429 || status === 503
    if (!retryable) return { retry: false }
    const waitsForServer = (status === 429 || status === 503) && error.retryAfterMs !== undefined
    return {
      retry: true,
      delayMs: waitsForServer ? (error.retryAfterMs ?? 0) : backoff(),
      reason: `HTTP ${status}`,
    }
  }

  if (error instanceof ScimNetworkError) {
    const code = error.code ?? ''
    const notSent = NOT_SENT_NETWORK_CODES.has(code)
    const ambiguous =
      error.timedOut || AMBIGUOUS_NETWORK_CODES.has(code) || /socket hang up/i.test(error.message)
    if (notSent || (idempotent && ambiguous)) {
      return { retry: true, delayMs: backoff(), reason: error.timedOut ? 'timeout' : code || 'network error' }
    }
  }
  return { retry: false }
}
