import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededGroupId, seededUserId, startSandbox } from '../../src/sandbox/index.ts'
import { ENTERPRISE, filterQuery, GROUP, TestClient } from './sandbox-client.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provisio-sandbox-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('sandbox seeding', () => {
  it('seeds 1000 deterministic users that can be listed page by page', async () => {
    const sandbox = await startSandbox({ seedUsers: 1000 })
    try {
      const client = new TestClient(sandbox.url)
      const names: string[] = []
      let cursor = ''
      for (let page = 0; page < 20; page++) {
        const res = await client.get(`/Users?cursor=${cursor}&count=300&attributes=userName`)
        expect(res.body.totalResults).toBe(1000)
        names.push(...(res.body.Resources ?? []).map((r) => String(r.userName)))
        if (!res.body.nextCursor) break
        cursor = res.body.nextCursor
      }
      expect(names).toHaveLength(1000)
      expect(names[0]).toBe('user1@example.com')
      expect(names[999]).toBe('user1000@example.com')
      const one = await client.get(`/Users/${seededUserId(42)}`)
      expect(one.body).toMatchObject({
        userName: 'user42@example.com',
        emails: [{ value: 'user42@example.com', primary: true }],
      })
      expect((one.body[ENTERPRISE] as { manager?: { value?: string } }).manager?.value).toBe(seededUserId(5))
      const byName = await client.get(`/Users${filterQuery('userName eq "USER999@example.com"')}`)
      expect(byName.body.Resources?.[0]?.id).toBe(seededUserId(999))
    } finally {
      await sandbox.close()
    }
  })

  it('seeds groups holding the users of their department', async () => {
    const sandbox = await startSandbox({ seedUsers: 80, seedGroups: 10 })
    try {
      const client = new TestClient(sandbox.url)
      const groups = await client.get('/Groups?count=20&attributes=displayName,members')
      expect(groups.body.totalResults).toBe(10)
      const engineering = groups.body.Resources?.find((g) => g.displayName === 'Engineering')
      expect(engineering?.members).toHaveLength(10)
      const team = await client.get(`/Groups/${seededGroupId(9)}`)
      expect(team.body.displayName).toBe('Team 9')
      expect(team.body.members?.map((m) => m.value)).toContain(seededUserId(19))
      const user = await client.get(`/Users/${seededUserId(19)}`)
      expect(user.body.groups?.map((g) => g.display).sort()).toEqual(['Finance', 'Team 9'])
    } finally {
      await sandbox.close()
    }
  })
})

describe('sandbox state file', () => {
  it('keeps users, groups, ids and versions across a restart', async () => {
    const stateFile = join(dir, 'state.json')
    const first = await startSandbox({ stateFile })
    const client = new TestClient(first.url)
    const user = await client.createUser('persist@example.com', { title: 'Kept' })
    await client.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Changed' }])
    const group = await client.createGroup('Persisted', [String(user.id)])
    await first.close()
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])

    const second = await startSandbox({ stateFile })
    try {
      const again = new TestClient(second.url)
      const got = await again.get(`/Users/${user.id}`)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({
        userName: 'persist@example.com',
        title: 'Changed',
        meta: { version: 'W/"2"' },
      })
      expect(got.body.meta?.created).toBe(user.meta?.created)
      expect(got.body.meta?.location).toBe(`${second.url}/Users/${user.id}`)
      expect(got.body.groups?.map((g) => g.value)).toEqual([group.id])
      const dup = await again.post('/Groups', { schemas: [GROUP], displayName: 'persisted' })
      expect(dup.status).toBe(409)
    } finally {
      await second.close()
    }
  })

  it('writes changes shortly after they happen, not only on close', async () => {
    const stateFile = join(dir, 'debounced.json')
    const sandbox = await startSandbox({ stateFile })
    try {
      await new TestClient(sandbox.url).createUser('soon@example.com')
      await new Promise((resolve) => setTimeout(resolve, 600))
      const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { users: Array<{ userName: string }> }
      expect(saved.users.map((u) => u.userName)).toEqual(['soon@example.com'])
    } finally {
      await sandbox.close()
    }
  })

  it('starts from the state file instead of seeding, and refuses a file that is not a state file', async () => {
    const stateFile = join(dir, 'seeded.json')
    const seeded = await startSandbox({ stateFile, seedUsers: 3 })
    await new TestClient(seeded.url).delete(`/Users/${seededUserId(2)}`)
    await seeded.close()
    const restarted = await startSandbox({ stateFile, seedUsers: 3 })
    try {
      expect(restarted.users().map((u) => u.userName)).toEqual(['user1@example.com', 'user3@example.com'])
    } finally {
      await restarted.close()
    }
    const bogus = join(dir, 'bogus.json')
    await writeFile(bogus, '{"hello": "world"}')
    await expect(startSandbox({ stateFile: bogus })).rejects.toThrow(/not a sandbox state file/)
  })
})
