/**
 * `extensionSchemas: true` reads `/Schemas`, names custom extension attributes
 * `scim_extension_<vendor>_<attribute>` and stores the reverse index; without it no `/Schemas`
 * request is made and no extension attribute reaches the graph.
 */
import { describe, expect, it } from 'vitest'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { PROVISIO_USER_EXTENSION, seededUserId } from '../../src/sandbox/index.ts'
import { extractionWorld, graphSnapshot } from '../support/extraction-fixtures.ts'
import { ACME_USER, fakeUser, startFakeTarget } from '../support/fake-scim-target.ts'
import { startRecordingProxy } from '../support/scim-servers.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const EXTENSION_PREFIX = 'scim_extension_'

function extensionKeys(attributes: string): string[] {
  return Object.keys(JSON.parse(attributes) as object).filter((key) => key.startsWith(EXTENSION_PREFIX))
}

describe.each(testBackends())('extension schemas on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'and /Schemas',
    () => {
      const label = (name: string) => `extract-ext-${name}-${backend.name}`

      it('names custom attributes scim_extension_provisio_… and writes their reverse-index rows', async () => {
        const world = await extractionWorld(backend, label('on'), { seedUsers: 8 })
        const proxy = await startRecordingProxy(world.sandbox.url)
        world.defer(() => proxy.close())

        const summary = await runExtraction(
          world.db,
          world.target({ url: proxy.url, extensionSchemas: true }),
        )

        expect(summary.notes).toEqual([])
        expect(proxy.to('/Schemas')).toHaveLength(1)
        const account = (await graphSnapshot(world.db)).accounts.find((a) => a.id === seededUserId(7))!
        const attributes = JSON.parse(account.attributes) as Record<string, unknown>
        expect(attributes).toMatchObject({
          scim_extension_provisio_badge_color: 'yellow',
          scim_extension_provisio_clearance_level: 1,
          scim_extension_provisio_remote: false,
          scim_extension_provisio_skills: ['scim', 'marketing'],
          scim_extension_provisio_cost_code: 'K007',
          scim_extension_provisio_badge_id: 'B-7',
          department: 'Operations',
        })

        const index = await world.db
          .selectFrom('attribute_index')
          .selectAll()
          .where('integration', '=', 'app')
          .where('schema_urn', '=', PROVISIO_USER_EXTENSION)
          .orderBy('normalized_name')
          .execute()
        expect(index.map((row) => [row.normalized_name, row.attribute_path, row.resource_type])).toEqual(
          [
            ['scim_extension_provisio_badge_color', 'badgeColor'],
            ['scim_extension_provisio_badge_id', 'badgeId'],
            ['scim_extension_provisio_clearance_level', 'clearanceLevel'],
            ['scim_extension_provisio_cost_code', 'costCode'],
            ['scim_extension_provisio_hourly_rate', 'hourlyRate'],
            ['scim_extension_provisio_notes', 'notes'],
            ['scim_extension_provisio_remote', 'remote'],
            ['scim_extension_provisio_skills', 'skills'],
            ['scim_extension_provisio_start_date', 'startDate'],
          ].map(([name, path]) => [name, path, 'User']),
        )
        expect(index.find((row) => row.attribute_path === 'skills')).toMatchObject({
          multi_valued: 1,
          type: 'string',
        })
        expect(index.find((row) => row.attribute_path === 'costCode')?.mutability).toBe('readOnly')
        const schemas = await world.db.selectFrom('target_schemas').select('urn').orderBy('urn').execute()
        expect(schemas.map((row) => row.urn)).toContain(PROVISIO_USER_EXTENSION)
      })

      it('without the flag makes no /Schemas request and keeps extensions out of the graph', async () => {
        const world = await extractionWorld(backend, label('off'), { seedUsers: 8, seedGroups: 3 })
        const proxy = await startRecordingProxy(world.sandbox.url)
        world.defer(() => proxy.close())

        await runExtraction(world.db, world.target({ url: proxy.url, extensionSchemas: false }))

        expect(proxy.to('/Schemas')).toEqual([])
        expect(proxy.to('/ServiceProviderConfig')).toHaveLength(1)
        const graph = await graphSnapshot(world.db)
        expect(graph.accounts).toHaveLength(8)
        expect(graph.accounts.flatMap((a) => extensionKeys(a.attributes))).toEqual([])
        expect(graph.groups.flatMap((g) => extensionKeys(g.attributes))).toEqual([])
        // Core and enterprise attributes are still there.
        expect(JSON.parse(graph.accounts[0]!.attributes)).toHaveProperty('department')
        expect(await world.db.selectFrom('attribute_index').selectAll().execute()).toEqual([])
        expect(await world.db.selectFrom('target_schemas').selectAll().execute()).toEqual([])
      })

      it('drops extension attributes and the reverse index once the flag is turned off', async () => {
        const world = await extractionWorld(backend, label('turned-off'), { seedUsers: 4 })
        await runExtraction(world.db, world.target({ extensionSchemas: true }))
        expect(
          (await graphSnapshot(world.db)).accounts.flatMap((a) => extensionKeys(a.attributes)),
        ).not.toEqual([])

        const summary = await runExtraction(world.db, world.target({ extensionSchemas: false }))

        expect(summary.rowsWritten).toBe(4)
        expect((await graphSnapshot(world.db)).accounts.flatMap((a) => extensionKeys(a.attributes))).toEqual(
          [],
        )
        expect(await world.db.selectFrom('attribute_index').selectAll().execute()).toEqual([])
        expect(await world.db.selectFrom('target_schemas').selectAll().execute()).toEqual([])
      })

      it('extracts core attributes from a target without /Schemas and notes that extensions were skipped', async () => {
        const world = await extractionWorld(backend, label('no-schemas'))
        const target = await startFakeTarget({
          schemas: false,
          users: [
            fakeUser('u1', 'ada@example.com', { title: 'Engineer', [ACME_USER]: { badgeColor: 'red' } }),
          ],
        })
        world.defer(() => target.close())

        const summary = await runExtraction(
          world.db,
          world.target({ url: target.url, extensionSchemas: true }),
        )

        expect(summary.status).toBe('succeeded')
        expect(summary.notes).toContain('the target has no /Schemas: extensions not extracted')
        expect(target.to('/Schemas')).toHaveLength(1)
        const [account] = (await graphSnapshot(world.db)).accounts
        expect(JSON.parse(account!.attributes)).toMatchObject({
          user_name: 'ada@example.com',
          title: 'Engineer',
        })
        expect(extensionKeys(account!.attributes)).toEqual([])
        // The raw resource keeps everything the target sent.
        expect(JSON.parse(account!.raw)[ACME_USER]).toEqual({ badgeColor: 'red' })
      })

      it('names the fake target’s own extension after its vendor', async () => {
        const world = await extractionWorld(backend, label('acme'))
        const target = await startFakeTarget({
          users: [fakeUser('u1', 'ada@example.com', { [ACME_USER]: { badgeColor: 'red' } })],
        })
        world.defer(() => target.close())

        await runExtraction(world.db, world.target({ url: target.url, extensionSchemas: true }))

        const [account] = (await graphSnapshot(world.db)).accounts
        expect(JSON.parse(account!.attributes)).toMatchObject({ scim_extension_acme_badge_color: 'red' })
        const row = await world.db
          .selectFrom('attribute_index')
          .selectAll()
          .where('normalized_name', '=', 'scim_extension_acme_badge_color')
          .executeTakeFirst()
        expect(row).toMatchObject({
          schema_urn: ACME_USER,
          attribute_path: 'badgeColor',
          resource_type: 'User',
        })
      })
    },
  )
})
