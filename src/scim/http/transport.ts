/**
 * The HTTP layer of the SCIM client: one keep-alive undici pool per target, authentication,
 * retries, client-side rate and concurrency limits, and typed errors that never carry credentials.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type Dispatcher, Pool } from 'undici'
import { type RequestSummary, ScimAuthenticationError, ScimMalformedResponseError } from '../errors.ts'
import { hasByteOrderMark, type ScannedListResponse, scanListResponse } from '../list-response-split.ts'
import { SCIM_MEDIA_TYPE } from '../schemas.ts'
import { type AuthConfig, type AuthProvider, authSecrets, createAuthProvider } from './auth.ts'
import { Semaphore, TokenBucket } from './rate-limiter.ts'
import { errorFromNetworkFailure, errorFromResponse, headerValue, redactSecrets } from './response-errors.ts'
import { shouldRetry } from './retry-policy.ts'

export interface RetryInfo {
  /** The attempt that failed, 1-based; the next one is `attempt + 1`. */
  attempt: number
  delayMs: number
  /** Why, e.g. `HTTP 503`, `timeout`, `ECONNRESET`; never contains credentials. */
  reason: string
  request: RequestSummary
}

export interface TransportOptions {
  /** SCIM base URL, path prefix included, e.g. `https://example.com/scim/v2`. */
  baseUrl: string
  auth: AuthConfig
  /** Name of the integration, carried by every error. */
  integration?: string | undefined
  /**
   * Limit for connecting, for the response headers and between body chunks; default 30 000 ms.
   * undici enforces it with coarse timers, so it may fire up to about a second late.
   */
  timeoutMs?: number | undefined
  /** Keep-alive pool size; default 16. */
  connections?: number | undefined
  /** Client-side cap on requests started per second; unlimited when absent. */
  requestsPerSecond?: number | undefined
  /** Most requests in flight at once; unlimited (beyond `connections`) when absent. */
  concurrency?: number | undefined
  retry?: {
    maxAttempts?: number | undefined
    baseDelayMs?: number | undefined
    maxDelayMs?: number | undefined
  }
  userAgent?: string | undefined
  onRetry?: ((info: RetryInfo) => void) | undefined
}

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Relative to the base URL, e.g. `/Users/abc`; already percent-encoded. */
  path: string
  query?: Record<string, string | number | undefined> | undefined
  /** Sent as JSON. */
  body?: unknown
  /** Extra headers, e.g. `If-Match`. */
  headers?: Record<string, string> | undefined
  /** Overrides the method's default: a POST is not, everything else is (POST `/.search` is too). */
  idempotent?: boolean | undefined
  /**
   * `none` ignores the body of a 2xx answer (DELETE); `list` reads a ListResponse resource by
   * resource, when it can, and keeps each one's text (`list`).
   */
  expect?: 'json' | 'list' | 'none' | undefined
}

export interface ScimHttpResponse {
  status: number
  /** Parsed JSON, or undefined for 204 and empty bodies. */
  body: unknown
  etag?: string
  location?: string
  /**
   * With `expect: 'list'`, a ListResponse read resource by resource; `body` is then undefined until
   * `list.read()`. Absent when the body had to be read whole (it is then in `body`).
   */
  list?: ListReading
}

/** A ListResponse whose resources are parsed on demand, after its envelope is known. */
export interface ListReading {
  /** The answer's members other than its resources (`nextCursor`, `totalResults`). */
  envelope: Record<string, unknown>
  /** How many resources it holds. */
  count: number
  /**
   * Parses the resources: the whole answer, and each resource's JSON text as the target sent it
   * (undefined for one sent with white space). Throws ScimMalformedResponseError when it is not JSON.
   */
  read(): { body: unknown; resourceTexts?: Array<string | undefined> }
}

const ACCEPT = `${SCIM_MEDIA_TYPE}, application/json`
const DEFAULT_USER_AGENT = 'provisio/0.1.0 (SCIM 2.0 client)'

/** Sends SCIM requests to one service provider. */
export class ScimTransport {
  readonly #pool: Pool
  readonly #origin: string
  readonly #basePath: string
  readonly #auth: AuthProvider
  readonly #refreshesOn401: boolean
  readonly #secrets: readonly string[]
  readonly #integration: string | undefined
  readonly #timeoutMs: number
  readonly #userAgent: string
  readonly #limiter: TokenBucket | undefined
  readonly #semaphore: Semaphore | undefined
  readonly #retry: { maxAttempts: number; backoff: { baseMs: number; maxMs: number } }
  readonly #onRetry: ((info: RetryInfo) => void) | undefined

  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl)
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`The SCIM base URL must be http or https, got ${base.protocol}`)
    }
    this.#origin = base.origin
    this.#basePath = base.pathname.replace(/\/+$/, '')
    this.#integration = options.integration
    this.#timeoutMs = options.timeoutMs ?? 30_000
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT
    this.#pool = new Pool(this.#origin, {
      connections: options.connections ?? 16,
      pipelining: 1,
      connectTimeout: this.#timeoutMs,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    })
    this.#auth = createAuthProvider(options.auth, {
      integration: options.integration,
      timeoutMs: this.#timeoutMs,
      userAgent: this.#userAgent,
    })
    this.#refreshesOn401 = 'oauth2' in options.auth
    this.#secrets = authSecrets(options.auth)
    this.#limiter =
      options.requestsPerSecond === undefined
        ? undefined
        : new TokenBucket({ requestsPerSecond: options.requestsPerSecond })
    this.#semaphore = options.concurrency === undefined ? undefined : new Semaphore(options.concurrency)
    this.#retry = {
      maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 5),
      backoff: { baseMs: options.retry?.baseDelayMs ?? 250, maxMs: options.retry?.maxDelayMs ?? 30_000 },
    }
    this.#onRetry = options.onRetry
  }

  /** Sends a request, retrying what is safe to retry, and returns the 2xx answer or throws a ScimError. */
  async request(req: ScimRequest): Promise<ScimHttpResponse> {
    const path = this.#pathOf(req)
    const summary: RequestSummary = { method: req.method, url: this.#origin + path }
    const body = req.body === undefined ? undefined : JSON.stringify(req.body)
    let refreshedToken = false
    for (let attempt = 1; ; attempt += 1) {
      let authorization: string | undefined
      try {
        authorization = await this.#auth.authorization()
        return await this.#send(req, path, body, authorization, summary)
      } catch (error) {
        // An expired or revoked OAuth token: a 401 proves nothing was done, so one retry is safe.
        if (
          this.#refreshesOn401 &&
          !refreshedToken &&
          error instanceof ScimAuthenticationError &&
          error.status === 401
        ) {
          refreshedToken = true
          this.#auth.invalidate(authorization)
          continue
        }
        const decision = shouldRetry(error, {
          method: req.method,
          path,
          idempotent: req.idempotent,
          attempt,
          maxAttempts: this.#retry.maxAttempts,
          backoff: this.#retry.backoff,
        })
        if (!decision.retry) throw error
        this.#onRetry?.({ attempt, delayMs: decision.delayMs, reason: decision.reason, request: summary })
        await sleep(decision.delayMs)
      }
    }
  }

  /** Closes the connection pool; requests still queued fail. */
  async close(): Promise<void> {
    await this.#pool.close()
  }

  #pathOf(req: ScimRequest): string {
    let path = `${this.#basePath}/${req.path.replace(/^\/+/, '')}`
    if (req.query) {
      const params = new URLSearchParams()
      for (const [name, value] of Object.entries(req.query)) {
        if (value !== undefined) params.append(name, String(value))
      }
      // URLSearchParams writes a space as `+`; `%20` is read as a space by every server, `+` not by all.
      const query = params.toString().replaceAll('+', '%20')
      if (query) path += `${path.includes('?') ? '&' : '?'}${query}`
    }
    return path
  }

  async #send(
    req: ScimRequest,
    path: string,
    body: string | undefined,
    authorization: string | undefined,
    summary: RequestSummary,
  ): Promise<ScimHttpResponse> {
    const semaphore = this.#semaphore
    const limiter = this.#limiter
    if (!semaphore && !limiter) return this.#exchange(req, path, body, authorization, summary)
    if (semaphore && !semaphore.tryAcquire()) await semaphore.acquire()
    try {
      if (limiter && !limiter.tryAcquire()) await limiter.acquire()
      return await this.#exchange(req, path, body, authorization, summary)
    } finally {
      semaphore?.release()
    }
  }

  async #exchange(
    req: ScimRequest,
    path: string,
    body: string | undefined,
    authorization: string | undefined,
    summary: RequestSummary,
  ): Promise<ScimHttpResponse> {
    const headers: Record<string, string> = { accept: ACCEPT, 'user-agent': this.#userAgent }
    if (authorization !== undefined) headers.authorization = authorization
    if (body !== undefined) headers['content-type'] = SCIM_MEDIA_TYPE
    if (req.headers) Object.assign(headers, req.headers)
    let status: number
    let responseHeaders: Dispatcher.ResponseData['headers']
    let text: string
    let bytes: Buffer | undefined
    let scanned: ScannedListResponse | undefined
    try {
      const response = await this.#pool.request({ method: req.method, path, headers, body: body ?? null })
      status = response.statusCode
      responseHeaders = response.headers
      const succeeded = status >= 200 && status < 300
      if (req.expect === 'list' && succeeded) {
        bytes = Buffer.from(await response.body.arrayBuffer())
        scanned = scanListResponse(bytes)
        text = scanned ? '' : bodyText(bytes)
      } else {
        // A body nobody reads (a large group's, say) is not decoded; its first bytes are still
        // looked at, since a proxy's or a login page's HTML with 200 means nothing was done.
        text =
          req.expect === 'none' && succeeded ? await markupStart(response.body) : await response.body.text()
      }
    } catch (error) {
      throw errorFromNetworkFailure(error, {
        timeoutMs: this.#timeoutMs,
        redact: (text) => this.#redact(text, authorization),
        integration: this.#integration,
        request: summary,
      })
    }
    if (status < 200 || status >= 300) {
      const redacted = this.#redact(text, authorization)
      throw errorFromResponse(status, redacted, responseHeaders, {
        integration: this.#integration,
        request: summary,
      })
    }
    const etag = headerValue(responseHeaders, 'etag')
    const location = headerValue(responseHeaders, 'location')
    const result: ScimHttpResponse = { status, body: undefined }
    if (etag !== undefined) result.etag = etag
    if (location !== undefined) result.location = location
    // Parsed whatever the Content-Type: several targets label SCIM JSON text/plain or text/html.
    const parseWhole = (whole: string): unknown => {
      try {
        return JSON.parse(whole)
      } catch {
        const contentType = headerValue(responseHeaders, 'content-type') ?? 'no Content-Type'
        throw new ScimMalformedResponseError(
          `expected JSON, got invalid or truncated JSON (${contentType})`,
          {
            status,
            body: this.#redact(whole, authorization),
            integration: this.#integration,
            request: summary,
          },
        )
      }
    }
    if (scanned && bytes) {
      const { envelope, count } = scanned
      const listBytes = bytes
      const read = scanned.read
      // A resource that is not JSON: the body parsed whole reports it as any malformed body is.
      result.list = {
        envelope,
        count,
        read: () => {
          const split = read()
          return split
            ? { body: split.body, resourceTexts: split.texts }
            : { body: parseWhole(bodyText(listBytes)) }
        },
      }
      return result
    }
    if ((req.expect === 'none' && !text) || status === 204 || text.trim() === '') return result
    result.body = parseWhole(text)
    return result
  }

  #redact(text: string, authorization: string | undefined): string {
    if (authorization === undefined) return redactSecrets(text, this.#secrets)
    const credential = authorization.slice(authorization.indexOf(' ') + 1)
    return redactSecrets(text, [authorization, credential, ...this.#secrets])
  }
}

/** A body's text, without the byte order mark JSON.parse would refuse. */
function bodyText(bytes: Buffer): string {
  return bytes.toString('utf8', hasByteOrderMark(bytes) ? 3 : 0)
}

/** Less than this much of an unread body is kept for an error's excerpt. */
const EXCERPT_BYTES = 2048

/**
 * Reads a body without decoding it: '' when it does not start (after white space) with markup,
 * else up to EXCERPT_BYTES of it as text, which no JSON parses, for the malformed-answer error.
 */
async function markupStart(body: AsyncIterable<Buffer>): Promise<string> {
  let start: number | undefined
  const kept: Buffer[] = []
  let keptBytes = 0
  for await (const chunk of body) {
    if (start === undefined) {
      const at = chunk.findIndex((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)
      if (at >= 0) start = chunk[at]
    }
    if (start === LESS_THAN && keptBytes < EXCERPT_BYTES) {
      kept.push(chunk)
      keptBytes += chunk.length
    }
  }
  return start === LESS_THAN ? Buffer.concat(kept).subarray(0, EXCERPT_BYTES).toString('utf8') : ''
}

const LESS_THAN = 0x3c
