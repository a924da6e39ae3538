import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { ScimAuthenticationError, ScimTokenError } from '../../../src/scim/errors.ts'
import { createAuthProvider } from '../../../src/scim/http/auth.ts'
import { ScimTransport } from '../../../src/scim/http/transport.ts'
import { errorTexts, sendJson, startServer, type TestServer } from './test-server.ts'

const CLIENT_SECRET = 'sup3r/s3cret+value&more'
const CLIENT_ID = 'client id:1'

const servers: TestServer[] = []
const transports: ScimTransport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler)
  servers.push(started)
  return started
}

function transport(options: ConstructorParameters<typeof ScimTransport>[0]): ScimTransport {
  const created = new ScimTransport({ retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options })
  transports.push(created)
  return created
}

function basicOf(req: IncomingMessage): [string, string] {
  const encoded = (req.headers.authorization ?? '').replace(/^Basic /, '')
  const [id = '', secret = ''] = Buffer.from(encoded, 'base64').toString('utf8').split(':')
  const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '))
  return [decode(id), decode(secret)]
}

/** A token endpoint issuing `tok-1`, `tok-2`, … valid for `expiresIn` seconds. */
async function tokenServer(expiresIn = 3600) {
  let issued = 0
  const endpoint = await server(async (req, res, seen) => {
    const [id, secret] = basicOf(req)
    if (id !== CLIENT_ID || secret !== CLIENT_SECRET) {
      sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' })
      return
    }
    const form = new URLSearchParams(seen.body)
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type' })
      return
    }
    issued += 1
    await new Promise((resolve) => setTimeout(resolve, 30))
    sendJson(res, 200, { access_token: `tok-${issued}`, token_type: 'bearer', expires_in: expiresIn })
  })
  return { endpoint, issued: () => issued, tokenUrl: `${endpoint.url}/oauth/token` }
}

const oauth = (tokenUrl: string, extra: { scope?: string; audience?: string } = {}) => ({
  oauth2: { tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra },
})

describe('static credentials', () => {
  it('sends the bearer token and HTTP Basic credentials to the server', async () => {
    const api = await server((_req, res) => sendJson(res, 200, {}))
    await transport({ baseUrl: api.url, auth: { bearer: 'abc.def' } }).request({
      method: 'GET',
      path: '/Users',
    })
    await transport({ baseUrl: api.url, auth: { basic: { username: 'ops', password: 'pä:ss' } } }).request({
      method: 'GET',
      path: '/Users',
    })
    await transport({ baseUrl: api.url, auth: { none: true } }).request({ method: 'GET', path: '/Users' })
    expect(api.requests[0]?.headers.authorization).toBe('Bearer abc.def')
    const basic = api.requests[1]?.headers.authorization ?? ''
    expect(Buffer.from(basic.replace('Basic ', ''), 'base64').toString('utf8')).toBe('ops:pä:ss')
    expect(api.requests[2]?.headers.authorization).toBeUndefined()
  })
})

describe('OAuth2 client credentials', () => {
  it('fetches one token for 50 concurrent requests, with client_secret_basic, scope and audience', async () => {
    const token = await tokenServer()
    const api = await server((req, res) => sendJson(res, 200, { auth: req.headers.authorization }))
    const client = transport({
      baseUrl: api.url,
      auth: oauth(token.tokenUrl, { scope: 'scim.write users:read', audience: 'https://api.example' }),
    })
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => client.request({ method: 'GET', path: '/Users' })),
    )
    expect(token.issued()).toBe(1)
    expect(answers.every((a) => (a.body as { auth: string }).auth === 'Bearer tok-1')).toBe(true)
    const form = new URLSearchParams(token.endpoint.requests[0]?.body)
    expect(form.get('scope')).toBe('scim.write users:read')
    expect(form.get('audience')).toBe('https://api.example')
    expect(form.get('client_secret')).toBeNull()
    expect(token.endpoint.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    // The raw Basic credential carries the form-encoded id and secret, not the plain ones.
    const raw = Buffer.from(
      (token.endpoint.requests[0]?.headers.authorization ?? '').slice(6),
      'base64',
    ).toString()
    expect(raw).toBe('client+id%3A1:sup3r%2Fs3cret%2Bvalue%26more')
  })

  it('refreshes the token before it expires', async () => {
    const token = await tokenServer(100)
    let clock = 1_000_000
    const provider = createAuthProvider(oauth(token.tokenUrl), { now: () => clock })
    expect(await provider.authorization()).toBe('Bearer tok-1')
    clock += 89_000
    expect(await provider.authorization()).toBe('Bearer tok-1')
    // 10% of 100 s ahead of expiry: at 91 s the next token is fetched although tok-1 is still valid.
    clock += 2_000
    expect(await provider.authorization()).toBe('Bearer tok-2')
    expect(token.issued()).toBe(2)
  })

  it('fetches a new token after a 401 and retries the request once', async () => {
    const token = await tokenServer()
    const api = await server((req, res) => {
      if (req.headers.authorization === 'Bearer tok-1')
        sendJson(res, 401, { detail: 'token revoked', status: '401' })
      else sendJson(res, 200, { ok: true })
    })
    const client = transport({ baseUrl: api.url, auth: oauth(token.tokenUrl) })
    const answer = await client.request({ method: 'POST', path: '/Users', body: { userName: 'a' } })
    expect(answer.body).toEqual({ ok: true })
    expect(token.issued()).toBe(2)
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
  })

  it('gives up after one refresh when the API keeps answering 401', async () => {
    const token = await tokenServer()
    const api = await server((_req, res) => sendJson(res, 401, { detail: 'no' }))
    const client = transport({ baseUrl: api.url, auth: oauth(token.tokenUrl) })
    await expect(client.request({ method: 'GET', path: '/Users' })).rejects.toBeInstanceOf(
      ScimAuthenticationError,
    )
    expect(api.requests).toHaveLength(2)
  })

  it('names the token URL and the OAuth error, never the secret', async () => {
    const token = await tokenServer()
    const wrong = {
      oauth2: { tokenUrl: token.tokenUrl, clientId: CLIENT_ID, clientSecret: 'wrong-secret-123' },
    }
    const error = await createAuthProvider(wrong, { integration: 'acme' })
      .authorization()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimTokenError)
    const message = (error as Error).message
    expect(message).toContain(token.tokenUrl)
    expect(message).toContain('401')
    expect(message).toContain('invalid_client: Client authentication failed')
    expect(errorTexts(error)).not.toContain('wrong-secret-123')
    expect(errorTexts(error)).not.toContain(Buffer.from(`${CLIENT_ID}:wrong-secret-123`).toString('base64'))
  })

  it('redacts a secret echoed by the token endpoint and rejects non-Bearer tokens', async () => {
    const endpoint = await server((req, res) => {
      if (req.url === '/mac') sendJson(res, 200, { access_token: 'x', token_type: 'mac' })
      else
        sendJson(res, 400, {
          error: 'invalid_request',
          error_description: `bad header ${req.headers.authorization}`,
        })
    })
    const echo = await createAuthProvider(oauth(`${endpoint.url}/echo`))
      .authorization()
      .catch((e: unknown) => e)
    expect(echo).toBeInstanceOf(ScimTokenError)
    expect(errorTexts(echo)).toContain('[redacted]')
    expect(errorTexts(echo)).not.toContain((endpoint.requests[0]?.headers.authorization ?? '').slice(6))
    const mac = await createAuthProvider(oauth(`${endpoint.url}/mac`))
      .authorization()
      .catch((e: unknown) => e)
    expect((mac as Error).message).toMatch(/only Bearer/)
  })

  it('shows the token URL without user info when the endpoint cannot be reached', async () => {
    const unreachable = oauth('http://user:pw-in-url@127.0.0.1:1/token')
    const error = await createAuthProvider(unreachable)
      .authorization()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimTokenError)
    expect((error as Error).message).toContain('http://127.0.0.1:1/token')
    expect(errorTexts(error)).not.toContain('pw-in-url')
    expect(errorTexts(error)).not.toContain(CLIENT_SECRET)
  })
})
