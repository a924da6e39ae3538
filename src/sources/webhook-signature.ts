/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>` with the source's secret, sent as
 * `X-Provisio-Signature: sha256=<hex>` beside `X-Provisio-Timestamp: <unix seconds>`. The
 * timestamp is inside the MAC and must be within five minutes of this clock, so a captured
 * request cannot be replayed later; the comparison takes the same time whatever the bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-provisio-signature'
export const TIMESTAMP_HEADER = 'x-provisio-timestamp'

/** How far a request's timestamp may be from this clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

/** Why a request's signature was not accepted. */
export type SignatureFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_timestamp'
  | 'stale_timestamp'
  | 'bad_signature'

export type SignatureCheck = { ok: true } | { ok: false; code: SignatureFailure; message: string }

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>

/** The `X-Provisio-Signature` value for a body sent at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, timestamp: number, body: string | Uint8Array): string {
  return `sha256=${mac(secret, String(timestamp), body).toString('hex')}`
}

/** The headers a sender adds to a body: timestamp now (or `timestamp`) and its signature. */
export function webhookHeaders(
  secret: string,
  body: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body),
  }
}

/** Checks a request's signature headers against its raw body. */
export function verifyWebhookSignature(
  secret: string,
  headers: Headers,
  body: Uint8Array,
  now: Date = new Date(),
): SignatureCheck {
  const signature = single(headers[SIGNATURE_HEADER])
  if (signature === undefined) return fail('missing_signature', `no ${SIGNATURE_HEADER} header`)
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim())
  if (!match) return fail('malformed_signature', `${SIGNATURE_HEADER} must be sha256=<64 hex digits>`)
  const timestamp = single(headers[TIMESTAMP_HEADER])?.trim()
  if (timestamp === undefined) return fail('missing_timestamp', `no ${TIMESTAMP_HEADER} header`)
  if (!/^\d{1,12}$/.test(timestamp))
    return fail('missing_timestamp', `${TIMESTAMP_HEADER} must be unix seconds`)
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp))
  if (skew > SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      'stale_timestamp',
      `${TIMESTAMP_HEADER} is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds from this server's clock`,
    )
  }
  const expected = mac(secret, timestamp, body)
  const given = Buffer.from(match[1] as string, 'hex')
  // Both are 32 bytes here (the pattern saw to that), as timingSafeEqual requires.
  if (!timingSafeEqual(expected, given)) return fail('bad_signature', 'the signature does not match the body')
  return { ok: true }
}

function mac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/** A header given once; a repeated signature header is refused rather than guessed at. */
function single(value: string | readonly string[] | undefined): string | undefined {
  if (typeof value === 'string') return value
  return value?.length === 1 ? value[0] : undefined
}

function fail(code: SignatureFailure, message: string): SignatureCheck {
  return { ok: false, code, message }
}
