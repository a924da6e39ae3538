import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import {
  ENTERPRISE,
  filterQuery,
  PROVISIO,
  type ScimBody,
  SEARCH,
  TestClient,
  USER,
} from './sandbox-client.ts'

let sandbox: Sandbox
let client: TestClient

beforeAll(async () => {
  sandbox = await startSandbox({ maxResults: 20 })
  client = new TestClient(sandbox.url)
  // 25 users: u01..u25; titles on odd numbers only; clearance levels cycle 0..4.
  for (let n = 1; n <= 25; n++) {
    const id = String(n).padStart(2, '0')
    await client.createUser(`u${id}@example.com`, {
      schemas: [USER, ENTERPRISE, PROVISIO],
      name: { givenName: `Given${id}`, familyName: `Family${String(26 - n).padStart(2, '0')}` },
      ...(n % 2 === 1 ? { title: `Title ${String.fromCharCode(64 + ((n * 7) % 26) + 1)}` } : {}),
      emails: [
        { value: `z${id}@other.com`, type: 'home' },
        { value: `a${id}@work.com`, type: 'work', primary: true },
      ],
      [ENTERPRISE]: { department: n <= 5 ? 'Small' : 'Large' },
      [PROVISIO]: { clearanceLevel: n % 5, notes: `note ${id}` },
    })
  }
})
afterAll(() => sandbox.close())

const userNames = (body: ScimBody): string[] => (body.Resources ?? []).map((r) => String(r.userName))

describe('sandbox sorting', () => {
  it('sorts by a sub-attribute in both orders', async () => {
    const asc = await client.get('/Users?sortBy=name.familyName&count=3')
    expect(userNames(asc.body)).toEqual(['u25@example.com', 'u24@example.com', 'u23@example.com'])
    const desc = await client.get('/Users?sortBy=name.familyName&sortOrder=descending&count=3')
    expect(userNames(desc.body)).toEqual(['u01@example.com', 'u02@example.com', 'u03@example.com'])
  })

  it('puts resources without a value last in either order', async () => {
    for (const order of ['ascending', 'descending']) {
      const res = await client.get(`/Users?sortBy=title&sortOrder=${order}&count=20`)
      const titles = (res.body.Resources ?? []).map((r) => r.title)
      expect(
        titles.slice(0, 13).every((t) => typeof t === 'string'),
        order,
      ).toBe(true)
      expect(titles.slice(13), order).toEqual(Array(7).fill(undefined))
      const present = titles.slice(0, 13) as string[]
      const sorted = [...present].sort()
      expect(present).toEqual(order === 'ascending' ? sorted : sorted.reverse())
    }
  })

  it('sorts multi-valued attributes by their primary value and integers numerically', async () => {
    const emails = await client.get('/Users?sortBy=emails&sortOrder=descending&count=2')
    expect(userNames(emails.body)).toEqual(['u25@example.com', 'u24@example.com'])
    const levels = await client.get(
      `/Users?sortBy=${PROVISIO}:clearanceLevel&count=20&filter=${encodeURIComponent('userName sw "u0"')}`,
    )
    const values = (levels.body.Resources ?? []).map(
      (r) => (r[PROVISIO] as { clearanceLevel: number }).clearanceLevel,
    )
    expect(values).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4])
  })

  it('refuses an unknown sortBy or sortOrder', async () => {
    expect((await client.get('/Users?sortBy=shoeSize')).status).toBe(400)
    expect((await client.get('/Users?sortBy=userName&sortOrder=sideways')).status).toBe(400)
  })
})

describe('sandbox index pagination', () => {
  it('pages with startIndex and count', async () => {
    const res = await client.get('/Users?startIndex=3&count=2')
    expect(res.body).toMatchObject({ totalResults: 25, itemsPerPage: 2, startIndex: 3 })
    expect(userNames(res.body)).toEqual(['u03@example.com', 'u04@example.com'])
    const last = await client.get('/Users?startIndex=24&count=10')
    expect(userNames(last.body)).toEqual(['u24@example.com', 'u25@example.com'])
    const past = await client.get('/Users?startIndex=40')
    expect(past.body).toMatchObject({ totalResults: 25, itemsPerPage: 0, Resources: [] })
  })

  it('treats startIndex below 1 as 1 and a negative count as 0', async () => {
    const zero = await client.get('/Users?startIndex=0&count=1')
    expect(zero.body.startIndex).toBe(1)
    expect(userNames(zero.body)).toEqual(['u01@example.com'])
    const negative = await client.get('/Users?count=-4')
    expect(negative.body).toMatchObject({ totalResults: 25, itemsPerPage: 0, Resources: [] })
  })

  it('answers count=0 with totalResults only, honouring the filter', async () => {
    const res = await client.get(`/Users${filterQuery(`${ENTERPRISE}:department eq "Small"`, '&count=0')}`)
    expect(res.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] })
  })

  it('caps pages at maxResults', async () => {
    const res = await client.get('/Users?count=1000')
    expect(res.body.itemsPerPage).toBe(20)
    expect(res.body.totalResults).toBe(25)
  })

  it('refuses a non-numeric startIndex', async () => {
    const res = await client.get('/Users?startIndex=two')
    expect(res.status).toBe(400)
    expect(res.body.scimType).toBe('invalidValue')
  })
})

describe('sandbox cursor pagination (RFC 9865)', () => {
  it('walks all resources with nextCursor and ends without one', async () => {
    const seen: string[] = []
    let res = await client.get('/Users?cursor&count=10')
    expect(res.body.startIndex).toBeUndefined()
    for (let page = 0; page < 5; page++) {
      expect(res.status).toBe(200)
      seen.push(...userNames(res.body))
      if (!res.body.nextCursor) break
      res = await client.get(`/Users?cursor=${encodeURIComponent(res.body.nextCursor)}&count=10`)
    }
    expect(seen).toHaveLength(25)
    expect(new Set(seen).size).toBe(25)
    expect(res.body.nextCursor).toBeUndefined()
  })

  it('neither skips nor repeats when resources are deleted between pages', async () => {
    const extra = await client.createUser('zz-cursor@example.com')
    const first = await client.get('/Users?cursor=&count=5')
    const firstNames = userNames(first.body)
    // Delete one resource already served (u02) and the extra one not yet served.
    await client.delete(`/Users/${first.body.Resources?.[1]?.id}`)
    await client.delete(`/Users/${extra.id}`)
    const second = await client.get(`/Users?cursor=${first.body.nextCursor}&count=5`)
    expect(userNames(second.body)[0]).toBe('u06@example.com')
    expect(firstNames[4]).toBe('u05@example.com')
    // Restore u02 (without a title, as before) for the other tests' counts.
    await client.createUser('u02@example.com', {
      schemas: [USER, PROVISIO],
      [PROVISIO]: { clearanceLevel: 2 },
    })
  })

  it('pages sorted and filtered results, also through POST .search', async () => {
    const body = {
      schemas: [SEARCH],
      filter: 'title pr',
      sortBy: 'userName',
      sortOrder: 'descending',
      count: 5,
      cursor: '',
    }
    const first = await client.post('/Users/.search', body)
    expect(first.body.totalResults).toBe(13)
    const second = await client.post('/Users/.search', { ...body, cursor: first.body.nextCursor })
    expect(userNames(second.body)).toEqual([
      'u15@example.com',
      'u13@example.com',
      'u11@example.com',
      'u09@example.com',
      'u07@example.com',
    ])
  })

  it('refuses cursors it did not issue, or issued for another query, with invalidCursor', async () => {
    const forged = await client.get('/Users?cursor=bm90LWEtY3Vyc29y')
    expect(forged.status).toBe(400)
    expect(forged.body.scimType).toBe('invalidCursor')
    const first = await client.get('/Users?cursor=&count=2')
    const other = await client.get(
      `/Users?cursor=${first.body.nextCursor}&count=2&filter=${encodeURIComponent('title pr')}`,
    )
    expect(other.status).toBe(400)
    expect(other.body.scimType).toBe('invalidCursor')
    const both = await client.get(`/Users?cursor=${first.body.nextCursor}&startIndex=3`)
    expect(both.status).toBe(400)
  })
})

describe('sandbox attribute selection', () => {
  const one = async (query: string): Promise<ScimBody> => {
    const res = await client.get(`/Users${filterQuery('userName eq "u03@example.com"', `&${query}`)}`)
    const resource = res.body.Resources?.[0]
    if (!resource) throw new Error(`no resource for ${query}: ${res.text}`)
    return resource
  }

  it('returns only the named attributes plus id and schemas', async () => {
    const r = await one('attributes=userName')
    expect(Object.keys(r).sort()).toEqual(['id', 'schemas', 'userName'])
  })

  it('selects sub-attributes and URN-qualified extension attributes', async () => {
    const r = await one(`attributes=name.givenName,emails.value,${ENTERPRISE}:department`)
    expect(r.name).toEqual({ givenName: 'Given03' })
    expect(r.emails).toEqual([{ value: 'z03@other.com' }, { value: 'a03@work.com' }])
    expect(r[ENTERPRISE]).toEqual({ department: 'Small' })
    expect(r.meta).toBeUndefined()
  })

  it('excludes attributes and sub-attributes but never id', async () => {
    const r = await one('excludedAttributes=emails,name.familyName,id,meta')
    expect(r.emails).toBeUndefined()
    expect(r.name).toEqual({ givenName: 'Given03' })
    expect(r.id).toBeDefined()
    expect(r.meta).toBeUndefined()
    expect(r.userName).toBe('u03@example.com')
  })

  it('returns "request" attributes only when asked for', async () => {
    const plain = await one('')
    expect(plain[PROVISIO]).toEqual({ clearanceLevel: 3 })
    const asked = await one(`attributes=${PROVISIO}:notes`)
    expect(asked[PROVISIO]).toEqual({ notes: 'note 03' })
  })

  it('applies to single resources and to POST responses', async () => {
    const created = await client.post('/Users?attributes=userName', {
      schemas: [USER],
      userName: 'sel@example.com',
      title: 'x',
    })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['id', 'schemas', 'userName'])
    const got = await client.get(`/Users/${created.body.id}?excludedAttributes=title`)
    expect(got.body.title).toBeUndefined()
    expect(got.body.userName).toBe('sel@example.com')
    await client.delete(`/Users/${created.body.id}`)
  })
})
