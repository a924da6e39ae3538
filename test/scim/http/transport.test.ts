import { afterEach, describe, expect, it } from 'vitest'
import {
  ScimAuthenticationError,
  ScimMalformedResponseError,
  ScimNotFoundError,
  ScimResponseError,
  ScimUniquenessError,
  ScimVersionConflictError,
} from '../../../src/scim/errors.ts'
import { errorFromResponse } from '../../../src/scim/http/response-errors.ts'
import { ScimTransport, type TransportOptions } from '../../../src/scim/http/transport.ts'
import { errorTexts, type Handler, sendJson, startServer, type TestServer } from './test-server.ts'

const servers: TestServer[] = []
const transports: ScimTransport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(handler: Handler, options: Partial<TransportOptions> = {}) {
  const server = await startServer(handler)
  servers.push(server)
  const transport = new ScimTransport({
    baseUrl: `${server.url}/scim/v2/`,
    auth: { bearer: 'T0KEN-very-secret' },
    retry: { maxAttempts: 1 },
    ...options,
  })
  transports.push(transport)
  return { server, transport }
}

describe('requests', () => {
  it('joins the base path, encodes the query and sends the SCIM headers', async () => {
    const { server, transport } = await setup((_req, res) =>
      sendJson(res, 201, { id: '1' }, { etag: 'W/"3"', location: 'http://x/Users/1' }),
    )
    const answer = await transport.request({
      method: 'POST',
      path: 'Users',
      query: { filter: 'userName eq "a+b@x.com"', count: 10, skipped: undefined },
      body: { userName: 'é' },
      headers: { 'If-Match': 'W/"2"' },
    })
    expect(answer).toEqual({ status: 201, body: { id: '1' }, etag: 'W/"3"', location: 'http://x/Users/1' })
    const seen = server.requests[0]
    expect(seen?.url).toBe('/scim/v2/Users?filter=userName%20eq%20%22a%2Bb%40x.com%22&count=10')
    expect(new URL(seen?.url ?? '', 'http://x').searchParams.get('filter')).toBe('userName eq "a+b@x.com"')
    expect(seen?.headers.accept).toBe('application/scim+json, application/json')
    expect(seen?.headers['content-type']).toBe('application/scim+json')
    expect(seen?.headers['user-agent']).toMatch(/^provisio\//)
    expect(seen?.headers['if-match']).toBe('W/"2"')
    expect(JSON.parse(seen?.body ?? '')).toEqual({ userName: 'é' })

    await transport.request({ method: 'GET', path: '//Users/abc' })
    expect(server.requests[1]?.url).toBe('/scim/v2/Users/abc')
    expect(server.requests[1]?.headers['content-type']).toBeUndefined()
  })

  it('returns undefined bodies for 204, empty answers and expect none', async () => {
    const { transport } = await setup((req, res) => {
      if (req.method === 'DELETE') sendJson(res, 200, { ignored: true })
      else if (req.method === 'PATCH') res.writeHead(204).end()
      else res.writeHead(200, { 'content-length': '0' }).end()
    })
    expect((await transport.request({ method: 'PATCH', path: '/Users/1', body: {} })).body).toBeUndefined()
    expect((await transport.request({ method: 'GET', path: '/Users/1' })).body).toBeUndefined()
    expect(await transport.request({ method: 'DELETE', path: '/Users/1', expect: 'none' })).toEqual({
      status: 200,
      body: undefined,
    })
  })

  it('parses JSON sent with a wrong or missing content type', async () => {
    const { transport } = await setup((req, res) => {
      const headers: Record<string, string> = req.url?.endsWith('plain')
        ? { 'content-type': 'text/plain' }
        : {}
      res.writeHead(200, headers).end('{"id":"7"}')
    })
    expect((await transport.request({ method: 'GET', path: '/plain' })).body).toEqual({ id: '7' })
    expect((await transport.request({ method: 'GET', path: '/none' })).body).toEqual({ id: '7' })
  })

  it('reuses keep-alive connections: 100 sequential requests on at most `connections` sockets', async () => {
    const { server, transport } = await setup((_req, res) => sendJson(res, 200, {}), { connections: 2 })
    for (let i = 0; i < 100; i += 1) await transport.request({ method: 'GET', path: '/Users' })
    expect(server.requests).toHaveLength(100)
    expect(server.connections).toBeLessThanOrEqual(2)
  })
})

describe('malformed answers', () => {
  it('rejects an HTML 200 with an excerpt', async () => {
    const { transport } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login required</body></html>')
    })
    const html = await transport.request({ method: 'GET', path: '/html' }).catch((e: unknown) => e)
    expect(html).toBeInstanceOf(ScimMalformedResponseError)
    expect((html as ScimMalformedResponseError).bodyExcerpt).toContain('Login required')
    expect((html as Error).message).toContain('text/html')
    expect((html as Error).message).toContain('GET http://127.0.0.1:')
  })

  it('rejects an HTML 200 even where the body is not wanted, and reads no wanted-less JSON', async () => {
    const big = { id: 'g', members: Array.from({ length: 5000 }, (_, i) => ({ value: `u${i}` })) }
    const { transport } = await setup((req, res) => {
      if (req.url?.endsWith('/html'))
        res.writeHead(200, { 'content-type': 'text/html' }).end('\n <html>Sign in</html>')
      else sendJson(res, 200, big)
    })
    const html = await transport
      .request({ method: 'PATCH', path: '/Groups/html', body: {}, expect: 'none' })
      .catch((e: unknown) => e)
    expect(html).toBeInstanceOf(ScimMalformedResponseError)
    expect((html as ScimMalformedResponseError).bodyExcerpt).toContain('Sign in')
    expect(await transport.request({ method: 'PATCH', path: '/Groups/g', body: {}, expect: 'none' })).toEqual(
      {
        status: 200,
        body: undefined,
      },
    )
  })

  it('rejects a truncated JSON body', async () => {
    const { transport } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/scim+json' }).end('{"id":"1","userName":')
    })
    const error = await transport.request({ method: 'GET', path: '/Users/1' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    expect((error as ScimMalformedResponseError).bodyExcerpt).toBe('{"id":"1","userName":')
    expect((error as ScimMalformedResponseError).status).toBe(200)
  })
})

describe('error answers', () => {
  it('maps statuses and SCIM error bodies to error classes', async () => {
    const { transport } = await setup(
      (req, res) => {
        const status = Number(req.url?.split('/').pop())
        const scimType = status === 409 ? 'uniqueness' : undefined
        sendJson(
          res,
          status,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: String(status),
            scimType,
            detail: 'd',
          },
          status === 429 ? { 'retry-after': '7' } : {},
        )
      },
      { integration: 'acme' },
    )
    const cases = [
      [401, ScimAuthenticationError],
      [403, ScimAuthenticationError],
      [404, ScimNotFoundError],
      [409, ScimUniquenessError],
      [412, ScimVersionConflictError],
      [400, ScimResponseError],
    ] as const
    for (const [status, type] of cases) {
      const error = await transport
        .request({ method: 'PUT', path: `/Users/${status}` })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(type)
      expect(error).toMatchObject({ status, detail: 'd', integration: 'acme' })
    }
    const limited = await transport.request({ method: 'POST', path: '/429' }).catch((e: unknown) => e)
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 7000 })
  })

  it('reads vendor envelopes and tolerates HTML and empty bodies', () => {
    const parse = (status: number, body: unknown) => errorFromResponse(status, body)
    expect(parse(409, { Errors: [{ description: 'User already exists', code: '409' }] })).toBeInstanceOf(
      ScimUniquenessError,
    )
    expect(parse(409, { detail: 'conflict', scimType: 'mutability' })).not.toBeInstanceOf(ScimUniquenessError)
    expect(parse(409, { status: 409, detail: 'userName must be unique' })).toBeInstanceOf(ScimUniquenessError)
    expect(parse(400, { message: 'Bad filter' }).detail).toBe('Bad filter')
    expect(parse(400, { error: 'invalid_request', error_description: 'no' }).detail).toBe(
      'invalid_request: no',
    )
    expect(parse(400, { error: { code: 'E1', message: 'Graph says no' } }).detail).toBe('Graph says no')
    expect(parse(400, '{"scimType":"invalidFilter","detail":"x","status":"400"}').scimType).toBe(
      'invalidFilter',
    )
    expect(parse(502, '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>').detail).toBe(
      '502 Bad Gateway',
    )
    expect(parse(500, '').detail).toBeUndefined()
    expect(parse(500, 'upstream exploded\nstack…').detail).toBe('upstream exploded')
    expect(errorFromResponse(503, undefined, { 'retry-after': ['2'] })).toMatchObject({ retryAfterMs: 2000 })
  })

  it('never exposes the bearer token, even when the server echoes it', async () => {
    const { transport } = await setup((req, res) => {
      if (req.url?.includes('ok')) res.writeHead(200).end(`<p>you sent ${req.headers.authorization}</p>`)
      else sendJson(res, 401, { detail: `Token ${req.headers.authorization} is not valid` })
    })
    for (const path of ['/denied', '/ok']) {
      const error = await transport.request({ method: 'GET', path }).catch((e: unknown) => e)
      expect(errorTexts(error)).not.toContain('T0KEN-very-secret')
      expect(errorTexts(error)).toContain('[redacted]')
    }
  })

  it('strips user info from the base URL in error summaries and never leaks basic passwords', async () => {
    const server = await startServer((_req, res) => sendJson(res, 500, { detail: 'boom' }))
    servers.push(server)
    const url = server.url.replace('http://', 'http://admin:hunter22@')
    const transport = new ScimTransport({
      baseUrl: url,
      auth: { basic: { username: 'admin', password: 'hunter22' } },
      retry: { maxAttempts: 1 },
    })
    transports.push(transport)
    const error = await transport.request({ method: 'DELETE', path: '/Users/1' }).catch((e: unknown) => e)
    expect((error as ScimResponseError).request).toEqual({ method: 'DELETE', url: `${server.url}/Users/1` })
    expect(errorTexts(error)).not.toContain('hunter22')
    expect(errorTexts(error)).not.toContain(Buffer.from('admin:hunter22').toString('base64'))
  })
})
