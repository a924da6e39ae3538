import { afterEach, describe, expect, it } from 'vitest'
import { FaultInjector } from '../../src/sandbox/faults.ts'
import { type FaultSpec, parseFaultSpec, type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { TestClient, USER } from './sandbox-client.ts'

const open: Sandbox[] = []

async function sandboxWith(faults: FaultSpec): Promise<{ sandbox: Sandbox; client: TestClient }> {
  const sandbox = await startSandbox({ faults })
  open.push(sandbox)
  return { sandbox, client: new TestClient(sandbox.url) }
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

describe('parseFaultSpec', () => {
  it('parses every kind of fault', () => {
    expect(
      parseFaultSpec('429=0.05,500=0.02,503=0.01,drop=0.01,latency=20-80,rps=200,retryAfter=1,seed=42'),
    ).toEqual({
      statusRates: { 429: 0.05, 500: 0.02, 503: 0.01 },
      drop: 0.01,
      latencyMs: { min: 20, max: 80 },
      rps: 200,
      retryAfterSeconds: 1,
      seed: 42,
    })
    expect(parseFaultSpec(' latency=15 , dropAfter=0.5 ')).toEqual({
      latencyMs: { min: 15, max: 15 },
      dropAfter: 0.5,
    })
    expect(parseFaultSpec('')).toEqual({})
  })

  it('names the bad part in its errors', () => {
    const cases: Array<[string, RegExp]> = [
      ['500=2', /"500=2".*fraction/],
      ['latency=80-20', /"latency=80-20"/],
      ['latency=fast', /"latency=fast"/],
      ['teapot=0.1', /Unknown fault "teapot"/],
      ['200=0.1', /"200=0.1".*400-599/],
      ['500', /"500" is not key=value/],
      ['rps=0', /"rps=0"/],
      ['500=0.1,500=0.2', /"500" is given twice/],
      ['500=0.7,503=0.5', /add up to 1\.200/],
    ]
    for (const [text, message] of cases) expect(() => parseFaultSpec(text), text).toThrow(message)
  })

  it('checks specs built in code when a sandbox starts', async () => {
    await expect(startSandbox({ faults: { statusRates: { 500: -0.5 } } })).rejects.toThrow(/"500"/)
    await expect(startSandbox({ faults: { statusRates: { 200: 0.5 } } })).rejects.toThrow(/400-599/)
    await expect(startSandbox({ faults: { latencyMs: { min: 9, max: 3 } } })).rejects.toThrow(/latency/)
  })
})

describe('sandbox fault injection', () => {
  it('with 500=1 answers every request, discovery included, with 500', async () => {
    const { sandbox, client } = await sandboxWith({ statusRates: { 500: 1 } })
    for (const path of ['/Users', '/ServiceProviderConfig', '/Schemas']) {
      const res = await client.get(path)
      expect(res.status, path).toBe(500)
      expect(res.body.status).toBe('500')
    }
    expect(sandbox.requestCount()).toBe(3)
  })

  it('with 429=1 sends Retry-After', async () => {
    const { client } = await sandboxWith({ statusRates: { 429: 1 }, retryAfterSeconds: 7 })
    const res = await client.get('/Users')
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
  })

  it('with drop=1 destroys the connection before doing anything', async () => {
    const { sandbox, client } = await sandboxWith({ drop: 1 })
    await expect(
      client.post('/Users', { schemas: [USER], userName: 'dropped@example.com' }),
    ).rejects.toThrow()
    expect(sandbox.users()).toHaveLength(0)
  })

  it('with dropAfter=1 carries the request out but loses the answer', async () => {
    const { sandbox, client } = await sandboxWith({ dropAfter: 1 })
    await expect(client.post('/Users', { schemas: [USER], userName: 'lost@example.com' })).rejects.toThrow()
    expect(sandbox.users().map((u) => u.userName)).toEqual(['lost@example.com'])
  })

  it('caps requests per second with 429 and Retry-After', async () => {
    const { client } = await sandboxWith({ rps: 5 })
    const results = await Promise.all(Array.from({ length: 20 }, () => client.get('/ServiceProviderConfig')))
    const limited = results.filter((r) => r.status === 429)
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(5)
    expect(limited.length).toBeGreaterThanOrEqual(10)
    expect(limited[0]?.headers.get('retry-after')).toBe('1')
  })

  it('adds latency', async () => {
    const { client } = await sandboxWith({ latencyMs: { min: 60, max: 60 } })
    const started = performance.now()
    expect((await client.get('/Users')).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('repeats the same faults for the same seed', async () => {
    const spec: FaultSpec = { statusRates: { 500: 0.3, 503: 0.2 }, seed: 42 }
    const run = async (): Promise<number[]> => {
      const { client } = await sandboxWith(spec)
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) statuses.push((await client.get('/ServiceProviderConfig')).status)
      return statuses
    }
    const first = await run()
    expect(await run()).toEqual(first)
    expect(new Set(first)).toEqual(new Set([200, 500, 503]))
    const other = new FaultInjector({ ...spec, seed: 43 })
    const same = new FaultInjector(spec)
    const kinds = (injector: FaultInjector) =>
      Array.from({ length: 30 }, () => {
        const { fault } = injector.decide()
        return fault.kind === 'status' ? fault.status : 200
      })
    expect(kinds(same)).toEqual(first)
    expect(kinds(other)).not.toEqual(first)
  })

  it('can be switched on and off at run time', async () => {
    const { sandbox, client } = await sandboxWith({})
    expect((await client.get('/Users')).status).toBe(200)
    sandbox.setFaults({ statusRates: { 503: 1 } })
    const res = await client.get('/Users')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    sandbox.setFaults(undefined)
    expect((await client.get('/Users')).status).toBe(200)
  })
})
