import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { TestClient } from './sandbox-client.ts'

let sandbox: Sandbox

beforeAll(async () => {
  sandbox = await startSandbox({ token: 's3cret-token' })
})
afterAll(() => sandbox.close())

describe('sandbox bearer authentication', () => {
  it('answers a request without a token with 401, a SCIM error and WWW-Authenticate', async () => {
    const res = await new TestClient(sandbox.url).get('/Users')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    })
  })

  it('refuses a wrong token, a token of another length and another scheme', async () => {
    for (const authorization of ['Bearer s3cret-tokem', 'Bearer s', 'Basic czNjcmV0LXRva2Vu', 'Bearer']) {
      const res = await new TestClient(sandbox.url).get('/ServiceProviderConfig', { authorization })
      expect(res.status, authorization).toBe(401)
    }
    const wrong = await new TestClient(sandbox.url, 'nope').get('/Users')
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token')
  })

  it('serves requests with the right token, the scheme in any case', async () => {
    expect((await new TestClient(sandbox.url, 's3cret-token').get('/Users')).status).toBe(200)
    const lower = await new TestClient(sandbox.url).get('/Users', { authorization: 'bearer s3cret-token' })
    expect(lower.status).toBe(200)
  })

  it('needs no token when none is configured', async () => {
    const open = await startSandbox({})
    try {
      expect((await new TestClient(open.url).get('/Users')).status).toBe(200)
    } finally {
      await open.close()
    }
  })

  it('refuses an empty configured token', async () => {
    await expect(startSandbox({ token: '' })).rejects.toThrow(/token/)
  })
})
