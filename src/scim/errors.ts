/** Typed errors of the SCIM layer: every failure names the integration, the request and what to do. */
import type { ScimErrorBody, ScimType } from './resources.ts'
import { MESSAGE } from './schemas.ts'

/** The request an error is about, without credentials. */
export interface RequestSummary {
  method: string
  url: string
}

interface ScimErrorFacts {
  integration?: string | undefined
  request?: RequestSummary | undefined
  cause?: unknown
}

/** Base class of every error raised by `src/scim/`. */
export class ScimError extends Error {
  readonly integration: string | undefined
  readonly request: RequestSummary | undefined

  constructor(message: string, facts: ScimErrorFacts = {}) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause })
    this.name = new.target.name
    this.integration = facts.integration
    this.request = facts.request
  }

  /** True when the same request may succeed if sent again later. */
  get retryable(): boolean {
    return false
  }
}

function where(facts: ScimErrorFacts): string {
  const parts: string[] = []
  if (facts.integration) parts.push(`integration ${facts.integration}`)
  if (facts.request) parts.push(`${facts.request.method} ${facts.request.url}`)
  return parts.length > 0 ? ` (${parts.join(', ')})` : ''
}

interface ResponseErrorFacts extends ScimErrorFacts {
  status: number
  scimType?: string | undefined
  detail?: string | undefined
  retryAfterMs?: number | undefined
}

/** A non-2xx answer from a SCIM service (RFC 7644 §3.12). */
export class ScimResponseError extends ScimError {
  readonly status: number
  readonly scimType: ScimType | string | undefined
  readonly detail: string | undefined
  /** Delay the server asked for in `Retry-After`, when it gave one. */
  readonly retryAfterMs: number | undefined

  constructor(facts: ResponseErrorFacts, hint?: string) {
    const type = facts.scimType ? ` ${facts.scimType}` : ''
    const detail = facts.detail ? `: ${facts.detail}` : ''
    super(`SCIM ${facts.status}${type}${detail}${where(facts)}${hint ? `. ${hint}` : ''}`, facts)
    this.status = facts.status
    this.scimType = facts.scimType
    this.detail = facts.detail
    this.retryAfterMs = facts.retryAfterMs
  }

  override get retryable(): boolean {
    return this.status === 429 || this.status === 408 || this.status >= 500
  }
}

/** 409 `uniqueness`: a resource with the same unique attribute (userName, displayName) exists. */
export class ScimUniquenessError extends ScimResponseError {
  constructor(facts: ResponseErrorFacts) {
    super(
      facts,
      'Another resource already holds this unique value; look it up and adopt it, or change the value',
    )
  }
}

/** 412: the resource changed since its version was read (ETag mismatch). */
export class ScimVersionConflictError extends ScimResponseError {
  constructor(facts: ResponseErrorFacts) {
    super(facts, 'The resource changed since it was read; read it again and retry the change')
  }
}

/** 401/403: the credentials were refused. */
export class ScimAuthenticationError extends ScimResponseError {
  constructor(facts: ResponseErrorFacts) {
    super(facts, 'Check the integration credentials and the scopes they grant')
  }
}

/** 404: the resource or endpoint does not exist. */
export class ScimNotFoundError extends ScimResponseError {}

/** A 2xx answer whose body is not the SCIM JSON that was expected. */
export class ScimMalformedResponseError extends ScimError {
  readonly status: number
  readonly bodyExcerpt: string

  constructor(problem: string, facts: ScimErrorFacts & { status: number; body: string }) {
    const excerpt = facts.body.length > 200 ? `${facts.body.slice(0, 200)}…` : facts.body
    super(`Malformed SCIM response (HTTP ${facts.status}): ${problem}${where(facts)}`, facts)
    this.status = facts.status
    this.bodyExcerpt = excerpt
  }
}

/** The connection failed, was reset, or the request timed out before an answer. */
export class ScimNetworkError extends ScimError {
  readonly code: string | undefined
  readonly timedOut: boolean

  constructor(problem: string, facts: ScimErrorFacts & { code?: string | undefined; timedOut?: boolean }) {
    super(`SCIM request failed: ${problem}${where(facts)}`, facts)
    this.code = facts.code
    this.timedOut = facts.timedOut ?? false
  }

  override get retryable(): boolean {
    return true
  }
}

/** Getting an access token (OAuth2 client credentials) failed. */
export class ScimTokenError extends ScimError {}

/** A SCIM filter or attribute path that does not parse. `position` is the 0-based offset of the problem. */
export class ScimSyntaxError extends ScimError {
  readonly text: string
  readonly position: number
  readonly scimType: 'invalidFilter' | 'invalidPath'

  constructor(problem: string, text: string, position: number, scimType: 'invalidFilter' | 'invalidPath') {
    super(`${problem} at position ${position + 1} of ${JSON.stringify(text)}`)
    this.text = text
    this.position = position
    this.scimType = scimType
  }
}

/** A request the target cannot serve given its capabilities (no PATCH and no PUT, no Bulk, …). */
export class ScimUnsupportedError extends ScimError {}

/**
 * A request that breaks RFC 7643/7644, with the status and `scimType` a service provider answers
 * it with (§3.12). Raised by the PATCH applier and the sandbox.
 */
export class ScimProtocolError extends ScimError {
  readonly status: number
  readonly scimType: ScimType | undefined

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail)
    this.status = status
    this.scimType = scimType
  }

  /** The SCIM Error body of RFC 7644 §3.12. */
  toBody(): ScimErrorBody {
    return {
      schemas: [MESSAGE.error],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    }
  }
}
