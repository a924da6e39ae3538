/**
 * Webhook deliveries end to end on every backend: signed requests become the same joiner, mover and
 * leaver events as reads; refused requests store nothing. Then the node:http mounting: 404, 405, 413.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SourceConfig } from '../../src/config/config-types.ts'
import {
  findIdentity,
  handleWebhookRequest,
  lastSnapshot,
  pendingEvents,
  sourceWebhookListener,
  type WebhookContext,
  webhookHeaders,
} from '../../src/sources/index.ts'
import { openTestStore, type TestBackend, testBackends } from '../support/test-databases.ts'
import { csvSource, WEBHOOK_SECRET, webhookSource } from './fixtures.ts'

type TestStore = Awaited<ReturnType<typeof openTestStore>>

const NOW = new Date('2024-05-01T08:00:00.000Z')
const SECONDS = NOW.getTime() / 1000
const sources: Record<string, SourceConfig> = { pushed: webhookSource(), hr: csvSource() }

function signed(payload: unknown, timestamp = SECONDS, secret = WEBHOOK_SECRET) {
  const body = Buffer.from(JSON.stringify(payload))
  return {
    method: 'POST',
    url: '/sources/pushed/events',
    headers: webhookHeaders(secret, body, timestamp),
    body,
  }
}

async function stored(store: TestStore) {
  return {
    snapshots: await store.db.selectFrom('source_snapshots').select('id').execute(),
    identities: await store.db.selectFrom('source_identities').selectAll().execute(),
    events: await store.db.selectFrom('source_events').selectAll().execute(),
  }
}

describe.each(testBackends())('webhook deliveries on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ?? 'with a fresh store per case', () => {
    let store: TestStore
    let context: WebhookContext
    let label = 0
    const fresh = async () => {
      label += 1
      store = await openTestStore(backend, `sources-webhook-${backend.name}-${label}`)
      context = {
        store,
        sources,
        now: () => NOW,
        isLeaverFor: () => (attributes) => attributes.status === 'terminated',
      }
    }
    afterEach(async () => {
      await store?.dispose()
    })

    it('upserts records and explicit leavers into joiner, mover and leaver events', async () => {
      await fresh()
      const first = await handleWebhookRequest(
        signed([
          { id: 'E1', name: 'Ada', department: 'R&D' },
          { id: 'E2', name: 'Grace', department: 'Navy' },
        ]),
        context,
      )
      expect(first).toEqual({
        status: 200,
        body: {
          snapshotId: expect.any(String),
          records: 2,
          leavers: 0,
          events: { joiners: 2, movers: 0, leavers: 0 },
        },
      })
      // One record alone (not in a list); an unchanged one; a leaver event; a repeat changes nothing.
      const second = await handleWebhookRequest(
        signed([
          { id: 'E1', name: 'Ada', department: 'AI', manager: null },
          { event: 'leaver', key: 'E2' },
        ]),
        context,
      )
      expect(second.body).toMatchObject({ events: { joiners: 0, movers: 1, leavers: 1 } })
      const replay = await handleWebhookRequest(signed({ event: 'delete', key: 'E2' }), context)
      expect(replay.body).toMatchObject({ events: { joiners: 0, movers: 0, leavers: 0 } })
      const terminated = await handleWebhookRequest(
        signed({ id: 'E1', department: 'AI', status: 'terminated' }),
        context,
      )
      expect(terminated.body).toMatchObject({ events: { leavers: 1 } })
      const events = await pendingEvents(store.db, 'pushed', 'test')
      expect(events.map(({ kind, reason, key }) => `${kind}:${reason}:${key}`)).toEqual([
        'joiner:new:E1',
        'joiner:new:E2',
        'mover:changed:E1',
        'leaver:deleted:E2',
        'leaver:condition:E1',
      ])
      expect(events[2]?.changes).toEqual({ department: { from: 'R&D', to: 'AI' } })
      expect(events[3]?.attributes).toEqual({ id: 'E2', name: 'Grace', department: 'Navy' })
      // Not a full read: an identity the delivery does not name stays as it is.
      await handleWebhookRequest(signed({ id: 'E3', name: 'Alan' }), context)
      expect(await findIdentity(store.db, 'pushed', 'E2')).toMatchObject({ leftAt: NOW.toISOString() })
      expect(await lastSnapshot(store.db, 'pushed')).toMatchObject({ mode: 'incremental', joiners: 1 })
    })

    it('refuses bad, missing, stale and forged signatures and a tampered body with 401, storing nothing', async () => {
      await fresh()
      const good = signed([{ id: 'E1' }])
      const cases = {
        missing: { ...good, headers: {} },
        stale: signed([{ id: 'E1' }], SECONDS - 600),
        forged: signed([{ id: 'E1' }], SECONDS, 'not-the-secret-0123456789'),
        tampered: { ...good, body: Buffer.from('[{"id":"E666"}]') },
        malformed: { ...good, headers: { ...good.headers, 'x-provisio-signature': 'token' } },
      }
      for (const [name, request] of Object.entries(cases)) {
        const answer = await handleWebhookRequest(request, context)
        expect(answer.status, name).toBe(401)
        expect(answer.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } })
        expect(JSON.stringify(answer.body)).not.toContain(WEBHOOK_SECRET)
      }
      expect(await stored(store)).toEqual({ snapshots: [], identities: [], events: [] })
    })

    it('refuses a signed but invalid delivery as a whole with 400, recording only the refusal', async () => {
      await fresh()
      const invalid = [
        '{"id": ',
        [],
        [{ id: 'E1' }, { name: 'no key' }],
        [{ id: 'E1' }, { id: 'E1', name: 'twice' }],
        [{ id: 'E1' }, { event: 'leaver', key: 'E1' }],
        [{ event: 'hired', key: 'E2' }],
        [{ event: 'leaver' }],
        [{ event: 'leaver', key: 'E2', name: 'x' }],
        [3],
      ]
      for (const payload of invalid) {
        const request =
          typeof payload === 'string' ? { ...signed(null), body: Buffer.from(payload) } : signed(payload)
        if (typeof payload === 'string')
          request.headers = webhookHeaders(WEBHOOK_SECRET, request.body, SECONDS)
        const answer = await handleWebhookRequest(request, context)
        expect(answer.status, JSON.stringify(payload)).toBe(400)
        expect(answer.body).toMatchObject({ error: { code: 'malformed_delivery' } })
      }
      const after = await stored(store)
      expect(after.identities).toEqual([])
      expect(after.events).toEqual([])
      expect(await lastSnapshot(store.db, 'pushed')).toMatchObject({ status: 'refused', mode: 'incremental' })
    })
  })
})

describe('webhook routes on a node:http server', () => {
  let store: TestStore
  let server: Server
  let base: string
  const logged: string[] = []

  beforeAll(async () => {
    store = await openTestStore({ name: 'sqlite', url: 'sqlite::memory:' }, 'sources-webhook-http')
    const webhooks = sourceWebhookListener({
      store,
      sources,
      maxBodyBytes: 2048,
      log: (line) => logged.push(line),
    })
    server = createServer((request, response) => {
      if (webhooks(request, response)) return
      response.writeHead(418).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await store.dispose()
  })

  it('applies a signed POST and answers JSON', async () => {
    const body = JSON.stringify([{ id: 'E1', name: 'Ada' }])
    const response = await fetch(`${base}/sources/pushed/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(WEBHOOK_SECRET, body) },
      body,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toMatchObject({ events: { joiners: 1 } })
    expect(logged.join('\n')).not.toContain(WEBHOOK_SECRET)
  })

  it('answers 404 for unknown and non-webhook sources, 405 for other methods, leaves other URLs alone', async () => {
    expect((await fetch(`${base}/sources/nobody/events`, { method: 'POST' })).status).toBe(404)
    expect((await fetch(`${base}/sources/hr/events`, { method: 'POST' })).status).toBe(404)
    const get = await fetch(`${base}/sources/pushed/events`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await fetch(`${base}/healthz`)).status).toBe(418)
  })

  it('refuses a body over the limit with 413, by its length or as it streams', async () => {
    const big = JSON.stringify([{ id: 'E2', padding: 'x'.repeat(4096) }])
    const declared = await fetch(`${base}/sources/pushed/events`, {
      method: 'POST',
      headers: webhookHeaders(WEBHOOK_SECRET, big),
      body: big,
    })
    expect(declared.status).toBe(413)
    const chunks = [Buffer.from(big.slice(0, 1500)), Buffer.from(big.slice(1500))]
    const streamed = await fetch(`${base}/sources/pushed/events`, {
      method: 'POST',
      headers: webhookHeaders(WEBHOOK_SECRET, big),
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk)
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(await findIdentity(store.db, 'pushed', 'E2')).toBeUndefined()
  })
})
