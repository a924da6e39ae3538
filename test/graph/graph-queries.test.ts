/**
 * Searching the access graph: current accounts, groups and memberships of one integration,
 * filtered with SCIM filters over normalized names, read in keyset pages.
 */
import { describe, expect, it } from 'vitest'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import {
  type GraphRecord,
  searchAccounts,
  searchGroups,
  searchMemberships,
} from '../../src/graph/graph-queries.ts'
import { seededGroupId, seededUserId } from '../../src/sandbox/index.ts'
import { parseFilter } from '../../src/scim/index.ts'
import type { AccountsTable, MembershipsTable } from '../../src/store/index.ts'
import { TestClient } from '../sandbox/sandbox-client.ts'
import { extractionWorld, TOKEN } from '../support/extraction-fixtures.ts'
import { collect } from '../support/scim-client-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const T = '2024-05-01T08:00:00.000Z'

function accountRow(integration: string, n: number): AccountsTable {
  const userName = `bulk${n}@example.com`
  return {
    integration,
    id: `a-${String(n).padStart(5, '0')}`,
    user_name: userName,
    external_id: null,
    display_name: null,
    email: null,
    active: 1,
    attributes: JSON.stringify({ user_name: userName, department: n % 3 === 0 ? 'Sales' : 'Support' }),
    raw: '{}',
    created_at: null,
    last_modified: null,
    first_seen_at: T,
    updated_at: T,
    removed_at: null,
  }
}

const names = (records: GraphRecord[], key = 'user_name') => records.map((r) => String(r[key])).sort()

describe.each(testBackends())('graph queries on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'over the graph',
    () => {
      const label = (name: string) => `graph-queries-${name}-${backend.name}`

      it('finds current accounts by filters over normalized names, as objects with id and integration', async () => {
        const world = await extractionWorld(backend, label('accounts'), { seedUsers: 40 })
        await runExtraction(world.db, world.target({ extensionSchemas: true }))
        const search = (filter?: string) =>
          collect(searchAccounts(world.db, 'app', filter === undefined ? undefined : parseFilter(filter)))

        const sales = await search('department eq "Sales"')
        // Seeded user n works in Sales when n ≡ 1 (mod 8).
        expect(names(sales)).toEqual([1, 9, 17, 25, 33].map((n) => `user${n}@example.com`).sort())
        expect(sales.find((r) => r.id === seededUserId(9))).toMatchObject({
          id: seededUserId(9),
          integration: 'app',
          user_name: 'user9@example.com',
          department: 'Sales',
          email: 'user9@example.com',
        })
        // SCIM compares strings without case unless the attribute is case-exact.
        expect(await search('department eq "sales"')).toHaveLength(5)
        // User 25 is inactive.
        expect(names(await search('department eq "Sales" and active eq true'))).not.toContain(
          'user25@example.com',
        )
        expect(await search('department eq "Sales" and active eq true')).toHaveLength(4)
        // Badge colours cycle every 4 users, red when n ≡ 0: of users 1 and 10-19, 12 and 16.
        const red = await search('scim_extension_provisio_badge_color eq "red" and user_name sw "user1"')
        expect(names(red)).toEqual(['user12@example.com', 'user16@example.com'])
        expect(await search()).toHaveLength(40)
        expect(await search('department eq "Nowhere"')).toEqual([])
      })

      it('leaves removed accounts, groups and memberships out', async () => {
        const world = await extractionWorld(backend, label('removed'), { seedUsers: 16, seedGroups: 10 })
        const target = world.target()
        await runExtraction(world.db, target)
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.delete(`/Users/${seededUserId(3)}`)
        await http.delete(`/Groups/${seededGroupId(10)}`)
        await runExtraction(world.db, target)

        const accounts = await collect(searchAccounts(world.db, 'app'))
        expect(accounts).toHaveLength(15)
        expect(accounts.map((a) => a.id)).not.toContain(seededUserId(3))
        const groups = await collect(searchGroups(world.db, 'app'))
        expect(groups.map((g) => g.display_name)).not.toContain('Team 10')
        expect(groups).toHaveLength(9)
        const memberships = await collect(searchMemberships(world.db, 'app'))
        expect(
          memberships.some((m) => m.member_id === seededUserId(3) || m.group_id === seededGroupId(10)),
        ).toBe(false)
        // 16 department memberships and one each in Team 9 and Team 10, less user 3's and Team 10's.
        expect(memberships).toHaveLength(16)
      })

      it('names both ends of a membership, nested groups included', async () => {
        const world = await extractionWorld(backend, label('members'), { seedUsers: 10, seedGroups: 10 })
        const http = new TestClient(world.sandbox.url, TOKEN)
        await http.patch(`/Groups/${seededGroupId(1)}`, [
          { op: 'add', path: 'members', value: [{ value: seededGroupId(9), type: 'Group' }] },
        ])
        await runExtraction(world.db, world.target())

        const nested = await collect(
          searchMemberships(world.db, 'app', parseFilter('member_type eq "Group"')),
        )
        expect(nested).toEqual([
          {
            id: `${seededGroupId(1)}:${seededGroupId(9)}`,
            integration: 'app',
            group_id: seededGroupId(1),
            group_name: 'Engineering',
            member_id: seededGroupId(9),
            member_type: 'Group',
            member_name: 'Team 9',
          },
        ])
        const sales = await collect(searchMemberships(world.db, 'app', parseFilter('group_name eq "Sales"')))
        expect(names(sales, 'member_name')).toEqual(['user1@example.com', 'user9@example.com'])
        expect(sales.every((m) => m.member_type === 'User' && m.integration === 'app')).toBe(true)
        const teams = await collect(searchGroups(world.db, 'app', parseFilter('display_name sw "Team"')))
        expect(teams.map((g) => [g.display_name, g.external_id])).toEqual([
          ['Team 9', 'G9'],
          ['Team 10', 'G10'],
        ])
      })

      it('pages through more rows than one query reads, in key order, and keeps integrations apart', async () => {
        const world = await extractionWorld(backend, label('paging'))
        const rows = Array.from({ length: 2_345 }, (_, i) => accountRow('app', i + 1))
        const others = Array.from({ length: 30 }, (_, i) => accountRow('other', i + 1))
        for (let i = 0; i < rows.length; i += 500) {
          await world.db
            .insertInto('accounts')
            .values(rows.slice(i, i + 500))
            .execute()
        }
        await world.db.insertInto('accounts').values(others).execute()
        // Memberships across group boundaries: 3 groups of 700 members each.
        const memberships: MembershipsTable[] = []
        for (const group of ['g-1', 'g-2', 'g-3']) {
          for (let n = 1; n <= 700; n++) {
            memberships.push({
              integration: 'app',
              group_id: group,
              member_id: rows[n - 1]!.id,
              member_type: 'User',
              first_seen_at: T,
              removed_at: null,
            })
          }
        }
        for (let i = 0; i < memberships.length; i += 500) {
          await world.db
            .insertInto('memberships')
            .values(memberships.slice(i, i + 500))
            .execute()
        }

        const all = await collect(searchAccounts(world.db, 'app'))
        expect(all.map((r) => r.id)).toEqual(rows.map((r) => r.id))
        expect(all.every((r) => r.integration === 'app')).toBe(true)
        const sales = await collect(searchAccounts(world.db, 'app', parseFilter('department eq "Sales"')))
        expect(sales).toHaveLength(Math.floor(2_345 / 3))
        const edges = await collect(searchMemberships(world.db, 'app'))
        expect(edges.map((e) => e.id)).toEqual(memberships.map((m) => `${m.group_id}:${m.member_id}`))
        expect(edges[0]).toMatchObject({ group_name: null, member_name: 'bulk1@example.com' })
        expect(await collect(searchAccounts(world.db, 'other'))).toHaveLength(30)
        expect(await collect(searchAccounts(world.db, 'nobody'))).toEqual([])
      })
    },
  )
})
