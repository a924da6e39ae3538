import { afterEach, expect, it } from 'vitest'
import { ScimNetworkError } from '../../../src/scim/errors.ts'
import { type RetryInfo, ScimTransport } from '../../../src/scim/http/transport.ts'
import { startServer, type TestServer } from './test-server.ts'

let server: TestServer | undefined
let transport: ScimTransport | undefined
afterEach(async () => {
  await transport?.close()
  await server?.close()
})

// undici checks its timeouts on a ~0.5 s tick, so each timeout below takes up to about a second;
// the three cases run side by side to keep the file quick.
it('times out waiting for headers or for the body, retrying GET but not POST', async () => {
  server = await startServer((req, res) => {
    if (req.url?.includes('body')) {
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '100' })
      res.write('{"id":')
    }
  })
  const retries: RetryInfo[] = []
  transport = new ScimTransport({
    baseUrl: server.url,
    auth: { bearer: 'secret-token-1' },
    timeoutMs: 100,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    onRetry: (info) => retries.push(info),
  })
  const client = transport
  const started = performance.now()
  const [headers, body, post] = await Promise.all(
    [
      client.request({ method: 'GET', path: '/headers' }),
      client.request({ method: 'GET', path: '/body' }),
      client.request({ method: 'POST', path: '/create', body: { userName: 'x' } }),
    ].map((p) => p.catch((e: unknown) => e)),
  )
  for (const error of [headers, body, post]) {
    expect(error).toBeInstanceOf(ScimNetworkError)
    expect((error as ScimNetworkError).timedOut).toBe(true)
    expect((error as Error).message).toMatch(/timed out after 100 ms/)
    expect(JSON.stringify(error)).not.toContain('secret-token-1')
  }
  const count = (path: string) => server?.requests.filter((r) => r.url === path).length
  expect(count('/headers')).toBe(2)
  expect(count('/body')).toBe(2)
  expect(count('/create')).toBe(1)
  expect(retries.map((r) => r.reason)).toEqual(['timeout', 'timeout'])
  expect(performance.now() - started).toBeLessThan(5000)
})
