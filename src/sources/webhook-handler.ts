/**
 * `POST /sources/<name>/events`: a signed webhook delivery, checked and applied. Transport-free
 * (method, URL, headers and raw body in; status and JSON body out) so it can be tested, and
 * mounted on any server; webhook-server.ts mounts it on node:http.
 *
 * Order matters: the signature is checked on the raw bytes before the body is parsed, so nothing
 * an unauthenticated caller sends is interpreted, and a refused request stores nothing.
 */
import type { SourceConfig, WebhookSourceConfig } from '../config/config-types.ts'
import type { Store } from '../store/database.ts'
import { WebhookPayloadError } from './source-errors.ts'
import type { LeaverPredicate } from './source-types.ts'
import { applyDelivery, recordRefusal } from './take-snapshot.ts'
import { parseDelivery } from './webhook-payload.ts'
import { verifyWebhookSignature } from './webhook-signature.ts'

export interface WebhookRequest {
  readonly method: string
  /** Path and query, as in `IncomingMessage.url`. */
  readonly url: string
  /** Header names in lower case, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  readonly body: Uint8Array
}

export interface WebhookResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as JSON. */
  readonly body: unknown
}

export interface WebhookContext {
  readonly store: Store
  readonly sources: Readonly<Record<string, SourceConfig>>
  /** The leaver predicate of a source (its `leaver` filter, compiled by the policy layer). */
  readonly isLeaverFor?: ((source: SourceConfig) => LeaverPredicate | undefined) | undefined
  readonly now?: (() => Date) | undefined
  /** Told of each delivery applied or refused; never given a secret or a body. */
  readonly log?: ((line: string) => void) | undefined
}

const ROUTE = /^\/sources\/([^/?#]+)\/events(?:\?.*)?$/

/** The source name of an events URL, or undefined when the URL is not one. */
export function webhookSourceName(url: string): string | undefined {
  const encoded = ROUTE.exec(url)?.[1]
  if (encoded === undefined) return undefined
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}

/** Whether a URL is under `/sources/`, the webhook routes' prefix. */
export function isWebhookUrl(url: string): boolean {
  return url === '/sources' || url.startsWith('/sources/')
}

/** Handles one request to a webhook route. */
export async function handleWebhookRequest(
  request: WebhookRequest,
  context: WebhookContext,
): Promise<WebhookResponse> {
  const name = webhookSourceName(request.url)
  const configured = name === undefined ? undefined : context.sources[name]
  // Other kinds and unknown names look alike from outside: which sources exist is nobody's business.
  if (configured?.kind !== 'webhook') return error(404, 'not_found', 'no webhook source at this URL')
  if (request.method !== 'POST') {
    return { ...error(405, 'method_not_allowed', 'use POST'), headers: { allow: 'POST' } }
  }
  const source: WebhookSourceConfig = configured
  const now = context.now?.() ?? new Date()
  const check = verifyWebhookSignature(source.secret.reveal(), request.headers, request.body, now)
  if (!check.ok) {
    context.log?.(`source ${source.name}: delivery refused (${check.code})`)
    return error(401, check.code, check.message)
  }
  let delivery: ReturnType<typeof parseDelivery>
  try {
    delivery = parseDelivery(source, request.body)
  } catch (caught) {
    if (!(caught instanceof WebhookPayloadError)) throw caught
    const snapshotId = await recordRefusal(
      context.store.db,
      source.name,
      'incremental',
      { code: 'malformed_delivery', reason: caught.message },
      [],
      now.toISOString(),
    )
    context.log?.(caught.message)
    return {
      status: 400,
      body: {
        error: { code: 'malformed_delivery', message: caught.message, problems: caught.problems },
        snapshotId,
      },
    }
  }
  const result = await applyDelivery(context.store, source.name, delivery, {
    isLeaver: context.isLeaverFor?.(source),
    now,
  })
  const count = (kind: string) => result.events.filter((event) => event.kind === kind).length
  const summary = {
    snapshotId: result.snapshotId,
    records: delivery.upserts.length,
    leavers: delivery.leavers.length,
    events: { joiners: count('joiner'), movers: count('mover'), leavers: count('leaver') },
  }
  context.log?.(
    `source ${source.name}: delivery applied, ${summary.events.joiners} joiners, ${summary.events.movers} movers, ${summary.events.leavers} leavers`,
  )
  return { status: 200, body: summary }
}

function error(status: number, code: string, message: string): WebhookResponse {
  return { status, body: { error: { code, message } } }
}
