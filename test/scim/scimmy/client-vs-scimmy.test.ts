/**
 * The Provisio SCIM client against a SCIM server the project did not write: scimmy 1.3 behind
 * scimmy-routers. Where scimmy departs from RFC 7643/7644 the test says so and DEVIATIONS.md
 * (next to this file) records what Provisio does about it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type CapabilityOverrides,
  MESSAGE,
  PatchBuilder,
  SCHEMA,
  ScimAuthenticationError,
  ScimClient,
  type ScimGroup,
  ScimNotFoundError,
  ScimResponseError,
  ScimUniquenessError,
  type ScimUser,
  valuePath,
  where,
} from '../../../src/scim/index.ts'
import {
  SCIMMY_MAX_RESULTS,
  SCIMMY_TOKEN,
  type ScimmyServer,
  type SeenRequest,
  startScimmyServer,
} from '../../support/scimmy-server.ts'

let server: ScimmyServer
let client: ScimClient
const extraClients: ScimClient[] = []
/** Express puts a weak ETag on every answer; the client keeps it as `meta.version` (DEVIATIONS.md). */
const WEAK_ETAG = expect.stringMatching(/^W\/"[^"]+"$/)

/** A client for this server; discovery is left to the test unless `discover` is set. */
async function newClient(
  options: { overrides?: CapabilityOverrides; token?: string; discover?: boolean } = {},
): Promise<ScimClient> {
  const made = new ScimClient({
    baseUrl: server.url,
    auth: { bearer: options.token ?? SCIMMY_TOKEN },
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    ...(options.overrides ? { overrides: options.overrides } : {}),
  })
  extraClients.push(made)
  if (options.discover !== false) await made.discover()
  return made
}

function user(userName: string, extra: Partial<ScimUser> = {}): ScimUser {
  return { schemas: [SCHEMA.user], userName, ...extra }
}

function group(displayName: string, extra: Partial<ScimGroup> = {}): ScimGroup {
  return { schemas: [SCHEMA.group], displayName, ...extra }
}

function idOf(resource: { id?: string | undefined }): string {
  if (resource.id === undefined) throw new Error('resource has no id')
  return resource.id
}

/** Requests the server saw, as `METHOD path?query`, for asserting on what the client sent. */
function seen(filter: (request: SeenRequest) => boolean = () => true): string[] {
  return server.requests
    .filter(filter)
    .map((request) => `${request.method} ${decodeURIComponent(request.url)}`)
}

async function userNames(list: AsyncIterable<ScimUser>): Promise<string[]> {
  const names: string[] = []
  for await (const found of list) names.push(found.userName ?? '?')
  return names
}

/** 35 users `user01`…`user35`; odd ones are Engineers, even ones Managers; every fifth is inactive. */
async function seedUsers(count = 35): Promise<ScimUser[]> {
  const created: ScimUser[] = []
  for (let i = 1; i <= count; i += 1) {
    const n = String(i).padStart(2, '0')
    created.push(
      await client.users.create(
        user(`user${n}`, {
          title: i % 2 === 1 ? 'Engineer' : 'Manager',
          active: i % 5 !== 0,
          emails: [{ value: `user${n}@work.example`, type: 'work', primary: true }],
        }),
      ),
    )
  }
  return created
}

beforeAll(async () => {
  server = await startScimmyServer()
  client = new ScimClient({ baseUrl: server.url, auth: { bearer: SCIMMY_TOKEN } })
  await client.discover()
})

afterAll(async () => {
  await client.close()
  await server.close()
})

beforeEach(() => server.reset())

afterEach(async () => {
  await Promise.all(extraClients.splice(0).map((made) => made.close()))
})

describe('discovery', () => {
  it('parses /ServiceProviderConfig, /ResourceTypes and /Schemas', async () => {
    const fresh = await newClient({ discover: false })
    const discovery = await fresh.discover()
    const config = discovery.serviceProviderConfig
    expect(config?.patch).toEqual({ supported: true })
    expect(config?.bulk).toEqual({ supported: true, maxOperations: 10, maxPayloadSize: 1_048_576 })
    expect(config?.filter).toEqual({ supported: true, maxResults: SCIMMY_MAX_RESULTS })
    expect(config?.sort).toEqual({ supported: true })
    expect(config?.etag).toEqual({ supported: false })
    expect(config?.changePassword).toEqual({ supported: false })
    expect(config?.authenticationSchemes.map((scheme) => scheme.type)).toEqual(['oauthbearertoken'])
    expect(
      discovery.resourceTypes?.map(({ name, endpoint, schema }) => ({ name, endpoint, schema })),
    ).toEqual([
      { name: 'User', endpoint: '/Users', schema: SCHEMA.user },
      { name: 'Group', endpoint: '/Groups', schema: SCHEMA.group },
    ])
    // The test server declares the enterprise extension on User (test/support/scimmy-server.ts).
    expect(discovery.schemas?.map((schema) => schema.id)).toEqual([
      SCHEMA.user,
      SCHEMA.group,
      SCHEMA.enterpriseUser,
    ])
    const userName = discovery.schemas?.[0]?.attributes.find((attribute) => attribute.name === 'userName')
    expect(userName).toMatchObject({ type: 'string', caseExact: false, uniqueness: 'server', required: true })
    const members = discovery.schemas?.[1]?.attributes.find((attribute) => attribute.name === 'members')
    expect(members?.multiValued).toBe(true)
    expect(members?.subAttributes?.map((sub) => sub.name)).toEqual(
      expect.arrayContaining(['value', 'display', 'type', '$ref']),
    )
    expect(seen()).toEqual([
      'GET /scim/v2/ServiceProviderConfig',
      'GET /scim/v2/ResourceTypes',
      'GET /scim/v2/Schemas',
    ])
  })

  it('derives the capabilities from what scimmy says', () => {
    const capabilities = client.capabilities
    expect(capabilities.patch).toBe(true)
    expect(capabilities.bulk).toEqual({ supported: true, maxOperations: 10, maxPayloadSize: 1_048_576 })
    expect(capabilities.etag).toBe(false)
    expect(capabilities.sort).toBe(true)
    expect(capabilities.filter).toMatchObject({
      supported: true,
      maxResults: SCIMMY_MAX_RESULTS,
      logical: true,
    })
    // No `pagination` in scimmy's config: filter.maxResults caps the page (RFC 7643 §5).
    expect(capabilities.pagination).toEqual({
      cursor: false,
      pageSize: SCIMMY_MAX_RESULTS,
      maxPageSize: SCIMMY_MAX_RESULTS,
      totalResultsReliable: true,
    })
  })
})

describe('users: create, get, replace, delete', () => {
  it('creates a user and reads back the same representation', async () => {
    const created = await client.users.create(
      user('bjensen', { name: { givenName: 'Barbara', familyName: 'Jensen' }, active: true }),
    )
    const id = idOf(created)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(created).toEqual({
      schemas: [SCHEMA.user],
      id,
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      active: true,
      meta: {
        resourceType: 'User',
        created: created.meta?.created,
        lastModified: created.meta?.created,
        location: `/scim/v2/Users/${id}`,
        version: WEAK_ETAG,
      },
    })
    expect(Date.parse(created.meta?.created ?? '')).not.toBeNaN()
    expect(await client.users.get(id)).toEqual(created)
  })

  it('replaces a user with PUT: attributes left out are cleared, created is kept', async () => {
    const created = await client.users.create(user('bjensen', { title: 'Engineer', nickName: 'Babs' }))
    const id = idOf(created)
    const current = await client.users.get(id)
    const { nickName: _dropped, ...kept } = current
    const replaced = await client.users.replace(id, { ...kept, title: 'Staff Engineer' })
    expect(replaced).toMatchObject({ id, userName: 'bjensen', title: 'Staff Engineer' })
    expect(replaced.nickName).toBeUndefined()
    expect(replaced.meta?.created).toBe(created.meta?.created)
    expect(await client.users.get(id)).toEqual(replaced)
    expect(seen((request) => request.method === 'PUT')).toEqual([`PUT /scim/v2/Users/${id}`])
    // The resource carried a meta.version (express's ETag), but scimmy says etag is unsupported.
    expect(current.meta?.version).toEqual(WEAK_ETAG)
    expect(server.requests.find((request) => request.method === 'PUT')?.headers['if-match']).toBeUndefined()
  })

  it('deletes a user; reading or deleting it again is a ScimNotFoundError', async () => {
    const id = idOf(await client.users.create(user('leaver')))
    await client.users.delete(id)
    await expect(client.users.get(id)).rejects.toBeInstanceOf(ScimNotFoundError)
    await expect(client.users.delete(id)).rejects.toMatchObject({ name: 'ScimNotFoundError', status: 404 })
    expect(await client.users.count()).toBe(0)
  })
})

describe('users: PATCH built with PatchBuilder', () => {
  let id: string

  beforeEach(async () => {
    id = idOf(
      await client.users.create(
        user('bjensen', {
          title: 'Engineer',
          displayName: 'Barbara Jensen',
          active: true,
          emails: [{ value: 'bjensen@home.example', type: 'home' }],
        }),
      ),
    )
  })

  it('replaces the title by path', async () => {
    const patched = await client.users.patch(
      id,
      new PatchBuilder().replace('title', 'Staff Engineer').build(),
    )
    expect(patched?.title).toBe('Staff Engineer')
    expect((await client.users.get(id)).title).toBe('Staff Engineer')
    expect(server.requests.find((request) => request.method === 'PATCH')?.body).toEqual({
      schemas: [MESSAGE.patchOp],
      Operations: [{ op: 'replace', path: 'title', value: 'Staff Engineer' }],
    })
  })

  it('adds an email, then changes it through the valuePath emails[type eq "work"].value', async () => {
    await client.users.patch(
      id,
      new PatchBuilder().add('emails', [{ value: 'bjensen@work.example', type: 'work' }]).build(),
    )
    expect((await client.users.get(id)).emails).toEqual([
      { value: 'bjensen@home.example', type: 'home' },
      { value: 'bjensen@work.example', type: 'work' },
    ])
    const path = valuePath('emails', where.eq('type', 'work'), 'value')
    const patched = await client.users.patch(
      id,
      new PatchBuilder().replace(path, 'barbara@work.example').build(),
    )
    expect(patched?.emails).toEqual([
      { value: 'bjensen@home.example', type: 'home' },
      { value: 'barbara@work.example', type: 'work' },
    ])
    expect(server.requests.at(-1)?.body).toMatchObject({
      Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'barbara@work.example' }],
    })
  })

  it('replaces single-valued attributes with a path-less replace', async () => {
    const patched = await client.users.patch(
      id,
      new PatchBuilder().replace(undefined, { displayName: 'Babs Jensen', title: 'Director' }).build(),
    )
    expect(patched).toMatchObject({ displayName: 'Babs Jensen', title: 'Director', userName: 'bjensen' })
  })

  it('deactivates with active false', async () => {
    const patched = await client.users.patch(id, new PatchBuilder().replace('active', false).build())
    expect(patched?.active).toBe(false)
    expect(await client.users.find(where.eq('active', false))).toEqual([expect.objectContaining({ id })])
  })

  it('gets undefined back when scimmy answers a PATCH that changes nothing with 204 (§3.5.2 allows it)', async () => {
    const before = await client.users.get(id)
    expect(
      await client.users.patch(id, new PatchBuilder().replace('title', 'Engineer').build()),
    ).toBeUndefined()
    expect(await client.users.get(id)).toEqual(before)
  })

  it('fails with 400 noTarget when a valuePath matches no value (§3.5.2.3)', async () => {
    const path = valuePath('emails', where.eq('type', 'other'), 'value')
    const failure = client.users.patch(id, new PatchBuilder().replace(path, 'x@example.com').build())
    await expect(failure).rejects.toBeInstanceOf(ScimResponseError)
    await expect(failure).rejects.toMatchObject({ status: 400, scimType: 'noTarget' })
  })

  it('falls back to GET + local apply + PUT when PATCH is switched off', async () => {
    const noPatch = await newClient({ overrides: { patch: false } })
    server.requests.length = 0
    const patched = await noPatch.users.patch(
      id,
      new PatchBuilder()
        .replace('title', 'Director')
        .add('emails', [{ value: 'bjensen@work.example', type: 'work' }])
        .build(),
    )
    expect(patched).toMatchObject({
      title: 'Director',
      emails: [
        { value: 'bjensen@home.example', type: 'home' },
        { value: 'bjensen@work.example', type: 'work' },
      ],
    })
    expect(seen()).toEqual([`GET /scim/v2/Users/${id}`, `PUT /scim/v2/Users/${id}`])
  })
})

describe('groups', () => {
  it('creates, reads, replaces and deletes a group', async () => {
    const created = await client.groups.create(group('Engineering'))
    const id = idOf(created)
    expect(created).toEqual({
      schemas: [SCHEMA.group],
      id,
      displayName: 'Engineering',
      meta: expect.objectContaining({ resourceType: 'Group', location: `/scim/v2/Groups/${id}` }),
    })
    expect(await client.groups.get(id)).toEqual(created)
    const replaced = await client.groups.replace(id, { ...created, displayName: 'R&D' })
    expect(replaced.displayName).toBe('R&D')
    await client.groups.delete(id)
    await expect(client.groups.get(id)).rejects.toBeInstanceOf(ScimNotFoundError)
  })

  it('adds members and removes them with filter-path operations', async () => {
    const [a, b, c] = await Promise.all(['ann', 'bob', 'cat'].map((name) => client.users.create(user(name))))
    const ids = [a, b, c].map((member) => idOf(member ?? {}))
    const groupId = idOf(await client.groups.create(group('Engineering')))
    await client.addGroupMembers(groupId, ids)
    expect((await client.groups.get(groupId)).members?.map((member) => member.value)).toEqual(ids)

    server.requests.length = 0
    await client.removeGroupMembers(groupId, [ids[1] ?? '', ids[2] ?? ''])
    expect(server.requests.map((request) => request.body)).toEqual([
      {
        schemas: [MESSAGE.patchOp],
        Operations: [
          { op: 'remove', path: `members[value eq "${ids[1]}"]` },
          { op: 'remove', path: `members[value eq "${ids[2]}"]` },
        ],
      },
    ])
    expect((await client.groups.get(groupId)).members).toEqual([{ value: ids[0] }])

    await client.removeGroupMembers(groupId, [ids[0] ?? ''])
    // The last member gone, `members` is unassigned and left out (RFC 7644 §3.5.2.2).
    expect((await client.groups.get(groupId)).members).toBeUndefined()
  })

  it('splits a large membership change into maxMembersPerPatch-sized PATCH requests', async () => {
    const chunked = await newClient({ overrides: { maxMembersPerPatch: 2 } })
    const ids: string[] = []
    for (const name of ['m1', 'm2', 'm3', 'm4', 'm5']) ids.push(idOf(await client.users.create(user(name))))
    const groupId = idOf(await client.groups.create(group('Big')))
    server.requests.length = 0
    await chunked.addGroupMembers(groupId, ids)
    expect(seen()).toEqual(Array(3).fill(`PATCH /scim/v2/Groups/${groupId}`))
    expect((await client.groups.get(groupId)).members?.map((member) => member.value)).toEqual(ids)
  })
})

describe('listing', () => {
  it('filters with where: eq, co, sw, ew, and, or, not, pr, valuePath, dateTime gt', async () => {
    await seedUsers(12)
    const find = async (filter: Parameters<typeof client.users.find>[0]) =>
      (await client.users.find(filter)).map((found) => found.userName)
    expect(await find(where.eq('userName', 'user07'))).toEqual(['user07'])
    expect(await find(where.co('userName', 'er1'))).toEqual(['user10', 'user11', 'user12'])
    expect(await find(where.sw('userName', 'user0'))).toHaveLength(9)
    expect(await find(where.ew('emails.value', '11@work.example'))).toEqual(['user11'])
    expect(await find(where.and(where.sw('userName', 'user0'), where.eq('title', 'Manager')))).toEqual([
      'user02',
      'user04',
      'user06',
      'user08',
    ])
    expect(await find(where.or(where.eq('userName', 'user01'), where.eq('userName', 'user12')))).toEqual([
      'user01',
      'user12',
    ])
    expect(
      await find(
        where.and(
          where.or(where.eq('userName', 'user01'), where.eq('userName', 'user02')),
          where.eq('title', 'Engineer'),
        ),
      ),
    ).toEqual(['user01'])
    expect(await find(where.and(where.not(where.eq('active', true)), where.present('title')))).toEqual([
      'user05',
      'user10',
    ])
    expect(
      await find(where.valuePath('emails', where.and(where.eq('type', 'work'), where.co('value', 'r03@')))),
    ).toEqual(['user03'])
    expect(
      await find(where.and(where.eq('userName', 'user02'), where.gt('meta.created', new Date(0)))),
    ).toEqual(['user02'])
    // Every filter went to scimmy: none was evaluated on the client.
    const listings = server.requests.filter((request) => request.method === 'GET')
    expect(listings).toHaveLength(10)
    expect(listings.every((request) => request.url.includes('filter='))).toBe(true)
    expect(seen((request) => request.method === 'GET')[1]).toBe(
      'GET /scim/v2/Users?filter=userName co "er1"&startIndex=1&count=50',
    )
  })

  it('pages through 35 users with a small page size, in order, one request per page', async () => {
    await seedUsers()
    server.requests.length = 0
    const names = await userNames(client.users.list({ pageSize: 10 }))
    expect(names).toEqual(Array.from({ length: 35 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`))
    expect(seen()).toEqual([
      'GET /scim/v2/Users?startIndex=1&count=10',
      'GET /scim/v2/Users?startIndex=11&count=10',
      'GET /scim/v2/Users?startIndex=21&count=10',
      'GET /scim/v2/Users?startIndex=31&count=10',
    ])
    const pages: number[] = []
    for await (const page of client.users.pages({ pageSize: 10 })) pages.push(page.resources.length)
    expect(pages).toEqual([10, 10, 10, 5])
  })

  it('caps the page size at filter.maxResults', async () => {
    await seedUsers(3)
    server.requests.length = 0
    expect(await userNames(client.users.list({ pageSize: 500 }))).toHaveLength(3)
    expect(seen()).toEqual([`GET /scim/v2/Users?startIndex=1&count=${SCIMMY_MAX_RESULTS}`])
  })

  it('pages through filtered results', async () => {
    await seedUsers()
    const names = await userNames(client.users.list({ filter: where.eq('title', 'Manager'), pageSize: 5 }))
    expect(names).toEqual(Array.from({ length: 17 }, (_, i) => `user${String(2 * (i + 1)).padStart(2, '0')}`))
  })

  it('counts with one count=0 request', async () => {
    await seedUsers()
    server.requests.length = 0
    expect(await client.users.count()).toBe(35)
    expect(await client.users.count(where.eq('active', false))).toBe(7)
    expect(
      await client.users.count(where.and(where.eq('title', 'Engineer'), where.sw('userName', 'user1'))),
    ).toBe(5)
    expect(seen()).toEqual([
      'GET /scim/v2/Users?count=0',
      'GET /scim/v2/Users?filter=active eq false&count=0',
      'GET /scim/v2/Users?filter=title eq "Engineer" and userName sw "user1"&count=0',
    ])
  })

  it('sorts by userName descending', async () => {
    await seedUsers(5)
    const names = await userNames(
      client.users.list({ sortBy: 'userName', sortOrder: 'descending', pageSize: 2 }),
    )
    expect(names).toEqual(['user05', 'user04', 'user03', 'user02', 'user01'])
  })

  it('searches with POST /.search when asked to', async () => {
    await seedUsers(6)
    const searching = await newClient({ overrides: { search: true } })
    server.requests.length = 0
    const names = await userNames(
      searching.users.list({
        filter: where.eq('title', 'Manager'),
        attributes: ['userName'],
        usePost: true,
        pageSize: 2,
      }),
    )
    expect(names).toEqual(['user02', 'user04', 'user06'])
    expect(server.requests.map((request) => [request.method, request.url, request.body])).toEqual([
      [
        'POST',
        '/scim/v2/Users/.search',
        {
          schemas: [MESSAGE.searchRequest],
          attributes: ['userName'],
          filter: 'title eq "Manager"',
          startIndex: 1,
          count: 2,
        },
      ],
      [
        'POST',
        '/scim/v2/Users/.search',
        {
          schemas: [MESSAGE.searchRequest],
          attributes: ['userName'],
          filter: 'title eq "Manager"',
          startIndex: 3,
          count: 2,
        },
      ],
    ])
  })

  it('selects attributes with attributes and excludedAttributes', async () => {
    const [first] = await seedUsers(2)
    const id = idOf(first ?? {})
    // scimmy leaves out `schemas` (and `meta`) once `attributes` is given: see DEVIATIONS.md.
    expect(await client.users.get(id, { attributes: ['userName'] })).toEqual({
      id,
      userName: 'user01',
      meta: { version: WEAK_ETAG },
    })
    const without = await client.users.get(id, { excludedAttributes: ['emails', 'title'] })
    expect(without).toMatchObject({ schemas: [SCHEMA.user], id, userName: 'user01', active: true })
    expect(without.emails).toBeUndefined()
    expect(without.title).toBeUndefined()
    const listed: ScimUser[] = []
    for await (const found of client.users.list({ attributes: ['userName', 'title'] })) listed.push(found)
    expect(listed.map(({ id: _id, meta: _meta, ...rest }) => rest)).toEqual([
      { userName: 'user01', title: 'Engineer' },
      { userName: 'user02', title: 'Manager' },
    ])
  })
})

describe('errors', () => {
  it('maps 404 to ScimNotFoundError for get, patch, replace and delete', async () => {
    const missing = '00000000-0000-4000-8000-000000000000'
    await expect(client.users.get(missing)).rejects.toMatchObject({ name: 'ScimNotFoundError', status: 404 })
    await expect(
      client.users.patch(missing, new PatchBuilder().replace('title', 'x').build()),
    ).rejects.toBeInstanceOf(ScimNotFoundError)
    await expect(client.users.replace(missing, user('ghost'))).rejects.toBeInstanceOf(ScimNotFoundError)
    await expect(client.groups.delete(missing)).rejects.toBeInstanceOf(ScimNotFoundError)
  })

  it('maps 409 uniqueness to ScimUniquenessError on create and on replace', async () => {
    await client.users.create(user('bjensen'))
    const other = await client.users.create(user('jsmith'))
    const duplicate = client.users.create(user('bjensen'))
    await expect(duplicate).rejects.toBeInstanceOf(ScimUniquenessError)
    await expect(duplicate).rejects.toMatchObject({ status: 409, scimType: 'uniqueness' })
    await expect(client.users.replace(idOf(other), { ...other, userName: 'bjensen' })).rejects.toBeInstanceOf(
      ScimUniquenessError,
    )
    // The create was not retried: a POST is only resent when the answer proves nothing was done.
    expect(seen((request) => request.method === 'POST')).toHaveLength(3)
  })

  it('maps 401 for a wrong token to ScimAuthenticationError, without retrying', async () => {
    const intruder = await newClient({ token: 'not-the-token', discover: false })
    const failure = intruder.users.list().next()
    await expect(failure).rejects.toBeInstanceOf(ScimAuthenticationError)
    await expect(failure).rejects.toMatchObject({ status: 401, detail: 'Invalid bearer token' })
    expect(seen()).toEqual(['GET /scim/v2/Users?startIndex=1&count=100'])
  })
})

describe('bulk', () => {
  it('creates a user and a group referencing it by bulkId, and reports a failed operation', async () => {
    await client.users.create(user('taken'))
    const results = await client.bulk([
      {
        method: 'POST',
        bulkId: 'grp',
        path: '/Groups',
        data: group('Bulk', { members: [{ value: 'bulkId:usr' }] }),
      },
      { method: 'POST', bulkId: 'usr', path: '/Users', data: user('bulky') },
      { method: 'POST', bulkId: 'dup', path: '/Users', data: user('taken') },
    ])
    expect(results.map((result) => result.status)).toEqual([201, 201, 409])
    const [grp, usr, dup] = results
    const userId = usr?.id ?? ''
    expect(usr?.location).toBe(`/scim/v2/Users/${userId}`)
    expect((await client.users.get(userId)).userName).toBe('bulky')
    expect((await client.groups.get(grp?.id ?? '')).members).toEqual([{ value: userId }])
    expect(dup?.error).toBeInstanceOf(ScimUniquenessError)
    expect(seen((request) => request.url.endsWith('/Bulk'))).toEqual(['POST /scim/v2/Bulk'])
  })
})

/**
 * Where scimmy departs from the RFC. Each test pins scimmy's actual behaviour, so a scimmy
 * release that fixes it fails here and DEVIATIONS.md gets updated with it.
 */
describe('scimmy deviations (DEVIATIONS.md)', () => {
  it('compares caseExact=false strings case-sensitively in filters (RFC 7644 §3.4.2.2)', async () => {
    await client.users.create(user('bjensen'))
    expect(await client.users.find(where.eq('userName', 'BJensen'))).toEqual([])
    expect(await client.users.find(where.eq('userName', 'bjensen'))).toHaveLength(1)
    // Its uniqueness check (the test server's, as RFC 7643 §4.1.1 wants) is case-insensitive.
    await expect(client.users.create(user('BJensen'))).rejects.toBeInstanceOf(ScimUniquenessError)
  })

  it('refuses a JSON-escaped quote in a filter string (RFC 7644 §3.4.2.2 compValue is a JSON string)', async () => {
    await client.users.create(user('o"brien'))
    const failure = client.users.find(where.eq('userName', 'o"brien'))
    await expect(failure).rejects.toMatchObject({
      name: 'ScimResponseError',
      status: 400,
      scimType: 'invalidFilter',
    })
    expect(seen((request) => request.method === 'GET')).toEqual([
      'GET /scim/v2/Users?filter=userName eq "o\\"brien"&startIndex=1&count=50',
    ])
  })

  it('appends to a multi-valued attribute on a path-less replace (RFC 7644 §3.5.2.3)', async () => {
    const id = idOf(
      await client.users.create(user('bjensen', { emails: [{ value: 'old@example.com', type: 'work' }] })),
    )
    const patched = await client.users.patch(
      id,
      new PatchBuilder().replace(undefined, { emails: [{ value: 'new@example.com', type: 'work' }] }).build(),
    )
    // The RFC result is [new@example.com] alone.
    expect(patched?.emails).toEqual([
      { value: 'old@example.com', type: 'work' },
      { value: 'new@example.com', type: 'work' },
    ])
    // With a path, replace swaps the whole attribute as the RFC says.
    const byPath = await client.users.patch(
      id,
      new PatchBuilder().replace('emails', [{ value: 'new@example.com', type: 'work' }]).build(),
    )
    expect(byPath?.emails).toEqual([{ value: 'new@example.com', type: 'work' }])
  })

  it('adds a member already in the group a second time (RFC 7644 §3.5.2.1)', async () => {
    const userId = idOf(await client.users.create(user('ann')))
    const groupId = idOf(await client.groups.create(group('Engineering')))
    await client.addGroupMembers(groupId, [userId])
    await client.addGroupMembers(groupId, [userId])
    expect((await client.groups.get(groupId)).members).toEqual([{ value: userId }, { value: userId }])
    // One filter-path remove takes out every copy.
    await client.removeGroupMembers(groupId, [userId])
    expect((await client.groups.get(groupId)).members).toBeUndefined()
  })

  it('accepts removing a member that is not there instead of 400 noTarget (RFC 7644 §3.12)', async () => {
    const userId = idOf(await client.users.create(user('ann')))
    const groupId = idOf(await client.groups.create(group('Engineering', { members: [{ value: userId }] })))
    await expect(
      client.removeGroupMembers(groupId, ['00000000-0000-4000-8000-000000000000']),
    ).resolves.toBeUndefined()
    expect((await client.groups.get(groupId)).members).toEqual([{ value: userId }])
  })

  it('applies excludedAttributes of a PATCH to the stored resource, losing the members (RFC 7644 §3.9)', async () => {
    const ann = idOf(await client.users.create(user('ann')))
    const bob = idOf(await client.users.create(user('bob')))
    const groupId = idOf(await client.groups.create(group('Engineering', { members: [{ value: ann }] })))
    const answer = await client.transport.request({
      method: 'PATCH',
      path: `/Groups/${groupId}`,
      query: { excludedAttributes: 'members' },
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: bob }] }],
      },
    })
    expect(answer.status).toBe(204)
    // §3.9 selects what the answer shows; scimmy reads the group without its members, adds, stores.
    expect((await client.groups.get(groupId)).members).toEqual([{ value: bob }])
  })

  it('restarts from the first result when startIndex is past the end (RFC 7644 §3.4.2.4)', async () => {
    await seedUsers(12)
    const response = await client.transport.request({
      method: 'GET',
      path: '/Users',
      query: { attributes: 'userName', startIndex: 13, count: 2 },
    })
    expect(response.body).toMatchObject({ totalResults: 12, startIndex: 13, itemsPerPage: 2 })
    expect((response.body as { Resources: ScimUser[] }).Resources.map((found) => found.userName)).toEqual([
      'user01',
      'user02',
    ])
  })

  it('lists every user once when totalResults is not trusted and the last page is full', async () => {
    await seedUsers(30)
    // Not trusting totalResults, the client asks past the end after the full third page; scimmy
    // then starts over from user01, which the client must recognise as the end of the list.
    const distrustful = await newClient({ overrides: { pagination: { totalResultsReliable: false } } })
    server.requests.length = 0
    const names = await userNames(distrustful.users.list({ pageSize: 10 }))
    expect(names).toEqual(Array.from({ length: 30 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`))
    expect(seen()).toEqual([
      'GET /scim/v2/Users?startIndex=1&count=10',
      'GET /scim/v2/Users?startIndex=11&count=10',
      'GET /scim/v2/Users?startIndex=21&count=10',
      'GET /scim/v2/Users?startIndex=31&count=10',
    ])
    // One full page: what comes back for startIndex 31 is that same page, and still the end.
    server.requests.length = 0
    expect(await userNames(distrustful.users.list({ pageSize: 30 }))).toHaveLength(30)
    expect(seen()).toEqual([
      'GET /scim/v2/Users?startIndex=1&count=30',
      'GET /scim/v2/Users?startIndex=31&count=30',
    ])
  })

  it('ignores startIndex and count when scimmy-routers 1.3.2 runs on express 5; the client stops with an error', async () => {
    const broken = await startScimmyServer({ castPagingParameters: false })
    const brokenClient = new ScimClient({ baseUrl: broken.url, auth: { bearer: SCIMMY_TOKEN } })
    try {
      for (let i = 1; i <= 25; i += 1) await brokenClient.users.create(user(`u${String(i).padStart(2, '0')}`))
      const names: string[] = []
      const listing = (async () => {
        for await (const found of brokenClient.users.list({ pageSize: 10 })) names.push(found.userName ?? '?')
      })()
      await expect(listing).rejects.toThrow(/same page again for startIndex 21/)
      // Asked for 10, scimmy's default page of 20 came back (RFC 7644 §3.4.2.4: MUST NOT exceed count).
      expect(names).toHaveLength(20)
      expect(
        broken.requests.filter((request) => request.method === 'GET').map((request) => request.url),
      ).toEqual(['/scim/v2/Users?startIndex=1&count=10', '/scim/v2/Users?startIndex=21&count=10'])
    } finally {
      await brokenClient.close()
      await broken.close()
    }
  })

  it('reports the requested count as itemsPerPage on a short page (RFC 7644 §3.4.2)', async () => {
    await seedUsers(3)
    const response = await client.transport.request({ method: 'GET', path: '/Users', query: { count: 10 } })
    expect(response.body).toMatchObject({ totalResults: 3, itemsPerPage: 10 })
    expect((response.body as { Resources: unknown[] }).Resources).toHaveLength(3)
  })

  it('refuses count=0 in a POST /.search (RFC 7644 §3.4.3 takes the §3.4.2.4 parameters, where 0 is valid)', async () => {
    await seedUsers(2)
    const search = client.transport.request({
      method: 'POST',
      path: '/Users/.search',
      body: { schemas: [MESSAGE.searchRequest], count: 0 },
      idempotent: true,
    })
    await expect(search).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' })
    // GET takes it, and that is what count() sends.
    expect(await client.users.count()).toBe(2)
  })

  it('sends no Location header on 201 Created (RFC 7644 §3.3) and none with 401 (RFC 6750 §3)', async () => {
    const created = await client.transport.request({ method: 'POST', path: '/Users', body: user('bjensen') })
    expect(created.status).toBe(201)
    expect(created.location).toBeUndefined()
    expect((created.body as ScimUser).meta?.location).toBe(`/scim/v2/Users/${idOf(created.body as ScimUser)}`)
    const unauthorised = await fetch(`${server.url}/Users`, { headers: { authorization: 'Bearer wrong' } })
    expect(unauthorised.status).toBe(401)
    expect(unauthorised.headers.get('www-authenticate')).toBeNull()
  })
})
