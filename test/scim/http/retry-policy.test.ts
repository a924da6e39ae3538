import { describe, expect, it } from 'vitest'
import { ScimNetworkError, ScimResponseError, ScimUniquenessError } from '../../../src/scim/errors.ts'
import {
  backoffDelay,
  isIdempotent,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  type RetryContext,
  shouldRetry,
} from '../../../src/scim/http/retry-policy.ts'

const now = Date.parse('2025-03-01T12:00:00Z')

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
  })

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30_000)
  })

  it('clamps a date in the past to 0 and caps long waits', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS)
  })

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('1.5', now)).toBeUndefined()
  })
})

describe('backoffDelay', () => {
  it('grows exponentially up to the maximum, with full jitter', () => {
    const options = { baseMs: 100, maxMs: 1000 }
    const almostOne = () => 0.999999
    expect(backoffDelay(1, options, almostOne)).toBe(99)
    expect(backoffDelay(2, options, almostOne)).toBe(199)
    expect(backoffDelay(4, options, almostOne)).toBe(799)
    expect(backoffDelay(10, options, almostOne)).toBe(999)
    expect(backoffDelay(3, options, () => 0)).toBe(0)
    expect(backoffDelay(3, options, () => 0.5)).toBe(200)
  })
})

describe('isIdempotent', () => {
  it('treats POST as a create unless it is a search or overridden', () => {
    expect(isIdempotent('GET', '/Users')).toBe(true)
    expect(isIdempotent('PATCH', '/Users/1')).toBe(true)
    expect(isIdempotent('POST', '/Users')).toBe(false)
    expect(isIdempotent('POST', '/scim/v2/Users/.search')).toBe(true)
    expect(isIdempotent('POST', '/Users', true)).toBe(true)
    expect(isIdempotent('PUT', '/Users/1', false)).toBe(false)
  })
})

describe('shouldRetry', () => {
  const base = (method: string, attempt = 1): RetryContext => ({
    method,
    path: '/Users',
    attempt,
    maxAttempts: 5,
    backoff: { baseMs: 100, maxMs: 1000 },
    random: () => 0.5,
  })
  const response = (status: number, retryAfterMs?: number) => new ScimResponseError({ status, retryAfterMs })
  const network = (code: string, timedOut = false) => new ScimNetworkError(code, { code, timedOut })

  it('retries idempotent requests on 408, 429, 5xx, timeouts and resets', () => {
    for (const error of [response(408), response(429), response(500), response(502), network('ECONNRESET')]) {
      expect(shouldRetry(error, base('GET')).retry).toBe(true)
    }
    expect(shouldRetry(network('UND_ERR_HEADERS_TIMEOUT', true), base('PUT'))).toMatchObject({
      reason: 'timeout',
    })
    expect(shouldRetry(network('UND_ERR_SOCKET'), base('DELETE')).retry).toBe(true)
  })

  it('does not retry client errors', () => {
    for (const status of [400, 401, 403, 404, 412])
      expect(shouldRetry(response(status), base('GET')).retry).toBe(false)
    expect(shouldRetry(new ScimUniquenessError({ status: 409 }), base('POST')).retry).toBe(false)
    expect(shouldRetry(new Error('boom'), base('GET')).retry).toBe(false)
  })

  it('retries a create only when the failure proves it was not processed', () => {
    expect(shouldRetry(response(429), base('POST')).retry).toBe(true)
    expect(shouldRetry(response(503), base('POST')).retry).toBe(true)
    expect(shouldRetry(network('ECONNREFUSED'), base('POST')).retry).toBe(true)
    expect(shouldRetry(response(500), base('POST')).retry).toBe(false)
    expect(shouldRetry(response(502), base('POST')).retry).toBe(false)
    expect(shouldRetry(response(408), base('POST')).retry).toBe(false)
    expect(shouldRetry(network('ECONNRESET'), base('POST')).retry).toBe(false)
    expect(shouldRetry(network('UND_ERR_HEADERS_TIMEOUT', true), base('POST')).retry).toBe(false)
    expect(shouldRetry(response(500), { ...base('POST'), idempotent: true }).retry).toBe(true)
  })

  it('waits for Retry-After on 429 and 503, else backs off', () => {
    expect(shouldRetry(response(429, 4000), base('GET'))).toEqual({
      retry: true,
      delayMs: 4000,
      reason: 'HTTP 429',
    })
    expect(shouldRetry(response(503, 0), base('POST'))).toMatchObject({ delayMs: 0 })
    expect(shouldRetry(response(503), base('GET', 3))).toMatchObject({ delayMs: 200 })
  })

  it('stops at maxAttempts', () => {
    expect(shouldRetry(response(503), base('GET', 4)).retry).toBe(true)
    expect(shouldRetry(response(503), base('GET', 5)).retry).toBe(false)
  })
})
