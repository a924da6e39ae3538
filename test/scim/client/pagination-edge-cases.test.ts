import { describe, expect, it, vi } from 'vitest'
import { ScimMalformedResponseError } from '../../../src/scim/errors.ts'
import type { ScimClientOptions } from '../../../src/scim/scim-client.ts'
import { collect, rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'
import { type ListServerOptions, listedUser, startListServer } from '../../support/scim-servers.ts'

const fx = scimFixtures()

async function listing(server: ListServerOptions, client: Partial<ScimClientOptions> = {}) {
  const target = await startListServer(server)
  fx.defer(() => target.close())
  return { target, client: fx.client(target.url, client) }
}

const ids = (users: ReadonlyArray<{ id?: string | undefined }>): string[] => users.map((u) => String(u.id))
const expectedIds = (total: number): string[] => Array.from({ length: total }, (_, i) => listedUser(i + 1).id)
const asked = (target: { requests: Array<{ query: URLSearchParams }> }): Array<string | null> =>
  target.requests.map((r) => r.query.get('startIndex'))

describe('index pagination against servers that misreport', () => {
  it('gets every resource when totalResults is only the page size and totalResultsReliable is false', async () => {
    // Harness-style: every page reports totalResults equal to what it holds.
    const { target, client } = await listing(
      { total: 23, reportTotal: ({ served }) => served },
      { overrides: { pagination: { totalResultsReliable: false } } },
    )

    const users = await collect(client.users.list({ pageSize: 10 }))

    expect(ids(users)).toEqual(expectedIds(23))
    expect(asked(target)).toEqual(['1', '11', '21'])
  })

  it('stops after the first page on the same server when totalResults is trusted (why the option exists)', async () => {
    const { client } = await listing({ total: 23, reportTotal: ({ served }) => served })

    const users = await collect(client.users.list({ pageSize: 10 }))

    expect(ids(users)).toEqual(expectedIds(10))
  })

  it('ends on the first empty page when totalResults is too large', async () => {
    const { target, client } = await listing({ total: 12, reportTotal: ({ total }) => total + 50 })

    const users = await collect(client.users.list({ pageSize: 5 }))

    expect(ids(users)).toEqual(expectedIds(12))
    expect(asked(target)).toEqual(['1', '6', '11', '13'])
  })

  it('follows short pages while totalResults says more is left', async () => {
    const { target, client } = await listing({ total: 17, maxPage: 4 })

    const users = await collect(client.users.list({ pageSize: 10 }))

    expect(ids(users)).toEqual(expectedIds(17))
    expect(asked(target)).toEqual(['1', '5', '9', '13', '17'])
    expect(target.requests.every((r) => r.query.get('count') === '10')).toBe(true)
  })

  it('follows short pages even when totalResults is not trusted', async () => {
    const { client } = await listing(
      { total: 17, maxPage: 4 },
      { overrides: { pagination: { totalResultsReliable: false } } },
    )

    const users = await collect(client.users.list({ pageSize: 10 }))

    expect(ids(users)).toEqual(expectedIds(17))
  })

  it('fails with ScimMalformedResponseError on a server that ignores startIndex, instead of looping', async () => {
    const { target, client } = await listing({ total: 30, ignoreStartIndex: true })

    const seen: string[] = []
    const error = await rejectionOf(
      (async () => {
        for await (const user of client.users.list({ pageSize: 10 })) seen.push(String(user.id))
      })(),
    )

    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    expect((error as ScimMalformedResponseError).message).toMatch(/same page again for startIndex 11/)
    expect(seen).toEqual(expectedIds(10))
    expect(target.requests).toHaveLength(2)
  })

  it('reads a lowercase "resources" key', async () => {
    const { client } = await listing({ total: 8, resourcesKey: 'resources' })

    const users = await collect(client.users.list({ pageSize: 3 }))

    expect(ids(users)).toEqual(expectedIds(8))
  })

  it('keeps paging full pages when a server leaves totalResults out', async () => {
    const { target, client } = await listing({ total: 12, reportTotal: () => undefined })

    const users = await collect(client.users.list({ pageSize: 5 }))

    expect(ids(users)).toEqual(expectedIds(12))
    expect(asked(target)).toEqual(['1', '6', '11'])
  })
})

describe('cursor pagination against misbehaving servers', () => {
  it('follows nextCursor to the end', async () => {
    const { target, client } = await listing(
      { total: 11, cursor: 'honest' },
      { overrides: { pagination: { cursor: true } } },
    )

    const users = await collect(client.users.list({ pageSize: 4 }))

    expect(ids(users)).toEqual(expectedIds(11))
    expect(target.requests.map((r) => r.query.get('cursor'))).toEqual(['', '5', '9'])
  })

  it('asks for the next page as soon as a page’s cursor is known, before handing the page out', async () => {
    const { target, client } = await listing(
      { total: 11, cursor: 'honest' },
      { overrides: { pagination: { cursor: true } } },
    )
    const pages = client.users.pages({ pageSize: 4 })

    const first = await pages.next()

    expect(ids(first.value?.resources ?? [])).toEqual(expectedIds(4))
    // Nothing more is asked of the iterator; the request for the next page is on its way regardless.
    await vi.waitFor(() => expect(target.requests).toHaveLength(2))
    expect(target.requests.map((r) => r.query.get('cursor'))).toEqual(['', '5'])
    const rest = await collect(
      (async function* () {
        for await (const page of pages) yield* page.resources
      })(),
    )
    expect(ids(rest)).toEqual(expectedIds(11).slice(4))
    expect(target.requests.map((r) => r.query.get('cursor'))).toEqual(['', '5', '9'])
  })

  it('fails with ScimMalformedResponseError when a server hands out the same cursor again', async () => {
    const { target, client } = await listing(
      { total: 11, cursor: 'loop' },
      { overrides: { pagination: { cursor: true } } },
    )

    const error = await rejectionOf(collect(client.users.list({ pageSize: 4 })))

    expect(error).toBeInstanceOf(ScimMalformedResponseError)
    expect((error as ScimMalformedResponseError).message).toMatch(/cursor "again" twice/)
    expect(target.requests.map((r) => r.query.get('cursor'))).toEqual(['', 'again'])
  })
})
