/**
 * `provisio serve` applying a policy continuously: signed webhook deliveries become accounts, and
 * a leaver is deprovisioned within moments, with no command run in between; a file source is
 * picked up when the file changes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { webhookHeaders } from '../../src/sources/index.ts'
import { runCli, startCli } from '../support/run-cli.ts'

const TOKEN = 'serve-policies-token-41c2'
const SECRET = 'webhook-secret-0123456789'

async function until(check: () => boolean, what: string, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await delay(100)
  }
}

describe('provisio serve with policies', () => {
  let dir: string
  let sandbox: Sandbox
  let config: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provisio-serve-policies-'))
    sandbox = await startSandbox({ token: TOKEN })
    config = join(dir, 'provisio.yaml')
    await writeFile(join(dir, 'contractors.csv'), 'id,email\nC1,carol@example.com\n')
    await writeFile(
      config,
      [
        'database: sqlite:./provisio.db',
        `secretKey: ${'c'.repeat(64)}`,
        'integrations:',
        '  app:',
        `    url: ${sandbox.url}`,
        `    auth: { bearer: '${TOKEN}' }`,
        '    lifecycleManagement: true',
        'sources:',
        `  people: { kind: webhook, key: id, secret: ${SECRET}, leaver: 'status eq "terminated"' }`,
        '  contractors: { kind: csv, path: ./contractors.csv, key: id, pollInterval: 1h }',
        'policies:',
        '  - name: people',
        '    source: people',
        '    workflows:',
        '      - on: joiner',
        '        actions:',
        '          - sync_identity: { integration: app, attributes: { user_name: "{email}", title: "{title}" } }',
        '      - on: leaver',
        '        actions:',
        '          - deprovision_identity: { integration: app }',
        '  - name: contractors',
        '    source: contractors',
        '    workflows:',
        '      - on: joiner',
        '        actions:',
        '          - sync_identity: { integration: app, attributes: { user_name: "{email}", user_type: Contractor } }',
        '',
      ].join('\n'),
    )
    expect((await runCli(['--config', config, 'extract'])).code).toBe(0)
  })

  afterAll(async () => {
    await sandbox.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('turns webhook deliveries and file changes into accounts, and deprovisions a leaver', {
    timeout: 120_000,
  }, async () => {
    const serve = await startCli(['--config', config, 'serve', '--port', '0'])
    try {
      const base = serve.firstLine.trim()
      const post = async (payload: unknown) => {
        const body = JSON.stringify(payload)
        const response = await fetch(`${base}/sources/people/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...webhookHeaders(SECRET, body) },
          body,
        })
        return response.status
      }
      // The file source is read when the service starts.
      await until(
        () => sandbox.users().some((u) => u.userName === 'carol@example.com'),
        'the contractor from the file',
      )
      expect(await post([{ id: 'P1', email: 'pat@example.com', title: 'Engineer', status: 'active' }])).toBe(
        200,
      )
      await until(
        () => sandbox.users().some((u) => u.userName === 'pat@example.com'),
        'the joiner from the webhook',
      )
      expect(
        await post({ id: 'P1', email: 'pat@example.com', title: 'Engineer', status: 'terminated' }),
      ).toBe(200)
      await until(
        () => sandbox.users().find((u) => u.userName === 'pat@example.com')?.active === false,
        'the leaver deactivated',
      )
      // A forged delivery is refused and changes nothing.
      const forged = await fetch(`${base}/sources/people/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...webhookHeaders('wrong-secret-0123456789', '{"id":"P2","email":"eve@example.com"}'),
        },
        body: '{"id":"P2","email":"eve@example.com"}',
      })
      expect(forged.status).toBe(401)
      await writeFile(join(dir, 'contractors.csv'), 'id,email\nC1,carol@example.com\nC2,dan@example.com\n')
      await until(
        () => sandbox.users().some((u) => u.userName === 'dan@example.com'),
        'the contractor added to the file',
      )
      expect(sandbox.users().some((u) => u.userName === 'eve@example.com')).toBe(false)
      expect(sandbox.users().find((u) => u.userName === 'dan@example.com')?.userType).toBe('Contractor')
    } finally {
      expect(await serve.stop()).toBe(0)
    }
  })
})
