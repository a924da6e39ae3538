/**
 * Sandboxes, proxies and clients for the SCIM client tests, closed after each test.
 * Call `scimFixtures()` once at the top of a test file.
 */
import { afterEach } from 'vitest'
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.ts'
import { ScimClient, type ScimClientOptions } from '../../src/scim/scim-client.ts'
import { type ProxyOptions, type RecordingProxy, startRecordingProxy } from './scim-servers.ts'

export const TOKEN = 'sandbox-token-7f3a9c'
export const INTEGRATION = 'sandbox-under-test'

export interface ScimFixtures {
  /** A sandbox requiring `TOKEN`. */
  sandbox(options?: SandboxOptions): Promise<Sandbox>
  /** A recording proxy in front of a base URL. */
  proxy(baseUrl: string, options?: ProxyOptions): Promise<RecordingProxy>
  /** A client with `TOKEN`, integration `INTEGRATION` and fast retries; options override. */
  client(baseUrl: string, options?: Partial<ScimClientOptions>): ScimClient
  /** Closes something else after the test. */
  defer(close: () => Promise<void>): void
}

/** Registers the cleanup hook and returns the factories. */
export function scimFixtures(): ScimFixtures {
  const closers: Array<() => Promise<void>> = []
  afterEach(async () => {
    // Clients first (they hold connections), then servers.
    const pending = closers.splice(0).reverse()
    for (const close of pending) await close()
  })
  return {
    async sandbox(options = {}) {
      const sandbox = await startSandbox({ token: TOKEN, ...options })
      closers.push(() => sandbox.close())
      return sandbox
    },
    async proxy(baseUrl, options = {}) {
      const proxy = await startRecordingProxy(baseUrl, options)
      closers.push(() => proxy.close())
      return proxy
    },
    client(baseUrl, options = {}) {
      const client = new ScimClient({
        baseUrl,
        auth: { bearer: TOKEN },
        integration: INTEGRATION,
        retry: { baseDelayMs: 5, maxDelayMs: 40 },
        ...options,
      })
      closers.push(() => client.close())
      return client
    },
    defer(close) {
      closers.push(close)
    },
  }
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** The rejection of a promise that must fail; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/** Every text an error exposes: message, string form, JSON form, stack and cause. */
export function errorTexts(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return [
    error.message,
    String(error),
    JSON.stringify(error),
    JSON.stringify({ ...error }),
    error.stack ?? '',
    String(error.cause),
  ].join('\n')
}
