import { describe, expect, it } from 'vitest'
import { ScimAuthenticationError } from '../../../src/scim/errors.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import {
  errorTexts,
  INTEGRATION,
  rejectionOf,
  scimFixtures,
  TOKEN,
} from '../../support/scim-client-fixtures.ts'
import { sendScimJson, startRecordingServer } from '../../support/scim-servers.ts'

const fx = scimFixtures()
const WRONG_TOKEN = 'wrong-token-4b8e21d0'

describe('bearer authentication', () => {
  it('sends the bearer token the sandbox requires on every request', async () => {
    const sandbox = await fx.sandbox()
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url)

    await client.discover()
    const created = await client.users.create({ schemas: [SCHEMA.user], userName: 'authed@example.com' })
    await client.users.get(created.id!)

    expect(proxy.requests).toHaveLength(5)
    expect(new Set(proxy.requests.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]))
  })

  it('answers a wrong token with ScimAuthenticationError that never contains a token', async () => {
    const sandbox = await fx.sandbox()
    const client = fx.client(sandbox.url, { auth: { bearer: WRONG_TOKEN } })

    const error = await rejectionOf(
      client.users.create({ schemas: [SCHEMA.user], userName: 'x@example.com' }),
    )

    expect(error).toBeInstanceOf(ScimAuthenticationError)
    const refused = error as ScimAuthenticationError
    expect(refused.status).toBe(401)
    expect(refused.integration).toBe(INTEGRATION)
    expect(refused.request?.method).toBe('POST')
    expect(refused.retryable).toBe(false)
    expect(refused.message).toMatch(/credentials/)
    const texts = errorTexts(error)
    expect(texts).not.toContain(WRONG_TOKEN)
    expect(texts).not.toContain(TOKEN)
    expect(sandbox.users()).toEqual([])
    // A refused credential is not retried.
    expect(sandbox.requestCount()).toBe(1)
  })

  it('keeps the token out of the error even when the target echoes it back', async () => {
    const server = await startRecordingServer((seen, res) =>
      sendScimJson(res, 403, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '403',
        detail: `token ${seen.headers.authorization} has no scope; raw ${WRONG_TOKEN}`,
      }),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim/v2`, { auth: { bearer: WRONG_TOKEN } })

    const error = await rejectionOf(client.users.get('u1'))

    expect(error).toBeInstanceOf(ScimAuthenticationError)
    expect((error as ScimAuthenticationError).status).toBe(403)
    expect((error as ScimAuthenticationError).detail).toBe('token [redacted] has no scope; raw [redacted]')
    expect(errorTexts(error)).not.toContain(WRONG_TOKEN)
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${WRONG_TOKEN}`)
  })
})
