import { describe, expect, it } from 'vitest'
import type { SandboxOptions } from '../../../src/sandbox/index.ts'
import { ScimUniquenessError, ScimUnsupportedError } from '../../../src/scim/errors.ts'
import type { BulkOperation, ScimResource } from '../../../src/scim/resources.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import type { ScimClientOptions } from '../../../src/scim/scim-client.ts'
import { INTEGRATION, rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'

const fx = scimFixtures()

async function bulkTarget(sandboxOptions: SandboxOptions = {}, client: Partial<ScimClientOptions> = {}) {
  const sandbox = await fx.sandbox(sandboxOptions)
  const proxy = await fx.proxy(sandbox.url)
  const scim = fx.client(proxy.url, client)
  await scim.discover()
  proxy.requests.length = 0
  return { sandbox, proxy, client: scim }
}

const createUser = (bulkId: string, userName: string): BulkOperation => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [SCHEMA.user], userName },
})

const createGroup = (bulkId: string, displayName: string, memberBulkIds: string[]): BulkOperation => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: {
    schemas: [SCHEMA.group],
    displayName,
    members: memberBulkIds.map((id) => ({ value: `bulkId:${id}` })),
  },
})

function membersOf(group: ScimResource | undefined): string[] {
  return ((group?.members ?? []) as Array<{ value: string }>).map((m) => m.value).sort()
}

describe('client.bulk()', () => {
  it('creates a user and a group containing it in one request through bulkId', async () => {
    const { sandbox, proxy, client } = await bulkTarget()

    const results = await client.bulk([
      createUser('ada', 'ada@example.com'),
      createGroup('eng', 'Engineering', ['ada']),
    ])

    expect(proxy.to('/Bulk')).toHaveLength(1)
    expect(results.map((r) => [r.status, r.error, r.skipped])).toEqual([
      [201, undefined, undefined],
      [201, undefined, undefined],
    ])
    const [user] = sandbox.users()
    const [group] = sandbox.groups()
    expect(results.map((r) => r.id)).toEqual([user?.id, group?.id])
    expect(results[0]?.location).toBe(`${sandbox.url}/Users/${user?.id}`)
    expect(results[0]?.version).toBe('W/"1"')
    expect(membersOf(group)).toEqual([user?.id])
  })

  it('splits by maxOperations, resolves bulkIds across requests, and answers in input order', async () => {
    const { sandbox, proxy, client } = await bulkTarget({}, { overrides: { bulk: { maxOperations: 3 } } })
    const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']
    // The group comes first but references users created later: the client must order and split.
    const operations = [
      createGroup('all', 'Everyone', names),
      ...names.map((n) => createUser(n, `${n}@example.com`)),
    ]

    const results = await client.bulk(operations)

    const requests = proxy.to('/Bulk')
    expect(requests.map((r) => (JSON.parse(r.body) as { Operations: unknown[] }).Operations.length)).toEqual([
      3, 3, 2,
    ])
    // References to users created by an earlier request are sent as their real ids.
    const last = JSON.parse(requests[2]?.body ?? '{}') as {
      Operations: Array<{ data: { members?: unknown } }>
    }
    const sentMembers = ((last.Operations[1]?.data.members ?? []) as Array<{ value: string }>).map(
      (m) => m.value,
    )
    const idOf = new Map(sandbox.users().map((u) => [u.userName, u.id]))
    expect(sentMembers).toEqual([...names.slice(0, 6).map((n) => idOf.get(`${n}@example.com`)), 'bulkId:u7'])

    expect(results.map((r) => r.operation)).toEqual(operations)
    expect(results.every((r) => r.status === 201 && r.error === undefined)).toBe(true)
    expect(results.slice(1).map((r) => r.id)).toEqual(names.map((n) => idOf.get(`${n}@example.com`)))
    expect(results[0]?.id).toBe(sandbox.groups()[0]?.id)
    expect(membersOf(sandbox.groups()[0])).toEqual([...idOf.values()].sort())
  })

  it('splits by maxPayloadSize, staying within it even after bulkIds become longer real ids', async () => {
    // 21 users of ~140 bytes and a group naming them all: split as written, the group would share
    // a request with the last user and outgrow the limit once 20 references become 36-character ids.
    const limit = 1500
    const { sandbox, proxy, client } = await bulkTarget({ bulkMaxPayloadSize: limit })
    const names = Array.from({ length: 21 }, (_, i) => `p${i}`)
    const operations = [
      ...names.map((n) => createUser(n, `${n}@example.com`)),
      createGroup('g', 'Payload', names),
    ]

    const results = await client.bulk(operations)

    const sizes = proxy.to('/Bulk').map((r) => Buffer.byteLength(r.body))
    expect(sizes.length).toBeGreaterThan(1)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(limit)
    expect(results.map((r) => r.status)).toEqual(Array(22).fill(201))
    expect(sandbox.users()).toHaveLength(21)
    expect(membersOf(sandbox.groups()[0])).toEqual(
      sandbox
        .users()
        .map((u) => u.id)
        .sort(),
    )
  })

  it('maps a failing operation to a typed error on that result only', async () => {
    const { sandbox, client } = await bulkTarget()
    await client.users.create({ schemas: [SCHEMA.user], userName: 'taken@example.com' })

    const results = await client.bulk([
      createUser('a', 'first@example.com'),
      createUser('b', 'taken@example.com'),
      createUser('c', 'third@example.com'),
    ])

    expect(results.map((r) => r.status)).toEqual([201, 409, 201])
    expect(results[0]?.error).toBeUndefined()
    expect(results[2]?.error).toBeUndefined()
    const error = results[1]?.error
    expect(error).toBeInstanceOf(ScimUniquenessError)
    expect((error as ScimUniquenessError).scimType).toBe('uniqueness')
    expect(error?.integration).toBe(INTEGRATION)
    expect(error?.request).toEqual({ method: 'POST', url: '/Users' })
    expect(results[1]?.id).toBeUndefined()
    expect(
      sandbox
        .users()
        .map((u) => u.userName)
        .sort(),
    ).toEqual(['first@example.com', 'taken@example.com', 'third@example.com'])
  })

  it('stops at failOnErrors: the rest are skipped, later requests not sent', async () => {
    const { sandbox, proxy, client } = await bulkTarget({}, { overrides: { bulk: { maxOperations: 2 } } })
    await client.users.create({ schemas: [SCHEMA.user], userName: 'taken@example.com' })
    proxy.requests.length = 0

    const results = await client.bulk(
      [
        createUser('a', 'taken@example.com'),
        createUser('b', 'second@example.com'),
        createUser('c', 'third@example.com'),
        createUser('d', 'fourth@example.com'),
      ],
      { failOnErrors: 1 },
    )

    expect(proxy.to('/Bulk')).toHaveLength(1)
    expect(JSON.parse(proxy.to('/Bulk')[0]?.body ?? '{}')).toMatchObject({ failOnErrors: 1 })
    expect(results.map((r) => [r.status, r.skipped === true])).toEqual([
      [409, false],
      [0, true],
      [0, true],
      [0, true],
    ])
    expect(results[0]?.error).toBeInstanceOf(ScimUniquenessError)
    expect(sandbox.users().map((u) => u.userName)).toEqual(['taken@example.com'])
  })

  it('runs PATCH and DELETE operations on existing resources', async () => {
    const { sandbox, client } = await bulkTarget()
    const keep = await client.users.create({ schemas: [SCHEMA.user], userName: 'keep@example.com' })
    const drop = await client.users.create({ schemas: [SCHEMA.user], userName: 'drop@example.com' })

    const results = await client.bulk([
      {
        method: 'PATCH',
        path: `/Users/${keep.id}`,
        data: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: 'Kept' }],
        },
      },
      { method: 'DELETE', path: `/Users/${drop.id}` },
    ])

    expect(results.map((r) => [r.status, r.id])).toEqual([
      [200, keep.id],
      [204, drop.id],
    ])
    expect(sandbox.users().map((u) => [u.userName, u.title])).toEqual([['keep@example.com', 'Kept']])
  })

  it('refuses with ScimUnsupportedError on a target without Bulk, sending nothing', async () => {
    const { proxy, client } = await bulkTarget({}, { overrides: { bulk: { supported: false } } })

    const error = await rejectionOf(client.bulk([createUser('a', 'a@example.com')]))

    expect(error).toBeInstanceOf(ScimUnsupportedError)
    expect((error as ScimUnsupportedError).integration).toBe(INTEGRATION)
    expect(proxy.requests).toEqual([])
  })

  it('refuses Bulk before discovery, since an unknown target is not assumed to have it', async () => {
    const sandbox = await fx.sandbox()
    const client = fx.client(sandbox.url)

    expect(await rejectionOf(client.bulk([createUser('a', 'a@example.com')]))).toBeInstanceOf(
      ScimUnsupportedError,
    )
    expect(sandbox.requestCount()).toBe(0)
  })
})
