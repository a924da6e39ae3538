import { describe, expect, it } from 'vitest'
import { seededUser } from '../../../src/sandbox/index.ts'
import { ScimUnsupportedError } from '../../../src/scim/errors.ts'
import { where } from '../../../src/scim/filter/filter-builder.ts'
import type { ScimResource, ScimUser } from '../../../src/scim/resources.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import { collect, rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'

const fx = scimFixtures()
const SEEDED = 60
const ENTERPRISE = SCHEMA.enterpriseUser

/** Seeded user numbers 1..SEEDED whose attributes pass `test`, as userNames in seeding order. */
function seededWhere(test: (user: ScimUser, n: number) => boolean): string[] {
  const names: string[] = []
  for (let n = 1; n <= SEEDED; n++) {
    const user = seededUser(n) as ScimUser
    if (test(user, n)) names.push(String(user.userName))
  }
  return names
}

const userNames = (users: readonly ScimResource[]): string[] => users.map((u) => String(u.userName))

async function seeded(options: { discover?: boolean; maxResults?: number } = {}) {
  const sandbox = await fx.sandbox({
    seedUsers: SEEDED,
    ...(options.maxResults === undefined ? {} : { maxResults: options.maxResults }),
  })
  const proxy = await fx.proxy(sandbox.url)
  const client = fx.client(proxy.url)
  if (options.discover !== false) await client.discover()
  proxy.requests.length = 0
  return { sandbox, proxy, client }
}

describe('filters built with where', () => {
  it('return exactly the seeded users each filter describes', async () => {
    const { client } = await seeded()
    const cases: Array<[string, Parameters<typeof client.users.find>[0], string[]]> = [
      ['eq', where.eq('title', 'Manager'), seededWhere((u) => u.title === 'Manager')],
      ['eq on a boolean', where.eq('active', false), seededWhere((u) => u.active === false)],
      [
        'co',
        where.co('displayName', 'müller'),
        seededWhere((u) => String(u.displayName).toLowerCase().includes('müller')),
      ],
      ['sw', where.sw('userName', 'user1'), seededWhere((u) => String(u.userName).startsWith('user1'))],
      [
        'and',
        where.and(where.eq('title', 'Engineer'), where.eq('userType', 'Employee')),
        seededWhere((u) => u.title === 'Engineer' && u.userType === 'Employee'),
      ],
      [
        'or',
        where.or(where.eq('userName', 'user7@example.com'), where.sw('name.givenName', 'Em')),
        seededWhere((u) => u.userName === 'user7@example.com' || String(u.name?.givenName).startsWith('Em')),
      ],
      [
        'not',
        where.and(where.not(where.eq('active', true)), where.sw('userName', 'user5')),
        seededWhere((u) => u.active !== true && String(u.userName).startsWith('user5')),
      ],
      [
        'valuePath',
        where.valuePath('emails', where.and(where.eq('type', 'work'), where.sw('value', 'user2'))),
        seededWhere((u) => String(u.userName).startsWith('user2')),
      ],
      [
        'extension attribute',
        where.eq(`${ENTERPRISE}:department`, 'Legal'),
        seededWhere((u) => (u[ENTERPRISE] as { department: string }).department === 'Legal'),
      ],
    ]
    for (const [name, filter, expected] of cases) {
      expect(expected.length, `${name} must select something`).toBeGreaterThan(0)
      expect(expected.length, `${name} must not select everything`).toBeLessThan(SEEDED)
      expect(userNames(await client.users.find(filter)), name).toEqual(expected)
    }
  })

  it('finds a value with quotes and backslashes by eq, and such a value cannot inject filter syntax', async () => {
    const { client } = await seeded()
    const tricky = 'o"brien\\x'
    await client.users.create({ schemas: [SCHEMA.user], userName: tricky })
    await client.users.create({ schemas: [SCHEMA.user], userName: 'o"brien' })
    await client.users.create({ schemas: [SCHEMA.user], userName: 'obrien\\x' })

    expect(userNames(await client.users.find(where.eq('userName', tricky)))).toEqual([tricky])
    expect(userNames(await client.users.find(where.co('userName', '"brien\\')))).toEqual([tricky])
    for (const attack of [
      'x" or userName pr or userName eq "x',
      'x\\" or userName pr or userName eq \\"x',
      '") or (userName pr',
    ]) {
      expect(await client.users.find(where.eq('userName', attack)), attack).toEqual([])
    }
  })

  it('returns only the attributes asked for, or all but the excluded ones', async () => {
    const { client } = await seeded()

    const [slim] = await client.users.find(where.eq('userName', 'user3@example.com'), {
      attributes: ['userName', 'name.givenName'],
    })
    const [trimmed] = await client.users.find(where.eq('userName', 'user3@example.com'), {
      excludedAttributes: ['emails', 'phoneNumbers', ENTERPRISE],
    })

    expect(Object.keys(slim ?? {}).sort()).toEqual(['id', 'name', 'schemas', 'userName'])
    expect(slim?.name).toEqual({ givenName: (seededUser(3) as ScimUser).name?.givenName })
    expect(trimmed?.emails).toBeUndefined()
    expect(trimmed?.phoneNumbers).toBeUndefined()
    expect(trimmed?.[ENTERPRISE]).toBeUndefined()
    expect(trimmed?.title).toBe((seededUser(3) as ScimUser).title)
    expect(trimmed?.meta?.version).toBe('W/"1"')
  })
})

describe('sorting', () => {
  it('sorts across pages when the target supports sorting', async () => {
    const { proxy, client } = await seeded()
    const key = (u: ScimUser): string => String(u.name?.givenName).toLowerCase()
    const expected = Array.from({ length: SEEDED }, (_, i) => seededUser(i + 1) as ScimUser)
      .sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0))
      .map((u) => String(u.userName))

    const users = await collect(
      client.users.list({ sortBy: 'name.givenName', sortOrder: 'descending', pageSize: 8 }),
    )

    expect(userNames(users)).toEqual(expected)
    expect(proxy.requests[0]?.query.get('sortBy')).toBe('name.givenName')
    expect(proxy.requests[0]?.query.get('sortOrder')).toBe('descending')
  })

  it('does not send sortBy to a target without sorting, and lists in the target order', async () => {
    const sandbox = await fx.sandbox({ seedUsers: 12 })
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url, { overrides: { sort: false } })
    await client.discover()

    const users = await collect(client.users.list({ sortBy: 'userName', sortOrder: 'descending' }))

    expect(userNames(users)).toEqual(Array.from({ length: 12 }, (_, i) => `user${i + 1}@example.com`))
    expect(proxy.to('/Users').map((r) => [r.query.get('sortBy'), r.query.get('sortOrder')])).toEqual([
      [null, null],
    ])
  })
})

describe('index pagination', () => {
  it('walks every page when pageSize is smaller than the total, one request per page', async () => {
    const sandbox = await fx.sandbox({ seedUsers: SEEDED })
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url)

    const pages = await collect(client.users.pages({ pageSize: 7 }))

    expect(pages.map((p) => p.startIndex)).toEqual([1, 8, 15, 22, 29, 36, 43, 50, 57])
    expect(pages.map((p) => p.resources.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4])
    expect(userNames(pages.flatMap((p) => p.resources))).toEqual(seededWhere(() => true))
    expect(proxy.requests.map((r) => [r.query.get('startIndex'), r.query.get('count')])).toEqual(
      [1, 8, 15, 22, 29, 36, 43, 50, 57].map((start) => [String(start), '7']),
    )
  })

  it('honours a server page cap smaller than the page size asked for', async () => {
    // Without discovery the client does not know the cap: it asks for 25 and gets 10 per page.
    const { proxy, client } = await seeded({ discover: false, maxResults: 10 })

    const users = await collect(client.users.list({ pageSize: 25 }))

    expect(userNames(users)).toEqual(seededWhere(() => true))
    expect(proxy.requests.map((r) => [r.query.get('startIndex'), r.query.get('count')])).toEqual(
      [1, 11, 21, 31, 41, 51].map((start) => [String(start), '25']),
    )
  })

  it('asks for no more than the discovered page cap', async () => {
    const sandbox = await fx.sandbox({ seedUsers: SEEDED, maxResults: 10 })
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url, { overrides: { pagination: { cursor: false } } })
    await client.discover()
    proxy.requests.length = 0

    const users = await collect(client.users.list({ pageSize: 25 }))

    expect(users).toHaveLength(SEEDED)
    expect(proxy.requests.map((r) => r.query.get('count'))).toEqual(Array(6).fill('10'))
  })
})

describe('cursor pagination (RFC 9865)', () => {
  it('pages by cursor when the capabilities say cursor, sending no startIndex', async () => {
    const { proxy, client } = await seeded()
    expect(client.capabilities.pagination.cursor).toBe(true)

    const users = await collect(client.users.list({ pageSize: 7 }))

    expect(userNames(users)).toEqual(seededWhere(() => true))
    expect(proxy.requests).toHaveLength(9)
    expect(proxy.requests.every((r) => !r.query.has('startIndex'))).toBe(true)
    expect(proxy.requests[0]?.query.get('cursor')).toBe('')
    const cursors = proxy.requests.slice(1).map((r) => r.query.get('cursor'))
    expect(new Set(cursors).size).toBe(8)
    expect(cursors.every((c) => c !== null && c.length > 0)).toBe(true)
  })

  it('neither skips nor repeats when a user served earlier is deleted mid-listing', async () => {
    const { client } = await seeded()
    const seen: string[] = []

    for await (const user of client.users.list({ pageSize: 10 })) {
      seen.push(String(user.userName))
      if (seen.length === 5) await client.users.delete(String(user.id))
    }

    expect(seen).toEqual(seededWhere(() => true))
  })

  it('keeps filter and sort on every cursor request', async () => {
    const { proxy, client } = await seeded()
    const filter = where.eq('userType', 'Employee')

    const users = await collect(client.users.list({ filter, sortBy: 'userName', pageSize: 10 }))

    expect(userNames(users)).toEqual(seededWhere((u) => u.userType === 'Employee').sort())
    expect(new Set(proxy.requests.map((r) => `${r.query.get('filter')}|${r.query.get('sortBy')}`))).toEqual(
      new Set(['userType eq "Employee"|userName']),
    )
  })
})

describe('POST /.search', () => {
  it('sends the query in a SearchRequest body when usePost is set, never as GET', async () => {
    const sandbox = await fx.sandbox({ seedUsers: SEEDED })
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url, { overrides: { search: true } })
    await client.discover()
    proxy.requests.length = 0
    const before = sandbox.requestCount()

    const users = await collect(
      client.users.list({
        filter: where.sw('userName', 'user1'),
        attributes: ['userName'],
        pageSize: 4,
        usePost: true,
      }),
    )

    expect(userNames(users)).toEqual(seededWhere((u) => String(u.userName).startsWith('user1')))
    expect(sandbox.requestCount() - before).toBe(3)
    expect(proxy.requests.map((r) => `${r.method} ${r.url}`)).toEqual(
      Array(3).fill('POST /scim/v2/Users/.search'),
    )
    const first = JSON.parse(proxy.requests[0]?.body ?? '{}') as Record<string, unknown>
    expect(first).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['userName'],
      filter: 'userName sw "user1"',
      cursor: '',
      count: 4,
    })
  })

  it('refuses usePost with ScimUnsupportedError on a target without search, sending nothing', async () => {
    const { proxy, client } = await seeded()
    expect(client.capabilities.search).toBe(false)

    const error = await rejectionOf(
      collect(client.users.list({ filter: where.eq('userName', 'secret@example.com'), usePost: true })),
    )

    expect(error).toBeInstanceOf(ScimUnsupportedError)
    expect((error as ScimUnsupportedError).message).toContain('/Users/.search')
    expect(proxy.requests).toEqual([])
  })
})

describe('count(filter)', () => {
  it('counts matching users with one count=0 request', async () => {
    const { proxy, client } = await seeded()

    expect(await client.users.count(where.eq('active', false))).toBe(
      seededWhere((u) => u.active === false).length,
    )
    expect(await client.users.count()).toBe(SEEDED)
    expect(await client.users.count(where.eq('userName', 'nobody@example.com'))).toBe(0)
    expect(proxy.requests.map((r) => [r.query.get('filter'), r.query.get('count')])).toEqual([
      ['active eq false', '0'],
      [null, '0'],
      ['userName eq "nobody@example.com"', '0'],
    ])
  })
})
