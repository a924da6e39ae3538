/** Turns a non-2xx SCIM answer, whatever envelope the vendor chose, or a failed exchange into a typed error. */
import {
  type RequestSummary,
  ScimAuthenticationError,
  ScimError,
  ScimNetworkError,
  ScimNotFoundError,
  ScimResponseError,
  ScimUniquenessError,
  ScimVersionConflictError,
} from '../errors.ts'
import { parseRetryAfter } from './retry-policy.ts'

/** Response headers as undici and `node:http` give them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>

export interface ResponseErrorContext {
  integration?: string | undefined
  request?: RequestSummary | undefined
}

/** Longest `detail` kept: vendors sometimes answer with a whole stack trace. */
const MAX_DETAIL = 500

/**
 * Builds the error for a non-2xx answer. `body` is the raw text or already-parsed JSON; SCIM
 * Error bodies (RFC 7644 §3.12) and common vendor envelopes are understood, HTML and empty
 * bodies tolerated.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: ResponseHeaders = {},
  context: ResponseErrorContext = {},
): ScimResponseError {
  const { scimType, detail } = readErrorBody(body)
  const facts = {
    status,
    scimType,
    detail,
    retryAfterMs: parseRetryAfter(headerValue(headers, 'retry-after'), Date.now()),
    integration: context.integration,
    request: context.request,
  }
  switch (status) {
    case 401:
    case 403:
      return new ScimAuthenticationError(facts)
    case 404:
      return new ScimNotFoundError(facts)
    case 409:
      // Several targets answer a duplicate userName with a bare 409 and prose instead of scimType.
      if (
        scimType === 'uniqueness' ||
        (scimType === undefined && /exist|unique|duplicate/i.test(detail ?? ''))
      ) {
        return new ScimUniquenessError(facts)
      }
      return new ScimResponseError(facts)
    case 412:
      return new ScimVersionConflictError(facts)
    default:
      return new ScimResponseError(facts)
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
])

export interface NetworkFailureContext extends ResponseErrorContext {
  timeoutMs: number
  /** Removes credentials from the underlying error's message. */
  redact: (text: string) => string
}

/** Builds the ScimNetworkError for a request that got no complete answer (reset, refused, timed out). */
export function errorFromNetworkFailure(error: unknown, context: NetworkFailureContext): ScimError {
  if (error instanceof ScimError) return error
  const code = errorCode(error)
  const timedOut = code !== undefined && TIMEOUT_CODES.has(code)
  const message = error instanceof Error ? error.message : String(error)
  const problem = timedOut
    ? `timed out after ${context.timeoutMs} ms (${code})`
    : `${code ?? 'network error'}: ${context.redact(message)}`
  return new ScimNetworkError(problem, {
    code,
    timedOut,
    cause: error,
    integration: context.integration,
    request: context.request,
  })
}

/** The code of a Node or undici error; Node 20 wraps dual-stack connect failures in an AggregateError. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') return code
  if (error instanceof AggregateError) return errorCode(error.errors[0])
  return undefined
}

/** First value of a header, whatever the casing of the name given. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** The URL without `user:password@`, so it can appear in errors and logs. */
export function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username === '' && parsed.password === '') return url
    parsed.username = ''
    parsed.password = ''
    return parsed.toString()
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//')
  }
}

/** Replaces every occurrence of the given secrets (tokens, passwords) with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    // Short strings would redact ordinary words; real secrets are longer than this.
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join('[redacted]')
  }
  return result
}

interface ErrorBodyFacts {
  scimType: string | undefined
  detail: string | undefined
}

function readErrorBody(body: unknown): ErrorBodyFacts {
  if (typeof body === 'string') {
    const text = body.trim()
    if (text === '') return { scimType: undefined, detail: undefined }
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        return readErrorObject(JSON.parse(text))
      } catch {
        // Not JSON after all: fall through to prose.
      }
    }
    return { scimType: undefined, detail: proseDetail(text) }
  }
  return readErrorObject(body)
}

function readErrorObject(body: unknown): ErrorBodyFacts {
  if (Array.isArray(body)) return readErrorObject(body[0])
  if (!isRecord(body)) return { scimType: undefined, detail: undefined }
  const scimType = text(body.scimType) ?? text(body.scimtype)
  const detail =
    text(body.detail) ??
    firstOf(body.Errors, ['description', 'detail', 'message']) ??
    firstOf(body.errors, ['detail', 'message', 'description']) ??
    text(body.message) ??
    oauthStyle(body) ??
    text(body.title)
  return { scimType, detail: detail === undefined ? undefined : clip(detail) }
}

/** `{error, error_description}` (OAuth style) or `{error: {message}}` (Google/Graph style). */
function oauthStyle(body: Record<string, unknown>): string | undefined {
  const error = body.error
  if (isRecord(error)) return text(error.message) ?? text(error.code)
  const description = text(body.error_description)
  const code = text(error)
  if (code && description) return `${code}: ${description}`
  return description ?? code
}

function firstOf(list: unknown, keys: readonly string[]): string | undefined {
  const first = Array.isArray(list) ? list[0] : list
  if (!isRecord(first)) return undefined
  for (const key of keys) {
    const value = text(first[key])
    if (value) return value
  }
  return undefined
}

/** An HTML error page contributes its title; plain text its first line. */
function proseDetail(body: string): string | undefined {
  if (/^<(!doctype|html|\?xml|head|body)/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim()
    return title ? clip(title) : undefined
  }
  return clip(body.split(/\r?\n/, 1)[0] ?? '')
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (typeof value === 'number') return String(value)
  return undefined
}

function clip(value: string): string {
  return value.length > MAX_DETAIL ? `${value.slice(0, MAX_DETAIL)}…` : value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
