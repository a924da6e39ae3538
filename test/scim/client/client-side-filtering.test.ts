import { describe, expect, it } from 'vitest'
import { seededUser } from '../../../src/sandbox/index.ts'
import type { Filter } from '../../../src/scim/filter/filter-ast.ts'
import { where } from '../../../src/scim/filter/filter-builder.ts'
import type { ScimResource, ScimUser } from '../../../src/scim/resources.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import { collect, scimFixtures } from '../../support/scim-client-fixtures.ts'

const fx = scimFixtures()
const SEEDED = 40

const userNames = (users: readonly ScimResource[]): string[] => users.map((u) => String(u.userName))

function seededWhere(test: (user: ScimUser) => boolean): string[] {
  const names: string[] = []
  for (let n = 1; n <= SEEDED; n++) {
    const user = seededUser(n) as ScimUser
    if (test(user)) names.push(String(user.userName))
  }
  return names
}

/** A sandbox, a recording proxy, and a client that believes the target evaluates only `eq`, uncombined. */
async function eqOnlyTarget() {
  const sandbox = await fx.sandbox({ seedUsers: SEEDED })
  const proxy = await fx.proxy(sandbox.url)
  const client = fx.client(proxy.url, {
    overrides: { filter: { operators: ['eq'], logical: false }, pagination: { cursor: false } },
  })
  await client.discover()
  // The server-side reference: the same sandbox, evaluating everything.
  const reference = fx.client(sandbox.url)
  await reference.discover()
  proxy.requests.length = 0
  return { sandbox, proxy, client, reference }
}

describe('filters the target cannot evaluate', () => {
  it('are applied on the client, with no filter parameter sent, giving the server result', async () => {
    const { proxy, client, reference } = await eqOnlyTarget()
    const cases: Array<[string, Filter, string[]]> = [
      [
        'co',
        where.co('displayName', 'an'),
        seededWhere((u) => String(u.displayName).toLowerCase().includes('an')),
      ],
      ['sw', where.sw('userName', 'user3'), seededWhere((u) => String(u.userName).startsWith('user3'))],
      [
        'and of two eq',
        where.and(where.eq('title', 'Manager'), where.eq('active', true)),
        seededWhere((u) => u.title === 'Manager' && u.active === true),
      ],
      [
        'or',
        where.or(where.eq('userName', 'user4@example.com'), where.eq('userName', 'USER9@example.com')),
        ['user4@example.com', 'user9@example.com'],
      ],
      ['not', where.not(where.eq('userType', 'Employee')), seededWhere((u) => u.userType !== 'Employee')],
      [
        'valuePath',
        where.valuePath('emails', where.and(where.eq('type', 'work'), where.ew('value', '7@example.com'))),
        seededWhere((u) => String(u.userName).endsWith('7@example.com')),
      ],
      ['pr', where.present('title'), seededWhere(() => true)],
    ]
    for (const [name, filter, expected] of cases) {
      proxy.requests.length = 0
      const local = userNames(await collect(client.users.list({ filter, pageSize: 15 })))
      expect(local, name).toEqual(expected)
      expect(local, `${name} as the server evaluates it`).toEqual(
        userNames(await reference.users.find(filter)),
      )
      expect(
        proxy.requests.map((r) => r.query.get('filter')),
        `${name} sends no filter`,
      ).toEqual([null, null, null])
    }
  })

  it('still sends a filter the target can evaluate', async () => {
    const { proxy, client } = await eqOnlyTarget()

    const users = await client.users.find(where.eq('title', 'Director'))

    expect(userNames(users)).toEqual(seededWhere((u) => u.title === 'Director'))
    expect(proxy.requests.map((r) => r.query.get('filter'))).toEqual(['title eq "Director"'])
  })

  it('compares like the server: case-exact attributes stay case-exact', async () => {
    const { client, reference } = await eqOnlyTarget()
    await client.users.create({
      schemas: [SCHEMA.user],
      userName: 'upper@example.com',
      externalId: 'EXT-abc',
    })
    await client.users.create({
      schemas: [SCHEMA.user],
      userName: 'lower@example.com',
      externalId: 'ext-abc',
    })
    const filter = where.sw('externalId', 'ext-')

    const local = userNames(await client.users.find(filter))

    expect(local).toEqual(['lower@example.com'])
    expect(local).toEqual(userNames(await reference.users.find(filter)))
  })

  it('asks the target for the attributes a local filter needs, even when the caller selects others', async () => {
    const { proxy, client } = await eqOnlyTarget()

    const users = await client.users.find(where.co('title', 'engineer'), { attributes: ['userName'] })

    expect(userNames(users)).toEqual(seededWhere((u) => String(u.title).toLowerCase().includes('engineer')))
    expect(proxy.requests[0]?.query.get('attributes')).toBe('userName,title')
  })

  it('does not exclude the attributes a local filter needs', async () => {
    const { proxy, client } = await eqOnlyTarget()

    const users = await client.users.find(where.co('title', 'senior'), {
      excludedAttributes: ['title', 'emails'],
    })

    expect(userNames(users)).toEqual(seededWhere((u) => String(u.title).toLowerCase().includes('senior')))
    expect(proxy.requests[0]?.query.get('excludedAttributes')).toBe('emails')
  })

  it('counts with a local filter when the target cannot evaluate it', async () => {
    const { client } = await eqOnlyTarget()

    expect(await client.users.count(where.sw('userName', 'user2'))).toBe(
      seededWhere((u) => String(u.userName).startsWith('user2')).length,
    )
  })

  it('filters everything locally on a target without filter support', async () => {
    const sandbox = await fx.sandbox({ seedUsers: SEEDED })
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url, { overrides: { filter: { supported: false } } })
    await client.discover()
    proxy.requests.length = 0

    const users = await client.users.find(where.eq('userName', 'user12@example.com'))

    expect(userNames(users)).toEqual(['user12@example.com'])
    expect(proxy.requests.every((r) => !r.query.has('filter'))).toBe(true)
  })
})
