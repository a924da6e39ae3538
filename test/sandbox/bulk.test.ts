import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { BULK, GROUP, PATCH_OP, TestClient, USER } from './sandbox-client.ts'

let sandbox: Sandbox
let client: TestClient

beforeAll(async () => {
  sandbox = await startSandbox({ bulkMaxOperations: 5, bulkMaxPayloadSize: 4096 })
  client = new TestClient(sandbox.url)
})
afterAll(() => sandbox.close())

const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
  client.post('/Bulk', { schemas: [BULK], Operations, ...extra })

describe('sandbox bulk', () => {
  it('creates a group before the user it references, resolving bulkId in dependency order', async () => {
    const res = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g1',
        data: {
          schemas: [GROUP],
          displayName: 'Bulk Group',
          members: [{ type: 'User', value: 'bulkId:u1' }],
        },
      },
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'u1',
        data: { schemas: [USER], userName: 'bulk1@example.com' },
      },
    ])
    expect(res.status).toBe(200)
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse'])
    const [group, user] = res.body.Operations ?? []
    expect(user).toMatchObject({ method: 'POST', bulkId: 'u1', status: '201', version: 'W/"1"' })
    expect(group).toMatchObject({ method: 'POST', bulkId: 'g1', status: '201' })
    const userId = String(user?.location).split('/').pop()
    const got = await client.get(String(group?.location).slice(sandbox.url.length))
    expect(got.body.members?.map((m) => m.value)).toEqual([userId])
  })

  it('resolves bulkId in paths and runs PUT, PATCH and DELETE with versions', async () => {
    const res = await bulk([
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'a',
        data: { schemas: [USER], userName: 'bulk-a@example.com' },
      },
      {
        method: 'PATCH',
        path: '/Users/bulkId:a',
        version: 'W/"1"',
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Patched' }] },
      },
      {
        method: 'PUT',
        path: '/Users/bulkId:a',
        version: 'W/"1"',
        data: { schemas: [USER], userName: 'bulk-a@example.com' },
      },
      { method: 'DELETE', path: '/Users/bulkId:a', version: 'W/"2"' },
    ])
    const statuses = res.body.Operations?.map((o) => o.status)
    expect(statuses).toEqual(['201', '200', '412', '204'])
    expect(res.body.Operations?.[1]?.version).toBe('W/"2"')
    expect(res.body.Operations?.[2]?.response).toMatchObject({ status: '412' })
    expect(res.body.Operations?.[3]?.location).toBe(res.body.Operations?.[0]?.location)
  })

  it('stops after failOnErrors errors', async () => {
    await client.createUser('bulk-dup@example.com')
    const res = await bulk(
      [
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'x',
          data: { schemas: [USER], userName: 'bulk-dup@example.com' },
        },
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'y',
          data: { schemas: [USER], userName: 'bulk-after@example.com' },
        },
      ],
      { failOnErrors: 1 },
    )
    expect(res.status).toBe(200)
    expect(res.body.Operations).toHaveLength(1)
    expect(res.body.Operations?.[0]).toMatchObject({ status: '409', response: { scimType: 'uniqueness' } })
    const list = await client.get(
      `/Users?filter=${encodeURIComponent('userName eq "bulk-after@example.com"')}`,
    )
    expect(list.body.totalResults).toBe(0)
  })

  it('reports circular and unresolvable bulkId references with 409', async () => {
    const res = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'c1',
        data: { schemas: [GROUP], displayName: 'Circle 1', members: [{ value: 'bulkId:c2' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'c2',
        data: { schemas: [GROUP], displayName: 'Circle 2', members: [{ value: 'bulkId:c1' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'c3',
        data: { schemas: [GROUP], displayName: 'Dangling', members: [{ value: 'bulkId:nope' }] },
      },
    ])
    expect(res.body.Operations?.map((o) => o.status)).toEqual(['409', '409', '409'])
    expect(res.body.Operations?.[0]?.response?.detail).toContain('Circular')
    expect(res.body.Operations?.[2]?.response?.detail).toContain('bulkId:nope')
  })

  it('answers too many operations with 413 tooMany and an oversized payload with 413', async () => {
    const ops = Array.from({ length: 6 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `t${i}`,
      data: { schemas: [USER], userName: `t${i}@example.com` },
    }))
    const many = await bulk(ops)
    expect(many.status).toBe(413)
    expect(many.body.scimType).toBe('tooMany')
    const big = await bulk([
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'big',
        data: { schemas: [USER], userName: 'big@example.com', title: 'x'.repeat(5000) },
      },
    ])
    expect(big.status).toBe(413)
    expect(big.body.detail).toContain('4096')
  })

  it('refuses a request without the BulkRequest schema and operations on other paths', async () => {
    const bad = await client.post('/Bulk', { schemas: [USER], Operations: [] })
    expect(bad.status).toBe(400)
    expect(bad.body.scimType).toBe('invalidSyntax')
    const path = await bulk([{ method: 'POST', path: '/Bulk', bulkId: 'b', data: {} }])
    expect(path.body.Operations?.[0]?.status).toBe('400')
  })
})
