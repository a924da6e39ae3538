import { describe, expect, it } from 'vitest'
import type { MemberRemovalStyle } from '../../../src/scim/capabilities.ts'
import { ScimUnsupportedError, ScimVersionConflictError } from '../../../src/scim/errors.ts'
import { where } from '../../../src/scim/filter/filter-builder.ts'
import { PatchBuilder, valuePath } from '../../../src/scim/patch-builder.ts'
import type { PatchOperation, ScimResource, ScimUser } from '../../../src/scim/resources.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import type { ScimClient, ScimClientOptions } from '../../../src/scim/scim-client.ts'
import { rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'
import type { ProxyOptions, RecordedRequest } from '../../support/scim-servers.ts'

const fx = scimFixtures()

async function target(client: Partial<ScimClientOptions> = {}, proxyOptions: ProxyOptions = {}) {
  const sandbox = await fx.sandbox()
  const proxy = await fx.proxy(sandbox.url, proxyOptions)
  const scim = fx.client(proxy.url, client)
  await scim.discover()
  // A second client straight to the sandbox, for arranging and inspecting state.
  const direct = fx.client(sandbox.url)
  await direct.discover()
  proxy.requests.length = 0
  return { sandbox, proxy, client: scim, direct }
}

function ada(userName: string): ScimUser {
  return {
    schemas: [SCHEMA.user],
    userName,
    nickName: 'Ada',
    title: 'Analyst',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [
      { value: 'ada@work.example', type: 'work', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
  }
}

/** The operations exercised on users: attribute paths, value paths with and without sub-attribute, path-less. */
function everyPathForm(): PatchOperation[] {
  return new PatchBuilder()
    .replace('name.givenName', 'Augusta')
    .replace(valuePath('emails', where.eq('type', 'work'), 'value'), 'countess@work.example')
    .remove(valuePath('emails', where.eq('type', 'home')))
    .add('phoneNumbers', [{ value: '+44 20 7946 0000', type: 'mobile' }])
    .remove('nickName')
    .replace(undefined, { title: 'Countess', displayName: 'Ada King' })
    .build()
}

const PATCHED_ATTRIBUTES = {
  title: 'Countess',
  displayName: 'Ada King',
  name: { givenName: 'Augusta', familyName: 'Lovelace' },
  emails: [{ value: 'countess@work.example', type: 'work', primary: true }],
  phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }],
}

function changeableAttributes(user: ScimResource): Record<string, unknown> {
  const { id: _id, meta: _meta, userName: _userName, groups: _groups, schemas: _schemas, ...rest } = user
  return rest
}

/** The member ids of a group as the sandbox stores it. */
function memberIds(group: ScimResource | undefined): string[] {
  return ((group?.members ?? []) as Array<{ value: string }>).map((m) => m.value)
}

const operationsSent = (request: RecordedRequest | undefined): unknown =>
  (JSON.parse(request?.body ?? '{}') as Record<string, unknown>).Operations

describe('PatchBuilder operations against the sandbox', () => {
  it('applies attribute paths, value paths with sub-attribute, and path-less values', async () => {
    const { sandbox, proxy, client } = await target()
    const created = await client.users.create(ada('ada@example.com'))

    const patched = await client.users.patch(created.id!, everyPathForm())

    expect(operationsSent(proxy.to(`/Users/${created.id}`, 'PATCH')[0])).toEqual([
      { op: 'replace', path: 'name.givenName', value: 'Augusta' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'countess@work.example' },
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'add', path: 'phoneNumbers', value: [{ value: '+44 20 7946 0000', type: 'mobile' }] },
      { op: 'remove', path: 'nickName' },
      { op: 'replace', value: { title: 'Countess', displayName: 'Ada King' } },
    ])
    expect(changeableAttributes(patched!)).toEqual(PATCHED_ATTRIBUTES)
    expect(changeableAttributes(sandbox.users()[0]!)).toEqual(PATCHED_ATTRIBUTES)
  })

  it('escapes values inside value paths so they stay values', async () => {
    const { sandbox, proxy, client } = await target()
    const created = await client.users.create({
      schemas: [SCHEMA.user],
      userName: 'quote@example.com',
      emails: [
        { value: 'a@example.com', type: 'we"ird\\' },
        { value: 'b@example.com', type: 'work' },
      ],
    })

    await client.users.patch(
      created.id!,
      new PatchBuilder().remove(valuePath('emails', where.eq('type', 'we"ird\\'))).build(),
    )

    expect(operationsSent(proxy.to(`/Users/${created.id}`, 'PATCH')[0])).toEqual([
      { op: 'remove', path: 'emails[type eq "we\\"ird\\\\"]' },
    ])
    expect(sandbox.users()[0]?.emails).toEqual([{ value: 'b@example.com', type: 'work' }])
  })
})

describe('PATCH wire shape from the capabilities', () => {
  it("sends capitalized op names with patchOpCasing 'capitalized'", async () => {
    const { sandbox, proxy, client } = await target({ overrides: { patchOpCasing: 'capitalized' } })
    const created = await client.users.create(ada('caps@example.com'))

    await client.users.patch(created.id!, everyPathForm())

    const sent = operationsSent(proxy.to(`/Users/${created.id}`, 'PATCH')[0]) as Array<{ op: string }>
    expect(sent.map((o) => o.op)).toEqual(['Replace', 'Replace', 'Remove', 'Add', 'Remove', 'Replace'])
    expect(changeableAttributes(sandbox.users()[0]!)).toEqual(PATCHED_ATTRIBUTES)
  })

  it("names the operations array 'operations' with patchOperationsKey 'operations'", async () => {
    // The proxy stands for a target that wants lower-case `operations`: it renames the key for the sandbox.
    const { sandbox, proxy, client } = await target(
      { overrides: { patchOperationsKey: 'operations' } },
      {
        rewriteBody: (seen) =>
          seen.method === 'PATCH' ? seen.body.replace('"operations":', '"Operations":') : seen.body,
      },
    )
    const created = await client.users.create(ada('lower@example.com'))

    await client.users.patch(created.id!, new PatchBuilder().replace('title', 'Engineer').build())

    const body = JSON.parse(proxy.to(`/Users/${created.id}`, 'PATCH')[0]?.body ?? '{}') as Record<
      string,
      unknown
    >
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
    })
    expect(sandbox.users()[0]?.title).toBe('Engineer')
  })
})

describe('group membership in each removal style', () => {
  async function groupWithMembers(direct: ScimClient, users: number, members: number) {
    const ids: string[] = []
    for (let n = 1; n <= users; n++) {
      ids.push((await direct.users.create({ schemas: [SCHEMA.user], userName: `m${n}@example.com` })).id!)
    }
    const group = await direct.groups.create({
      schemas: [SCHEMA.group],
      displayName: 'Team',
      members: ids.slice(0, members).map((value) => ({ value })),
    })
    return { ids, groupId: group.id! }
  }

  const cases: Array<[MemberRemovalStyle, number, unknown]> = [
    [
      'filter-path',
      2,
      { op: 'remove', path: expect.stringMatching(/^members\[value eq "[0-9a-f-]{36}"\]$/) },
    ],
    ['value-list', 2, { op: 'remove', path: 'members', value: expect.any(Array) }],
    ['replace-all', 1, { op: 'replace', path: 'members', value: expect.any(Array) }],
  ]
  for (const [style, removalPatches, shape] of cases) {
    it(`adds and removes members with '${style}', chunked by maxMembersPerPatch`, async () => {
      const { sandbox, proxy, client, direct } = await target({
        overrides: { memberRemoval: style, maxMembersPerPatch: 2 },
      })
      const { ids, groupId } = await groupWithMembers(direct, 7, 4)
      const [u1, u2, u3, u4, u5, u6, u7] = ids as [string, string, string, string, string, string, string]

      await client.addGroupMembers(groupId, [u5, u6, u7])
      const adds = proxy.to(`/Groups/${groupId}`, 'PATCH')
      expect(adds.map((r) => operationsSent(r))).toEqual([
        [{ op: 'add', path: 'members', value: [{ value: u5 }, { value: u6 }] }],
        [{ op: 'add', path: 'members', value: [{ value: u7 }] }],
      ])
      proxy.requests.length = 0

      await client.removeGroupMembers(groupId, [u2, u4, u6])

      const patches = proxy.to(`/Groups/${groupId}`, 'PATCH')
      expect(patches).toHaveLength(removalPatches)
      expect(proxy.to(`/Groups/${groupId}`, 'GET')).toHaveLength(style === 'replace-all' ? 1 : 0)
      for (const patch of patches) {
        for (const operation of operationsSent(patch) as unknown[]) expect(operation).toEqual(shape)
      }
      if (style === 'filter-path') {
        expect(patches.map((p) => (operationsSent(p) as unknown[]).length)).toEqual([2, 1])
      }
      const members = memberIds(sandbox.groups()[0])
      expect(members.sort()).toEqual([u1, u3, u5, u7].sort())
    })
  }

  it("sends If-Match with 'replace-all', so a member added meanwhile is not silently dropped", async () => {
    let groupId = ''
    let sneakIn: (() => Promise<void>) | undefined
    const { sandbox, client, direct } = await target(
      { overrides: { memberRemoval: 'replace-all' } },
      {
        beforeForward: async (seen) => {
          if (seen.method === 'PATCH' && seen.path.endsWith(groupId)) await sneakIn?.()
        },
      },
    )
    const a = await direct.users.create({ schemas: [SCHEMA.user], userName: 'a@example.com' })
    const b = await direct.users.create({ schemas: [SCHEMA.user], userName: 'b@example.com' })
    const late = await direct.users.create({ schemas: [SCHEMA.user], userName: 'late@example.com' })
    groupId = (
      await direct.groups.create({
        schemas: [SCHEMA.group],
        displayName: 'Race',
        members: [{ value: a.id! }, { value: b.id! }],
      })
    ).id!
    sneakIn = () => direct.addGroupMembers(groupId, [late.id!])

    const error = await rejectionOf(client.removeGroupMembers(groupId, [a.id!]))

    expect(error).toBeInstanceOf(ScimVersionConflictError)
    const members = memberIds(sandbox.groups()[0])
    expect(members.sort()).toEqual([a.id, b.id, late.id].sort())
  })
})

describe('GET + PUT when the target has no PATCH', () => {
  it('gives the same result as PATCH, sends If-Match, and makes no PATCH request', async () => {
    const { proxy, client, direct } = await target({ overrides: { patch: false } })
    const viaPatch = await direct.users.create(ada('patched@example.com'))
    const viaPut = await client.users.create(ada('put@example.com'))
    proxy.requests.length = 0

    const patched = await direct.users.patch(viaPatch.id!, everyPathForm())
    const replaced = await client.users.patch(viaPut.id!, everyPathForm())

    expect(changeableAttributes(replaced!)).toEqual(changeableAttributes(patched!))
    expect(changeableAttributes(await direct.users.get(viaPut.id!))).toEqual(PATCHED_ATTRIBUTES)
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /scim/v2/Users/${viaPut.id}`,
      `PUT /scim/v2/Users/${viaPut.id}`,
    ])
    expect(proxy.requests[1]?.headers['if-match']).toBe('W/"1"')
  })

  it('keeps group membership changes working, with GET + PUT per change', async () => {
    const { sandbox, proxy, client, direct } = await target({ overrides: { patch: false } })
    const ids: string[] = []
    for (const name of ['p', 'q', 'r']) {
      ids.push((await direct.users.create({ schemas: [SCHEMA.user], userName: `${name}@example.com` })).id!)
    }
    const group = await direct.groups.create({
      schemas: [SCHEMA.group],
      displayName: 'NoPatch',
      members: [{ value: ids[0]! }],
    })
    proxy.requests.length = 0

    await client.addGroupMembers(group.id!, [ids[1]!, ids[2]!])
    await client.removeGroupMembers(group.id!, [ids[0]!])

    const members = memberIds(sandbox.groups()[0])
    expect(members.sort()).toEqual([ids[1], ids[2]].sort())
    expect(proxy.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT'])
    expect(proxy.requests.filter((r) => r.method === 'PUT').map((r) => r.headers['if-match'])).toEqual([
      'W/"1"',
      'W/"2"',
    ])
  })

  it('refuses with ScimUnsupportedError, sending nothing, when the target has neither PATCH nor PUT', async () => {
    const { sandbox, proxy, client, direct } = await target({ overrides: { patch: false, put: false } })
    const created = await direct.users.create(ada('stuck@example.com'))

    const error = await rejectionOf(
      client.users.patch(created.id!, [{ op: 'replace', path: 'title', value: 'x' }]),
    )

    expect(error).toBeInstanceOf(ScimUnsupportedError)
    expect(proxy.requests).toEqual([])
    expect(sandbox.users()[0]?.title).toBe('Analyst')
  })

  it('refuses with ScimVersionConflictError when the resource changes between the GET and the PUT', async () => {
    let userId = ''
    let meddle: (() => Promise<unknown>) | undefined
    const { sandbox, client, direct } = await target(
      { overrides: { patch: false } },
      {
        beforeForward: async (seen) => {
          if (seen.method === 'PUT' && seen.path.endsWith(userId)) await meddle?.()
        },
      },
    )
    userId = (await direct.users.create(ada('raced@example.com'))).id!
    meddle = () => direct.users.patch(userId, [{ op: 'replace', path: 'title', value: 'Changed meanwhile' }])

    const error = await rejectionOf(
      client.users.patch(userId, [{ op: 'replace', path: 'nickName', value: 'Lost' }]),
    )

    expect(error).toBeInstanceOf(ScimVersionConflictError)
    expect(sandbox.users()[0]).toMatchObject({ title: 'Changed meanwhile', nickName: 'Ada' })
  })
})
