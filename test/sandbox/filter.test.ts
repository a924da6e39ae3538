import { setTimeout as sleep } from 'node:timers/promises'
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
let alice: ScimBody
let carol: ScimBody
let betweenBobAndCarol: string

beforeAll(async () => {
  sandbox = await startSandbox({})
  client = new TestClient(sandbox.url)
  alice = await client.createUser('Alice@Example.com', {
    schemas: [USER, ENTERPRISE, PROVISIO],
    externalId: 'ext-A',
    name: { givenName: 'Alice', familyName: 'Anders' },
    displayName: 'Alice Anders',
    title: 'Engineer',
    active: true,
    emails: [
      { value: 'alice@work.com', type: 'work', primary: true },
      { value: 'alice@home.org', type: 'home' },
    ],
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: '1001' },
    [PROVISIO]: {
      clearanceLevel: 3,
      remote: true,
      startDate: '2020-01-15T00:00:00Z',
      skills: ['scim', 'go'],
    },
  })
  await client.createUser('bob@example.com', {
    schemas: [USER, ENTERPRISE, PROVISIO],
    externalId: 'ext-B',
    name: { givenName: 'Bob', familyName: 'Brown' },
    displayName: 'Bob Brown',
    title: 'Manager',
    active: false,
    emails: [{ value: 'bob@work.com', type: 'work' }],
    [ENTERPRISE]: { department: 'Sales' },
    [PROVISIO]: { clearanceLevel: 1, remote: false, startDate: '2022-06-01T00:00:00Z', skills: ['sales'] },
  })
  await sleep(15)
  betweenBobAndCarol = new Date().toISOString()
  await sleep(15)
  carol = await client.createUser('carol@example.org', {
    schemas: [USER, ENTERPRISE, PROVISIO],
    externalId: 'EXT-A',
    name: { givenName: 'Carol', familyName: 'Chen' },
    displayName: 'Carol Chen',
    active: true,
    emails: [{ value: 'carol@home.net', type: 'home' }],
    [ENTERPRISE]: { department: 'Engineering' },
    [PROVISIO]: { clearanceLevel: 5, startDate: '2019-03-10T00:00:00Z' },
  })
})
afterAll(() => sandbox.close())

const ALICE = 'Alice@Example.com'
const BOB = 'bob@example.com'
const CAROL = 'carol@example.org'

const users = (filter: string): Promise<string[]> => client.names(`/Users${filterQuery(filter)}`)

describe('sandbox filters', () => {
  it('eq on userName is case-insensitive, on id and externalId case-exact', async () => {
    expect(await users('userName eq "alice@example.com"')).toEqual([ALICE])
    expect(await users(`id eq "${alice.id}"`)).toEqual([ALICE])
    expect(await users(`id eq "${String(alice.id).toUpperCase()}"`)).toEqual([])
    expect(await users('externalId eq "ext-A"')).toEqual([ALICE])
    expect(await users('externalId eq "EXT-A"')).toEqual([CAROL])
    expect(await users('USERNAME EQ "BOB@example.COM"')).toEqual([BOB])
  })

  it('ne, co, sw, ew', async () => {
    expect(await users('title ne "Engineer"')).toEqual([BOB, CAROL])
    expect(await users('displayName co "an"')).toEqual([ALICE])
    expect(await users('userName sw "B"')).toEqual([BOB])
    expect(await users('userName ew ".org"')).toEqual([CAROL])
  })

  it('gt, ge, lt, le on integers', async () => {
    const level = `${PROVISIO}:clearanceLevel`
    expect(await users(`${level} gt 1`)).toEqual([ALICE, CAROL])
    expect(await users(`${level} ge 3`)).toEqual([ALICE, CAROL])
    expect(await users(`${level} lt 3`)).toEqual([BOB])
    expect(await users(`${level} le 1`)).toEqual([BOB])
  })

  it('compares dateTime values as instants, including meta.lastModified', async () => {
    expect(await users(`${PROVISIO}:startDate gt "2020-01-01T00:00:00Z"`)).toEqual([ALICE, BOB])
    expect(await users(`${PROVISIO}:startDate lt "2020-01-15T01:00:00+01:00"`)).toEqual([CAROL])
    expect(await users(`meta.lastModified gt "${betweenBobAndCarol}"`)).toEqual([CAROL])
    expect(await users(`meta.created le "${betweenBobAndCarol}"`)).toEqual([ALICE, BOB])
  })

  it('pr, booleans and multi-valued strings', async () => {
    expect(await users('title pr')).toEqual([ALICE, BOB])
    expect(await users('active eq false')).toEqual([BOB])
    expect(await users(`${PROVISIO}:remote eq true`)).toEqual([ALICE])
    expect(await users(`${PROVISIO}:skills eq "SCIM"`)).toEqual([ALICE])
  })

  it('value paths and sub-attributes of multi-valued attributes', async () => {
    expect(await users('emails[type eq "work" and value co "work.com"]')).toEqual([ALICE, BOB])
    expect(await users('emails[type eq "home"]')).toEqual([ALICE, CAROL])
    expect(await users('emails.value ew ".org"')).toEqual([ALICE])
    expect(await users('emails[primary eq true]')).toEqual([ALICE])
  })

  it('and, or, not with precedence and grouping', async () => {
    expect(await users('title pr and (active eq false or name.familyName sw "A")')).toEqual([ALICE, BOB])
    expect(await users('title pr and active eq false or name.familyName sw "C"')).toEqual([BOB, CAROL])
    expect(await users('not (active eq true)')).toEqual([BOB])
  })

  it('an or of equalities on indexed attributes finds each resource once, in insertion order', async () => {
    expect(await users('userName eq "CAROL@example.org" or userName eq "alice@example.com"')).toEqual([
      ALICE,
      CAROL,
    ])
    expect(
      await users('userName eq "alice@example.com" or externalId eq "ext-A" or userName eq "x"'),
    ).toEqual([ALICE])
    expect(await users(`id eq "${carol.id}" or externalId eq "ext-B"`)).toEqual([BOB, CAROL])
    expect(await users('userName eq "bob@example.com" or title eq "Engineer"')).toEqual([ALICE, BOB])
  })

  it('extension attributes by full URN path', async () => {
    expect(await users(`${ENTERPRISE}:department eq "engineering"`)).toEqual([ALICE, CAROL])
    expect(await users(`${USER}:userName eq "bob@example.com"`)).toEqual([BOB])
  })

  it('answers unknown attributes, bad syntax and never-returned attributes with 400 invalidFilter', async () => {
    for (const filter of ['shoeSize eq 44', 'userName eq', 'userName eq "x" and', 'password eq "hunter2"']) {
      const res = await client.get(`/Users${filterQuery(filter)}`)
      expect(res.status, filter).toBe(400)
      expect(res.body.scimType, filter).toBe('invalidFilter')
    }
  })

  it('filters groups by displayName case-insensitively and by member', async () => {
    const group = await client.createGroup('Filter Team', [String(carol.id)])
    await client.createGroup('Other Team')
    expect(await client.names(`/Groups${filterQuery('displayName eq "FILTER team"')}`)).toEqual([
      'Filter Team',
    ])
    expect(await client.names(`/Groups${filterQuery(`members.value eq "${carol.id}"`)}`)).toEqual([
      'Filter Team',
    ])
    expect(await client.names(`/Groups${filterQuery(`members[value eq "${carol.id}"]`)}`)).toEqual([
      'Filter Team',
    ])
    expect(await users(`groups.value eq "${group.id}"`)).toEqual([CAROL])
    expect(await users('groups.display eq "Filter Team"')).toEqual([CAROL])
  })

  it('searches with POST /Users/.search and across types with POST /.search', async () => {
    const search = await client.post('/Users/.search', {
      schemas: [SEARCH],
      filter: 'name.givenName sw "a"',
      attributes: ['userName'],
    })
    expect(search.status).toBe(200)
    expect(search.body.Resources).toEqual([{ schemas: alice.schemas, id: alice.id, userName: ALICE }])
    const all = await client.post('/.search', {
      schemas: [SEARCH],
      filter: 'displayName co "team" or userName sw "c"',
    })
    expect(all.status).toBe(200)
    expect((all.body.Resources ?? []).map((r) => r.userName ?? r.displayName).sort()).toEqual(
      ['Filter Team', 'Other Team', CAROL].sort(),
    )
    const wrongSchema = await client.post('/.search', { schemas: [USER], filter: 'userName pr' })
    expect(wrongSchema.status).toBe(400)
    expect(wrongSchema.body.scimType).toBe('invalidSyntax')
  })
})
