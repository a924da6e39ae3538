import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signWebhookBody, verifyWebhookSignature, webhookHeaders } from '../../src/sources/index.ts'

const SECRET = 'signature-secret-0123456789'
const NOW = new Date('2024-05-01T08:00:00.000Z')
const SECONDS = Math.floor(NOW.getTime() / 1000)
const body = Buffer.from('[{"id":"E1","name":"Ada"}]')

const verify = (headers: Record<string, string | string[] | undefined>, raw: Uint8Array = body, now = NOW) =>
  verifyWebhookSignature(SECRET, headers, raw, now)

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<raw body>", as a sender can compute it with any HMAC library', () => {
    const expected = createHmac('sha256', SECRET).update(`${SECONDS}.${body.toString()}`).digest('hex')
    expect(signWebhookBody(SECRET, SECONDS, body)).toBe(`sha256=${expected}`)
    expect(webhookHeaders(SECRET, body, SECONDS)).toEqual({
      'x-provisio-timestamp': String(SECONDS),
      'x-provisio-signature': `sha256=${expected}`,
    })
  })

  it('accepts a good signature, within five minutes either way', () => {
    expect(verify(webhookHeaders(SECRET, body, SECONDS))).toEqual({ ok: true })
    expect(verify(webhookHeaders(SECRET, body, SECONDS - 299))).toEqual({ ok: true })
    expect(verify(webhookHeaders(SECRET, body, SECONDS + 299))).toEqual({ ok: true })
    const upper = webhookHeaders(SECRET, body, SECONDS)
    upper['x-provisio-signature'] = upper['x-provisio-signature']!.toUpperCase().replace('SHA256=', 'sha256=')
    expect(verify(upper)).toEqual({ ok: true })
  })

  it('refuses a missing, malformed, stale, forged or tampered signature', () => {
    const good = webhookHeaders(SECRET, body, SECONDS)
    expect(verify({})).toMatchObject({ ok: false, code: 'missing_signature' })
    expect(verify({ 'x-provisio-signature': good['x-provisio-signature'] })).toMatchObject({
      ok: false,
      code: 'missing_timestamp',
    })
    expect(verify({ ...good, 'x-provisio-signature': 'sha1=abc' })).toMatchObject({
      code: 'malformed_signature',
    })
    expect(
      verify({ ...good, 'x-provisio-signature': [good['x-provisio-signature']!, 'sha256=00'] }),
    ).toMatchObject({
      code: 'missing_signature',
    })
    expect(verify({ ...good, 'x-provisio-timestamp': 'yesterday' })).toMatchObject({
      code: 'missing_timestamp',
    })
    expect(verify(webhookHeaders(SECRET, body, SECONDS - 301))).toMatchObject({ code: 'stale_timestamp' })
    expect(verify(webhookHeaders(SECRET, body, SECONDS + 301))).toMatchObject({ code: 'stale_timestamp' })
    expect(verify(webhookHeaders('another-secret-0123456789', body, SECONDS))).toMatchObject({
      code: 'bad_signature',
    })
    const tampered = Buffer.from('[{"id":"E1","name":"Eve"}]')
    expect(verify(good, tampered)).toMatchObject({ code: 'bad_signature' })
    // The timestamp is inside the MAC: moving it forward to replay an old request breaks the signature.
    expect(verify({ ...good, 'x-provisio-timestamp': String(SECONDS + 10) })).toMatchObject({
      code: 'bad_signature',
    })
  })
})
