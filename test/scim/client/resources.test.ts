import { describe, expect, it } from 'vitest'
import {
  ScimMalformedResponseError,
  ScimNotFoundError,
  ScimUniquenessError,
  ScimVersionConflictError,
} from '../../../src/scim/errors.ts'
import type { ScimGroup, ScimResource, ScimUser } from '../../../src/scim/resources.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import { collect, INTEGRATION, rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'
import { sendScimJson, sendText, startRecordingServer } from '../../support/scim-servers.ts'

const fx = scimFixtures()

function user(userName: string, extra: Partial<ScimUser> = {}): ScimUser {
  return { schemas: [SCHEMA.user], userName, ...extra }
}

async function discovered(options: Parameters<typeof fx.sandbox>[0] = {}) {
  const sandbox = await fx.sandbox(options)
  const proxy = await fx.proxy(sandbox.url)
  const client = fx.client(proxy.url)
  await client.discover()
  proxy.requests.length = 0
  return { sandbox, proxy, client }
}

describe('users: create, get, replace, patch, delete', () => {
  it('creates a user and reads it back with its id, ETag and meta.version', async () => {
    const { sandbox, client } = await discovered()

    const created = await client.users.create(
      user('ada@example.com', { name: { givenName: 'Ada', familyName: 'Lovelace' }, title: 'Analyst' }),
    )

    expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.meta?.version).toBe('W/"1"')
    expect(created.meta?.location).toBe(`${sandbox.url}/Users/${created.id}`)
    const read = await client.users.get(created.id!)
    expect(read).toEqual(created)
    expect(sandbox.users().map((u) => [u.id, u.userName, u.title])).toEqual([
      [created.id, 'ada@example.com', 'Analyst'],
    ])
  })

  it('keeps the ETag header as meta.version when the body has none', async () => {
    const server = await startRecordingServer((_seen, res) =>
      sendScimJson(res, 200, { schemas: [SCHEMA.user], id: 'u1', userName: 'x' }, { etag: 'W/"42"' }),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim/v2`)

    const read = await client.users.get('u1')

    expect(read.meta).toEqual({ version: 'W/"42"' })
  })

  it('replaces a user, sending If-Match with its version, and gets the next version', async () => {
    const { sandbox, proxy, client } = await discovered()
    const created = await client.users.create(user('grace@example.com', { title: 'Engineer' }))

    const replaced = await client.users.replace(created.id!, {
      ...created,
      title: 'Admiral',
      nickName: 'Amazing',
    })

    expect(proxy.to(`/Users/${created.id}`, 'PUT').map((r) => r.headers['if-match'])).toEqual(['W/"1"'])
    expect(replaced.meta?.version).toBe('W/"2"')
    expect(replaced).toMatchObject({ title: 'Admiral', nickName: 'Amazing', userName: 'grace@example.com' })
    expect(sandbox.users()[0]).toMatchObject({ title: 'Admiral', nickName: 'Amazing' })
  })

  it('refuses a replace from a stale version with ScimVersionConflictError naming integration and request', async () => {
    const { sandbox, client } = await discovered()
    const stale = await client.users.create(user('linus@example.com', { title: 'Engineer' }))
    await client.users.replace(stale.id!, { ...stale, title: 'Maintainer' })

    const error = await rejectionOf(client.users.replace(stale.id!, { ...stale, title: 'Overwritten' }))

    expect(error).toBeInstanceOf(ScimVersionConflictError)
    const conflict = error as ScimVersionConflictError
    expect(conflict.status).toBe(412)
    expect(conflict.integration).toBe(INTEGRATION)
    expect(conflict.request?.method).toBe('PUT')
    expect(conflict.request?.url).toMatch(new RegExp(`/scim/v2/Users/${stale.id}$`))
    expect(conflict.message).toContain(INTEGRATION)
    expect(sandbox.users()[0]?.title).toBe('Maintainer')
  })

  it('sends no If-Match when the target does not support ETags', async () => {
    const sandbox = await fx.sandbox()
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url, { overrides: { etag: false } })
    await client.discover()
    const stale = await client.users.create(user('nobody@example.com'))
    await client.users.replace(stale.id!, { ...stale, title: 'First' })

    // Without ETags the last writer wins: the stale replace is accepted.
    const replaced = await client.users.replace(stale.id!, { ...stale, title: 'Second' })

    expect(replaced.title).toBe('Second')
    expect(proxy.to(`/Users/${stale.id}`, 'PUT').map((r) => r.headers['if-match'])).toEqual([
      undefined,
      undefined,
    ])
  })

  it('patches a user and returns the patched resource', async () => {
    const { sandbox, client } = await discovered()
    const created = await client.users.create(user('ines@example.com', { active: true }))

    const patched = await client.users.patch(created.id!, [
      { op: 'replace', path: 'active', value: false },
      { op: 'add', path: 'title', value: 'Leaver' },
    ])

    expect(patched).toMatchObject({ id: created.id, active: false, title: 'Leaver' })
    expect(patched?.meta?.version).toBe('W/"2"')
    expect(sandbox.users()[0]).toMatchObject({ active: false, title: 'Leaver' })
  })

  it('deletes a user, after which get answers ScimNotFoundError', async () => {
    const { sandbox, client } = await discovered()
    const created = await client.users.create(user('gone@example.com'))

    await client.users.delete(created.id!)

    expect(sandbox.users()).toEqual([])
    const error = await rejectionOf(client.users.get(created.id!))
    expect(error).toBeInstanceOf(ScimNotFoundError)
    expect((error as ScimNotFoundError).status).toBe(404)
    expect((error as ScimNotFoundError).request?.method).toBe('GET')
  })

  it('answers ScimNotFoundError for an id that never existed, on get, replace, patch and delete', async () => {
    const { client } = await discovered()
    const missing = '00000000-0000-4000-8000-00000000beef'
    const attempts = [
      () => client.users.get(missing),
      () => client.users.replace(missing, user('x@example.com')),
      () => client.users.patch(missing, [{ op: 'replace', path: 'title', value: 'x' }]),
      () => client.users.delete(missing),
    ]
    for (const attempt of attempts) expect(await rejectionOf(attempt())).toBeInstanceOf(ScimNotFoundError)
  })

  it('answers a duplicate userName with ScimUniquenessError (409, scimType uniqueness)', async () => {
    const { sandbox, client } = await discovered()
    await client.users.create(user('dup@example.com'))

    const error = await rejectionOf(client.users.create(user('DUP@example.com')))

    expect(error).toBeInstanceOf(ScimUniquenessError)
    const uniqueness = error as ScimUniquenessError
    expect(uniqueness.status).toBe(409)
    expect(uniqueness.scimType).toBe('uniqueness')
    expect(uniqueness.request?.method).toBe('POST')
    expect(sandbox.users().map((u) => u.userName)).toEqual(['dup@example.com'])
  })

  it('encodes ids in paths so an id cannot address another endpoint', async () => {
    const { proxy, client } = await discovered()

    const error = await rejectionOf(client.users.get('../Groups'))

    expect(error).toBeInstanceOf(ScimNotFoundError)
    expect(proxy.requests.map((r) => r.path)).toEqual(['/scim/v2/Users/..%2FGroups'])
  })
})

describe('groups', () => {
  it('creates, reads, replaces, patches and deletes a group with members', async () => {
    const { sandbox, client } = await discovered()
    const ada = await client.users.create(user('ada@example.com'))
    const bob = await client.users.create(user('bob@example.com'))

    const group = await client.groups.create({
      schemas: [SCHEMA.group],
      displayName: 'Engineering',
      members: [{ value: ada.id! }],
    })
    expect((await client.groups.get(group.id!)).members?.map((m) => m.value)).toEqual([ada.id])

    const replaced = await client.groups.replace(group.id!, {
      ...group,
      displayName: 'Platform',
      members: [{ value: ada.id! }, { value: bob.id! }],
    })
    expect(replaced.displayName).toBe('Platform')
    expect(replaced.members?.map((m) => m.value).sort()).toEqual([ada.id, bob.id].sort())

    await client.groups.patch(group.id!, [{ op: 'remove', path: `members[value eq "${ada.id}"]` }])
    expect(sandbox.groups()[0]?.members).toEqual([
      expect.objectContaining({ value: bob.id, display: 'bob@example.com' }),
    ])
    expect((await client.users.get(bob.id!)).groups?.map((g) => g.value)).toEqual([group.id])

    await client.groups.delete(group.id!)
    expect(sandbox.groups()).toEqual([])
    expect(await rejectionOf(client.groups.get(group.id!))).toBeInstanceOf(ScimNotFoundError)
  })

  it('answers a duplicate group displayName with ScimUniquenessError', async () => {
    const { client } = await discovered()
    await client.groups.create({ schemas: [SCHEMA.group], displayName: 'Sales' })

    const error = await rejectionOf(client.groups.create({ schemas: [SCHEMA.group], displayName: 'Sales' }))

    expect(error).toBeInstanceOf(ScimUniquenessError)
  })
})

describe('client.resource(endpoint)', () => {
  it('works on any endpoint, with or without the leading slash', async () => {
    const { sandbox, proxy, client } = await discovered()
    const groups = client.resource<ScimGroup>('Groups')
    const users = client.resource<ScimResource>('/Users')

    const member = await users.create({ schemas: [SCHEMA.user], userName: 'via-resource@example.com' })
    const group = await groups.create({
      schemas: [SCHEMA.group],
      displayName: 'Generic',
      members: [{ value: member.id! }],
    })
    await groups.patch(group.id!, [{ op: 'replace', path: 'displayName', value: 'Generic 2' }])
    const read = await groups.get(group.id!)
    await users.delete(member.id!)

    expect(groups.endpoint).toBe('/Groups')
    expect(read.displayName).toBe('Generic 2')
    expect(read.members?.map((m) => m.value)).toEqual([member.id])
    expect(sandbox.users()).toEqual([])
    expect(proxy.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, ':id')}`)).toEqual([
      'POST /scim/v2/Users',
      'POST /scim/v2/Groups',
      'PATCH /scim/v2/Groups/:id',
      'GET /scim/v2/Groups/:id',
      'DELETE /scim/v2/Users/:id',
    ])
  })
})

describe('malformed answers', () => {
  it('turns invalid JSON in a 200 into ScimMalformedResponseError', async () => {
    const server = await startRecordingServer((_seen, res) =>
      sendText(
        res,
        200,
        '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","user',
        'application/scim+json',
      ),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim/v2`)

    const error = await rejectionOf(client.users.get('u1'))

    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    const malformed = error as ScimMalformedResponseError
    expect(malformed.status).toBe(200)
    expect(malformed.integration).toBe(INTEGRATION)
    expect(malformed.request?.method).toBe('GET')
    expect(malformed.bodyExcerpt).toContain('"id":"u1"')
    // A malformed answer is not retried: one request only.
    expect(server.requests).toHaveLength(1)
  })

  it('turns a listed resource that is not JSON into ScimMalformedResponseError, with the next page already asked for', async () => {
    const server = await startRecordingServer((seen, res) =>
      sendText(
        res,
        200,
        seen.url.includes('cursor=next')
          ? '{"totalResults":3,"Resources":[{"id":"u3"}]}'
          : '{"totalResults":3,"Resources":[{"id":"u1"},{"id":u2}],"nextCursor":"next"}',
        'application/scim+json',
      ),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim/v2`, { overrides: { pagination: { cursor: true } } })

    const error = await rejectionOf(collect(client.users.list({ pageSize: 2 })))

    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    const malformed = error as ScimMalformedResponseError
    expect(malformed.message).toContain('invalid or truncated JSON')
    expect(malformed.status).toBe(200)
    expect(malformed.request?.method).toBe('GET')
    expect(malformed.bodyExcerpt).toContain('{"id":u2}')
  })

  it('turns JSON that is not a resource object into ScimMalformedResponseError', async () => {
    const server = await startRecordingServer((_seen, res) =>
      sendScimJson(res, 201, ['not', 'a', 'resource']),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim/v2`)

    const error = await rejectionOf(client.users.create(user('x@example.com')))

    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    expect((error as ScimMalformedResponseError).message).toContain('expected a resource object')
  })
})
