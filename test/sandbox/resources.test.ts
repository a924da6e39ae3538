import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { GROUP, PROVISIO, TestClient, USER } from './sandbox-client.ts'

let sandbox: Sandbox
let client: TestClient

beforeAll(async () => {
  sandbox = await startSandbox({})
  client = new TestClient(sandbox.url)
})
afterAll(() => sandbox.close())

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('sandbox resources: create, read, replace, delete', () => {
  it('creates a user with 201, Location and ETag matching meta', async () => {
    const res = await client.post('/Users', { schemas: [USER], userName: 'create@example.com', active: true })
    expect(res.status).toBe(201)
    expect(res.body.id).toMatch(UUID)
    expect(res.headers.get('location')).toBe(`${sandbox.url}/Users/${res.body.id}`)
    expect(res.headers.get('etag')).toBe('W/"1"')
    expect(res.body.meta).toMatchObject({
      resourceType: 'User',
      version: 'W/"1"',
      location: `${sandbox.url}/Users/${res.body.id}`,
    })
    expect(res.body.meta?.created).toBe(res.body.meta?.lastModified)
    const got = await client.get(`/Users/${res.body.id}`)
    expect(got.status).toBe(200)
    expect(got.body).toEqual(res.body)
  })

  it('ignores readOnly id, meta and groups in the input', async () => {
    const res = await client.post('/Users', {
      schemas: [USER],
      id: 'chosen-by-client',
      meta: { version: 'W/"99"', created: '2000-01-01T00:00:00Z' },
      groups: [{ value: 'g1' }],
      userName: 'readonly@example.com',
    })
    expect(res.status).toBe(201)
    expect(res.body.id).not.toBe('chosen-by-client')
    expect(res.body.meta?.version).toBe('W/"1"')
    expect(res.body.meta?.created).not.toBe('2000-01-01T00:00:00Z')
    expect(res.body.groups).toBeUndefined()
  })

  it('accepts application/json and canonicalises attribute names', async () => {
    const res = await client.request('POST', '/Users', {
      body: { schemas: [USER], UserName: 'json@example.com', NAME: { GivenName: 'Jay' } },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
    expect(res.status).toBe(201)
    expect(res.body.userName).toBe('json@example.com')
    expect(res.body.name).toEqual({ givenName: 'Jay' })
  })

  it('refuses a duplicate userName case-insensitively with 409 uniqueness', async () => {
    await client.createUser('Unique@Example.com')
    const res = await client.post('/Users', { schemas: [USER], userName: 'unique@EXAMPLE.com' })
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ status: '409', scimType: 'uniqueness' })
  })

  it('refuses a duplicate group displayName with 409 uniqueness', async () => {
    await client.createGroup('Admins')
    const res = await client.post('/Groups', { schemas: [GROUP], displayName: 'ADMINS' })
    expect(res.status).toBe(409)
    expect(res.body.scimType).toBe('uniqueness')
  })

  it('replaces with PUT: omitted attributes are cleared, the version moves on', async () => {
    const created = await client.createUser('put@example.com', { title: 'Engineer', nickName: 'P' })
    const res = await client.put(`/Users/${created.id}`, {
      schemas: [USER],
      userName: 'put@example.com',
      title: 'Lead',
    })
    expect(res.status).toBe(200)
    expect(res.body.title).toBe('Lead')
    expect(res.body.nickName).toBeUndefined()
    expect(res.body.meta?.version).toBe('W/"2"')
    expect(res.headers.get('etag')).toBe('W/"2"')
    expect(res.body.meta?.created).toBe(created.meta?.created)
  })

  it("refuses a PUT that takes another user's userName", async () => {
    await client.createUser('taken@example.com')
    const other = await client.createUser('other@example.com')
    const res = await client.put(`/Users/${other.id}`, { schemas: [USER], userName: 'TAKEN@example.com' })
    expect(res.status).toBe(409)
  })

  it('keeps immutable attributes: a different value on PUT is 400 mutability, omission keeps it', async () => {
    const created = await client.createUser('badge@example.com', {
      [PROVISIO]: { badgeId: 'B-1' },
      schemas: [USER, PROVISIO],
    })
    const changed = await client.put(`/Users/${created.id}`, {
      schemas: [USER, PROVISIO],
      userName: 'badge@example.com',
      [PROVISIO]: { badgeId: 'B-2' },
    })
    expect(changed.status).toBe(400)
    expect(changed.body.scimType).toBe('mutability')
    const omitted = await client.put(`/Users/${created.id}`, {
      schemas: [USER],
      userName: 'badge@example.com',
    })
    expect(omitted.status).toBe(200)
    expect(omitted.body[PROVISIO]).toEqual({ badgeId: 'B-1' })
  })

  it('deletes with 204, after which the user is 404', async () => {
    const created = await client.createUser('delete@example.com')
    const res = await client.delete(`/Users/${created.id}`)
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    const gone = await client.get(`/Users/${created.id}`)
    expect(gone.status).toBe(404)
    expect(gone.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
    expect((await client.delete(`/Users/${created.id}`)).status).toBe(404)
    // The userName is free again.
    expect((await client.post('/Users', { schemas: [USER], userName: 'delete@example.com' })).status).toBe(
      201,
    )
  })

  it('never returns the password but keeps it', async () => {
    const created = await client.createUser('secret@example.com', { password: 'hunter2' })
    expect(created.password).toBeUndefined()
    const asked = await client.get(`/Users/${created.id}?attributes=password,userName`)
    expect(asked.body.password).toBeUndefined()
    expect(sandbox.users().find((u) => u.id === created.id)?.password).toBe('hunter2')
  })
})

describe('sandbox resources: validation', () => {
  it('rejects a string where the schema wants a boolean', async () => {
    const res = await client.post('/Users', {
      schemas: [USER],
      userName: 'bool@example.com',
      active: 'False',
    })
    expect(res.status).toBe(400)
    expect(res.body.scimType).toBe('invalidValue')
    expect(res.body.detail).toContain('active')
  })

  it('rejects wrong types in extensions and sub-attributes', async () => {
    const level = await client.post('/Users', {
      schemas: [USER, PROVISIO],
      userName: 'level@example.com',
      [PROVISIO]: { clearanceLevel: 2.5 },
    })
    expect(level.status).toBe(400)
    expect(level.body.detail).toContain('clearanceLevel')
    const date = await client.post('/Users', {
      schemas: [USER, PROVISIO],
      userName: 'date@example.com',
      [PROVISIO]: { startDate: 'yesterday' },
    })
    expect(date.status).toBe(400)
    const email = await client.post('/Users', {
      schemas: [USER],
      userName: 'e@example.com',
      emails: { value: 'x' },
    })
    expect(email.status).toBe(400)
    const primaries = await client.post('/Users', {
      schemas: [USER],
      userName: 'p@example.com',
      emails: [
        { value: 'a@example.com', primary: true },
        { value: 'b@example.com', primary: true },
      ],
    })
    expect(primaries.status).toBe(400)
  })

  it('requires userName for users and displayName for groups', async () => {
    const user = await client.post('/Users', { schemas: [USER], displayName: 'No Name' })
    expect(user.status).toBe(400)
    expect(user.body.scimType).toBe('invalidValue')
    const group = await client.post('/Groups', { schemas: [GROUP] })
    expect(group.status).toBe(400)
    expect(group.body.scimType).toBe('invalidValue')
  })

  it('requires the core schema in "schemas" and refuses unknown attributes', async () => {
    const noCore = await client.post('/Users', { schemas: [GROUP], userName: 'schemas@example.com' })
    expect(noCore.status).toBe(400)
    expect(noCore.body.scimType).toBe('invalidSyntax')
    const missing = await client.post('/Users', { userName: 'schemas@example.com' })
    expect(missing.body.scimType).toBe('invalidSyntax')
    const unknown = await client.post('/Users', { schemas: [USER], userName: 'u@example.com', shoeSize: 44 })
    expect(unknown.status).toBe(400)
    expect(unknown.body.detail).toContain('shoeSize')
  })

  it('answers malformed JSON with 400 invalidSyntax and other media types with 415', async () => {
    const bad = await client.request('POST', '/Users', { raw: '{"schemas": [' })
    expect(bad.status).toBe(400)
    expect(bad.body.scimType).toBe('invalidSyntax')
    const text = await client.request('POST', '/Users', {
      raw: JSON.stringify({ schemas: [USER], userName: 'text@example.com' }),
      headers: { 'content-type': 'text/plain' },
    })
    expect(text.status).toBe(415)
  })
})

describe('sandbox resources: versions and preconditions', () => {
  it('answers If-None-Match with the current version with 304', async () => {
    const created = await client.createUser('etag@example.com')
    const res = await client.get(`/Users/${created.id}`, { 'if-none-match': 'W/"1"' })
    expect(res.status).toBe(304)
    expect(res.text).toBe('')
    expect(res.headers.get('etag')).toBe('W/"1"')
    expect((await client.get(`/Users/${created.id}`, { 'if-none-match': 'W/"7"' })).status).toBe(200)
  })

  it('answers a stale If-Match with 412 without scimType, and applies a current one', async () => {
    const created = await client.createUser('ifmatch@example.com')
    const body = { schemas: [USER], userName: 'ifmatch@example.com', title: 'x' }
    const ok = await client.put(`/Users/${created.id}`, body, { 'if-match': 'W/"1"' })
    expect(ok.status).toBe(200)
    const stale = await client.put(`/Users/${created.id}`, body, { 'if-match': 'W/"1"' })
    expect(stale.status).toBe(412)
    expect(stale.body.scimType).toBeUndefined()
    expect(stale.body.detail).toContain('W/"2"')
    const patch = await client.patch(`/Users/${created.id}`, [{ op: 'replace', path: 'title', value: 'y' }], {
      'if-match': 'W/"1"',
    })
    expect(patch.status).toBe(412)
    expect((await client.delete(`/Users/${created.id}`, { 'if-match': 'W/"1"' })).status).toBe(412)
    expect((await client.delete(`/Users/${created.id}`, { 'if-match': '*' })).status).toBe(204)
  })
})

describe('sandbox routing', () => {
  it('answers unknown paths with a SCIM 404 and wrong methods with 405', async () => {
    const nowhere = await client.get('/Devices')
    expect(nowhere.status).toBe(404)
    expect(nowhere.body.status).toBe('404')
    const outside = await fetch(sandbox.url.replace('/scim/v2', '/other'))
    expect(outside.status).toBe(404)
    const wrong = await client.request('DELETE', '/Users')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, POST')
    expect((await client.put('/ServiceProviderConfig', {})).status).toBe(405)
  })

  it('answers /Me with 501', async () => {
    const res = await client.get('/Me')
    expect(res.status).toBe(501)
    expect(res.body.status).toBe('501')
  })
})
