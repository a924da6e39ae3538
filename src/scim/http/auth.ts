/** The `Authorization` header of SCIM requests: static bearer, HTTP Basic, or OAuth2 client credentials. */
import { type Dispatcher, request } from 'undici'
import { ScimTokenError } from '../errors.ts'
import { redactSecrets, urlWithoutCredentials } from './response-errors.ts'

export type AuthConfig =
  | { bearer: string }
  | { basic: { username: string; password: string } }
  | {
      oauth2: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string }
    }
  | { none: true }

export interface AuthProvider {
  /** The header value to send, e.g. `Bearer …`; undefined when requests go unauthenticated. */
  authorization(): Promise<string | undefined>
  /**
   * Forget a cached token after a 401. Given the header value that was refused, a token fetched
   * since by a concurrent request is kept.
   */
  invalidate(rejected?: string): void
}

export interface AuthTransportOptions {
  integration?: string | undefined
  timeoutMs?: number | undefined
  userAgent?: string | undefined
  /** Dispatcher for the token endpoint; undici's global one by default. */
  dispatcher?: Dispatcher | undefined
  /** Clock in milliseconds, for token expiry. */
  now?: (() => number) | undefined
}

/** Creates the provider of `Authorization` headers for an auth configuration. */
export function createAuthProvider(config: AuthConfig, options: AuthTransportOptions = {}): AuthProvider {
  if ('bearer' in config) {
    // Checked here because undici's own complaint would come from deep inside a request.
    if (/[\r\n]/.test(config.bearer)) throw new TypeError('The bearer token contains a line break')
    return fixed(`Bearer ${config.bearer}`)
  }
  if ('basic' in config) {
    const { username, password } = config.basic
    return fixed(`Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`)
  }
  if ('oauth2' in config) return new ClientCredentials(config.oauth2, options)
  return fixed(undefined)
}

/** Secrets of a configuration that must never appear in an error or a log line. */
export function authSecrets(config: AuthConfig): string[] {
  if ('bearer' in config) return [config.bearer]
  if ('basic' in config) {
    const { username, password } = config.basic
    return [password, Buffer.from(`${username}:${password}`, 'utf8').toString('base64')]
  }
  if ('oauth2' in config) {
    const { clientId, clientSecret } = config.oauth2
    return [clientSecret, formEncode(clientSecret), basicCredentials(clientId, clientSecret)]
  }
  return []
}

function fixed(header: string | undefined): AuthProvider {
  const answer = Promise.resolve(header)
  return { authorization: () => answer, invalidate: () => {} }
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')
}

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

/** Longest a token is refreshed ahead of its expiry; shorter lives use 10% of their lifetime. */
const REFRESH_MARGIN_MS = 60_000

interface CachedToken {
  header: string
  refreshAt: number
}

/** OAuth2 client credentials grant (RFC 6749 §4.4) with client_secret_basic. */
class ClientCredentials implements AuthProvider {
  readonly #config: Extract<AuthConfig, { oauth2: unknown }>['oauth2']
  readonly #options: AuthTransportOptions
  readonly #now: () => number
  readonly #tokenUrl: string
  #token: CachedToken | undefined
  #inFlight: Promise<string> | undefined

  constructor(config: Extract<AuthConfig, { oauth2: unknown }>['oauth2'], options: AuthTransportOptions) {
    this.#config = config
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#tokenUrl = urlWithoutCredentials(config.tokenUrl)
  }

  authorization(): Promise<string> {
    const token = this.#token
    if (token && this.#now() < token.refreshAt) return Promise.resolve(token.header)
    // Every caller arriving while a token is being fetched waits for that same fetch.
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined
    })
    return this.#inFlight
  }

  invalidate(rejected?: string): void {
    if (rejected === undefined || this.#token?.header === rejected) this.#token = undefined
  }

  async #fetch(): Promise<string> {
    const { clientId, clientSecret, scope, audience } = this.#config
    const startedAt = this.#now()
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (scope) form.set('scope', scope)
    if (audience) form.set('audience', audience)
    const timeout = this.#options.timeoutMs ?? 30_000
    let status: number
    let text: string
    try {
      const response = await request(this.#config.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basicCredentials(clientId, clientSecret)}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(this.#options.userAgent ? { 'user-agent': this.#options.userAgent } : {}),
        },
        body: form.toString(),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
      })
      status = response.statusCode
      text = await response.body.text()
    } catch (cause) {
      const code = (cause as { code?: unknown }).code
      throw this.#error(`could not be reached (${typeof code === 'string' ? code : String(cause)})`, cause)
    }
    const body = parseTokenBody(text)
    if (status < 200 || status >= 300) {
      const oauthError = [body.error, body.error_description]
        .filter((part) => typeof part === 'string')
        .join(': ')
      throw this.#error(`answered HTTP ${status}${oauthError ? ` ${oauthError}` : ''}`)
    }
    const accessToken = body.access_token
    if (typeof accessToken !== 'string' || accessToken === '' || /[\r\n]/.test(accessToken)) {
      throw this.#error(`answered HTTP ${status} without a usable access_token`)
    }
    // RFC 6749 §5.1 makes token_type required; a few providers omit it and mean Bearer.
    const tokenType = body.token_type
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw this.#error(
        `issued a token of type ${JSON.stringify(tokenType)}; only Bearer tokens are supported`,
      )
    }
    this.#token = { header: `Bearer ${accessToken}`, refreshAt: refreshTime(startedAt, body.expires_in) }
    return this.#token.header
  }

  #error(problem: string, cause?: unknown): ScimTokenError {
    const message = redactSecrets(
      `OAuth2 token endpoint ${this.#tokenUrl} ${problem}; check the client id, secret and scope`,
      authSecrets({ oauth2: this.#config }),
    )
    return new ScimTokenError(message, {
      integration: this.#options.integration,
      request: { method: 'POST', url: this.#tokenUrl },
      cause,
    })
  }
}

/**
 * When to fetch the next token. Timed from when the request started, so time spent waiting for
 * the answer counts against the lifetime. Without `expires_in` the token is kept until a 401.
 */
function refreshTime(startedAt: number, expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return Number.POSITIVE_INFINITY
  const lifetime = seconds * 1000
  return startedAt + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 10)
}

/** JSON as RFC 6749 §5.1 requires; form-encoded as some older providers answer. */
function parseTokenBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>
    }
  } catch {
    if (/^[\w.~%+-]+=/.test(text.trim())) return Object.fromEntries(new URLSearchParams(text.trim()))
  }
  return {}
}
