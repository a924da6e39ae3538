/** A webhook source on `provisio serve`, as an HR system would use it: the real binary over HTTP. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pendingEvents, webhookHeaders } from '../../src/sources/index.ts'
import { openDatabase } from '../../src/store/database.ts'
import { startCli } from '../support/run-cli.ts'

const SECRET = 'serve-webhook-secret-3e8a9b'

describe('provisio serve with a webhook source', () => {
  let dir: string
  let config: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provisio-serve-webhook-'))
    config = join(dir, 'provisio.yaml')
    await writeFile(
      config,
      [
        'database: sqlite:./provisio.db',
        'sources:',
        '  workday:',
        '    kind: webhook',
        '    key: employee_id',
        `    secret: ${SECRET}`,
        '',
      ].join('\n'),
    )
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('stores signed deliveries as events and refuses unsigned ones with 401', async () => {
    const service = await startCli(['--config', config, 'serve', '--port', '0'])
    try {
      const url = `${service.firstLine}/sources/workday/events`
      const body = JSON.stringify([
        { employee_id: 'E1', name: 'Ada' },
        { employee_id: 'E2', name: 'Grace' },
      ])
      const accepted = await fetch(url, { method: 'POST', headers: webhookHeaders(SECRET, body), body })
      expect(accepted.status).toBe(200)
      expect(await accepted.json()).toMatchObject({ events: { joiners: 2 } })
      const unsigned = await fetch(url, { method: 'POST', body: '{"event": "leaver", "key": "E1"}' })
      expect(unsigned.status).toBe(401)
      expect(await unsigned.json()).toEqual({
        error: { code: 'missing_signature', message: 'no x-provisio-signature header' },
      })
      expect((await fetch(`${service.firstLine}/healthz`)).status).toBe(200)
    } finally {
      expect(await service.stop()).toBe(0)
    }
    const store = await openDatabase('sqlite:./provisio.db', { baseDir: dir })
    try {
      const events = await pendingEvents(store.db, 'workday', 'test')
      expect(events.map((event) => `${event.kind}:${event.key}`)).toEqual(['joiner:E1', 'joiner:E2'])
    } finally {
      await store.close()
    }
  })
})
