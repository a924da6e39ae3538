import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { ENTERPRISE, GROUP, TestClient, USER } from './sandbox-client.ts'

let sandbox: Sandbox
let client: TestClient

beforeAll(async () => {
  sandbox = await startSandbox({})
  client = new TestClient(sandbox.url)
})
afterAll(() => sandbox.close())

describe('sandbox groups and membership', () => {
  it('fills member $ref, display and type from the referenced resources', async () => {
    const ann = await client.createUser('ann@example.com', { displayName: 'Ann A' })
    const inner = await client.createGroup('Inner')
    const group = await client.createGroup('Outer', [String(ann.id), String(inner.id)])
    expect(group.members).toEqual([
      { value: ann.id, $ref: `${sandbox.url}/Users/${ann.id}`, display: 'Ann A', type: 'User' },
      { value: inner.id, $ref: `${sandbox.url}/Groups/${inner.id}`, display: 'Inner', type: 'Group' },
    ])
  })

  it('refuses members that are not existing users or groups', async () => {
    const res = await client.post('/Groups', {
      schemas: [GROUP],
      displayName: 'Ghosts',
      members: [{ value: 'nobody' }],
    })
    expect(res.status).toBe(400)
    expect(res.body.scimType).toBe('invalidValue')
    expect(res.body.detail).toContain('nobody')
  })

  it('derives User.groups, direct and through nested groups', async () => {
    const ben = await client.createUser('ben@example.com')
    const team = await client.createGroup('Team', [String(ben.id)])
    const department = await client.createGroup('Department', [String(team.id)])
    const got = await client.get(`/Users/${ben.id}`)
    expect(got.body.groups).toEqual([
      { value: team.id, $ref: `${sandbox.url}/Groups/${team.id}`, display: 'Team', type: 'direct' },
      {
        value: department.id,
        $ref: `${sandbox.url}/Groups/${department.id}`,
        display: 'Department',
        type: 'indirect',
      },
    ])
    expect((await client.get(`/Users/${ben.id}?excludedAttributes=groups`)).body.groups).toBeUndefined()
  })

  it('refuses membership cycles', async () => {
    const a = await client.createGroup('Cycle A')
    const b = await client.createGroup('Cycle B', [String(a.id)])
    const res = await client.put(`/Groups/${a.id}`, {
      schemas: [GROUP],
      displayName: 'Cycle A',
      members: [{ value: b.id }],
    })
    expect(res.status).toBe(400)
    expect(res.body.scimType).toBe('invalidValue')
    const self = await client.put(`/Groups/${a.id}`, {
      schemas: [GROUP],
      displayName: 'Cycle A',
      members: [{ value: a.id }],
    })
    expect(self.status).toBe(400)
  })

  it('removes a deleted user from its groups and moves the group version on', async () => {
    const cleo = await client.createUser('cleo@example.com')
    const dan = await client.createUser('dan@example.com')
    const group = await client.createGroup('Cleanup', [String(cleo.id), String(dan.id)])
    expect((await client.delete(`/Users/${cleo.id}`)).status).toBe(204)
    const after = await client.get(`/Groups/${group.id}`)
    expect(after.body.members?.map((m) => m.value)).toEqual([dan.id])
    expect(after.body.meta?.version).toBe('W/"2"')
    await client.delete(`/Users/${dan.id}`)
    expect((await client.get(`/Groups/${group.id}`)).body.members).toBeUndefined()
  })

  it('fills the enterprise manager reference from the managing user', async () => {
    const boss = await client.createUser('boss@example.com', { displayName: 'The Boss' })
    const worker = await client.createUser('worker@example.com', {
      schemas: [USER, ENTERPRISE],
      [ENTERPRISE]: { manager: { value: boss.id, displayName: 'ignored: readOnly' } },
    })
    expect(worker[ENTERPRISE]).toEqual({
      manager: { value: boss.id, $ref: `${sandbox.url}/Users/${boss.id}`, displayName: 'The Boss' },
    })
  })
})

describe('sandbox PATCH through the endpoint', () => {
  it('replaces and adds attributes, answering 200 with the new version', async () => {
    const user = await client.createUser('patch@example.com', { title: 'Before' })
    const res = await client.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'title', value: 'After' },
      { op: 'add', path: 'emails', value: [{ value: 'patch@work.com', type: 'work' }] },
      { op: 'add', value: { nickName: 'Pat' } },
    ])
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      title: 'After',
      nickName: 'Pat',
      emails: [{ value: 'patch@work.com', type: 'work' }],
    })
    expect(res.body.meta?.version).toBe('W/"2"')
    expect(res.headers.get('etag')).toBe('W/"2"')
    expect((await client.get(`/Users/${user.id}`)).body.title).toBe('After')
  })

  it('adds members and removes one by a filter path', async () => {
    const [u1, u2, u3] = await Promise.all(
      ['m1', 'm2', 'm3'].map((n) => client.createUser(`${n}@example.com`)),
    )
    const group = await client.createGroup('Patched', [String(u1?.id)])
    const added = await client.patch(`/Groups/${group.id}`, [
      { op: 'add', path: 'members', value: [{ value: u2?.id }, { value: u3?.id }] },
    ])
    expect(added.status).toBe(200)
    expect(added.body.members?.map((m) => m.value)).toEqual([u1?.id, u2?.id, u3?.id])
    const removed = await client.patch(`/Groups/${group.id}`, [
      { op: 'remove', path: `members[value eq "${u2?.id}"]` },
    ])
    expect(removed.status).toBe(200)
    expect(removed.body.members?.map((m) => m.value)).toEqual([u1?.id, u3?.id])
    expect((await client.get(`/Users/${u2?.id}`)).body.groups).toBeUndefined()
    expect((await client.get(`/Users/${u3?.id}`)).body.groups?.[0]?.value).toBe(group.id)
  })

  it('refuses adding an unknown member through PATCH', async () => {
    const group = await client.createGroup('Patch Ghost')
    const res = await client.patch(`/Groups/${group.id}`, [
      { op: 'add', path: 'members', value: [{ value: 'ghost' }] },
    ])
    expect(res.status).toBe(400)
    expect(res.body.scimType).toBe('invalidValue')
  })

  it('refuses readOnly targets, wrong types and a wrong message schema', async () => {
    const user = await client.createUser('patch-ro@example.com')
    const ro = await client.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'id', value: 'mine' }])
    expect(ro.status).toBe(400)
    expect(ro.body.scimType).toBe('mutability')
    const type = await client.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: 'False' }])
    expect(type.status).toBe(400)
    expect(type.body.scimType).toBe('invalidValue')
    const schema = await client.request('PATCH', `/Users/${user.id}`, {
      body: { schemas: [USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
    })
    expect(schema.status).toBe(400)
    expect(schema.body.scimType).toBe('invalidSyntax')
    expect((await client.get(`/Users/${user.id}`)).body.meta?.version).toBe('W/"1"')
  })

  it('keeps the version when a PATCH changes nothing', async () => {
    const user = await client.createUser('noop@example.com', { title: 'Same' })
    const res = await client.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Same' }])
    expect(res.status).toBe(200)
    expect(res.body.meta?.version).toBe('W/"1"')
  })

  it('refuses a userName that another user holds', async () => {
    await client.createUser('holder@example.com')
    const user = await client.createUser('mover@example.com')
    const res = await client.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'userName', value: 'HOLDER@example.com' },
    ])
    expect(res.status).toBe(409)
    expect(res.body.scimType).toBe('uniqueness')
  })
})
