import { describe, expect, it } from 'vitest'
import { runCli, startCli } from '../support/run-cli.ts'

describe('provisio sandbox', () => {
  it('prints its SCIM base URL first and serves discovery behind the bearer token', async () => {
    const sandbox = await startCli(['sandbox', '--port', '0', '--token', 't0ken', '--seed-users', '25'])
    try {
      expect(sandbox.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/)
      const refused = await fetch(`${sandbox.firstLine}/Users`)
      expect(refused.status).toBe(401)
      const listed = await fetch(`${sandbox.firstLine}/Users?count=5`, {
        headers: { authorization: 'Bearer t0ken' },
      })
      expect(listed.status).toBe(200)
      expect(listed.headers.get('content-type')).toContain('application/scim+json')
      const body = (await listed.json()) as { totalResults: number; Resources: unknown[] }
      expect(body.totalResults).toBe(25)
      expect(body.Resources).toHaveLength(5)
    } finally {
      expect(await sandbox.stop()).toBe(0)
    }
  })

  it('rejects a malformed --faults spec with exit code 2 and names the bad part', async () => {
    const result = await runCli(['sandbox', '--port', '0', '--faults', '500=2'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('500')
  })

  it('rejects an unknown option with exit code 2', async () => {
    const result = await runCli(['sandbox', '--no-such-option'])
    expect(result.code).toBe(2)
  })
})
