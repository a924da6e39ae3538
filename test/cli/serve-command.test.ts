/**
 * `provisio serve` as an operator runs it: the real binary, a configuration file, a sandbox. The
 * schedule extracts a never-extracted integration at once, `/healthz` answers, SIGTERM stops it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { runCli, startCli } from '../support/run-cli.ts'

const TOKEN = 'serve-sandbox-token-9d1e'

describe('provisio serve', () => {
  let dir: string
  let sandbox: Sandbox
  let config: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provisio-serve-'))
    sandbox = await startSandbox({ token: TOKEN, seedUsers: 40, seedGroups: 10 })
    config = join(dir, 'provisio.yaml')
    await writeFile(
      config,
      [
        'database: sqlite:./provisio.db',
        `secretKey: ${'b'.repeat(64)}`,
        'integrations:',
        '  app:',
        `    url: ${sandbox.url}`,
        `    auth: { bearer: '${TOKEN}' }`,
        '',
      ].join('\n'),
    )
  })

  afterAll(async () => {
    await sandbox.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('extracts a never-extracted integration on schedule, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const service = await startCli(['--config', config, 'serve', '--port', '0'])
    try {
      expect(service.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const live = await fetch(`${service.firstLine}/healthz`)
      expect(live.status).toBe(200)
      expect(await live.json()).toEqual({ status: 'ok' })
      expect((await fetch(`${service.firstLine}/nothing-here`)).status).toBe(404)

      let health: Array<{ status: string; counts: { accounts: number; groups: number } }> = []
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const result = await runCli(['--config', config, '--json', 'health'])
        health = JSON.parse(result.stdout) as typeof health
        if (health[0]?.status === 'healthy') break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(health[0]).toMatchObject({ status: 'healthy', counts: { accounts: 40, groups: 10 } })
    } finally {
      expect(await service.stop()).toBe(0)
    }
  })
})
