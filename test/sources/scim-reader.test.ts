import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScimSourceConfig } from '../../src/config/config-types.ts'
import { Secret } from '../../src/config/secret.ts'
import { type Sandbox, seededUserId, startSandbox } from '../../src/sandbox/index.ts'
import { readSource, type SourceRead } from '../../src/sources/index.ts'

const TOKEN = 'scim-source-token-5f1c'

function scimSource(url: string, overrides: Partial<ScimSourceConfig> = {}): ScimSourceConfig {
  return {
    name: 'directory',
    kind: 'scim',
    url,
    auth: { bearer: new Secret(TOKEN) },
    allowInsecure: false,
    key: 'user_name',
    pollInterval: 300_000,
    ...overrides,
  }
}

const read = (source: ScimSourceConfig): Promise<SourceRead> => readSource(source, { baseDir: '/' })

describe('scim source', () => {
  let sandbox: Sandbox

  beforeAll(async () => {
    // Pages of 10: the read must follow the listing to its end.
    sandbox = await startSandbox({ token: TOKEN, seedUsers: 30, seedGroups: 3, maxResults: 10 })
  })
  afterAll(async () => {
    await sandbox.close()
  })

  it('reads every User, page by page, with normalized attribute names and the service id', async () => {
    const result = await read(scimSource(sandbox.url))
    if (result.status !== 'ok') throw new Error(result.error.message)
    expect(result.records).toHaveLength(30)
    expect(result.problems).toEqual([])
    const first = result.records.find((record) => record.key === 'user1@example.com')
    expect(first?.line).toBeUndefined()
    expect(first?.attributes).toMatchObject({
      id: seededUserId(1),
      user_name: 'user1@example.com',
      email: 'user1@example.com',
      given_name: expect.any(String),
      family_name: expect.any(String),
      display_name: expect.any(String),
      employee_number: '100001',
      department: expect.any(String),
      title: expect.any(String),
      active: true,
    })
    // Service bookkeeping is not identity data: it would make everyone a mover.
    expect(first?.attributes).not.toHaveProperty('last_modified')
    expect(first?.attributes).not.toHaveProperty('created_at')
  })

  it('sends the source filter, and keys by another attribute', async () => {
    const result = await read(scimSource(sandbox.url, { filter: 'active eq true', key: 'employee_number' }))
    if (result.status !== 'ok') throw new Error(result.error.message)
    // Seeded user 25 is inactive.
    expect(result.records).toHaveLength(29)
    expect(result.records.map((record) => record.key)).toContain('100001')
    expect(result.records.map((record) => record.key)).not.toContain('100025')
  })

  it('refuses the read when the service refuses us or cannot be reached, without the token in the error', async () => {
    const denied = await read(scimSource(sandbox.url, { auth: { bearer: new Secret('wrong-token-8c2d') } }))
    if (denied.status !== 'refused') throw new Error('expected a refused read')
    expect(denied.error).toMatchObject({ source: 'directory', code: 'read_failed' })
    expect(denied.error.message).toMatch(/^source directory: reading Users failed/)
    expect(`${denied.error.message} ${JSON.stringify(denied.error)}`).not.toContain('wrong-token-8c2d')

    const closed = await startSandbox()
    const url = closed.url
    await closed.close()
    const unreachable = await read(scimSource(url))
    expect(unreachable.status).toBe('refused')
  })

  it('refuses a service with no users rather than make everyone a leaver', async () => {
    const empty = await startSandbox({ token: TOKEN })
    try {
      const result = await read(scimSource(empty.url))
      if (result.status !== 'refused') throw new Error('expected a refused read')
      expect(result.error.code).toBe('empty')
    } finally {
      await empty.close()
    }
  })
})
