/**
 * The raw JSON of each account and group is the resource as the target sent it: its own text when
 * the target writes compact JSON (escapes and all), the same JSON written compactly when the target
 * indents it. Either way a second extraction of an unchanged target writes nothing.
 */
import { describe, expect, it } from 'vitest'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { extractionWorld, graphSnapshot } from '../support/extraction-fixtures.ts'
import { fakeGroup, fakeUser, startFakeTarget } from '../support/fake-scim-target.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

/** JSON as PHP and many Java servers write it: `/` escaped, everything past ASCII as `\u` escapes. */
function escapedJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const users = [
  fakeUser('u1', 'zoë@example.com', { displayName: 'Zoë "Z" O’Brien', title: 'R&D {lead} [acting]' }),
  fakeUser('u2', 'ben@example.com', { profileUrl: 'https://example.com/~ben', nickName: 'back\\slash' }),
]
const groups = [
  fakeGroup('g1', 'Café / Ops', [
    { value: 'u1', type: 'User' },
    { value: 'u2', type: 'User' },
  ]),
]

describe.each(testBackends())('raw resource JSON on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ? `skipped: ${backend.skip}` : 'kept', () => {
    const label = (name: string) => `extract-raw-${name}-${backend.name}`

    it('is the text the target sent, byte for byte, and a second extraction writes no row', async () => {
      const world = await extractionWorld(backend, label('sent'))
      const target = await startFakeTarget({ users, groups, listText: escapedJson })
      world.defer(() => target.close())

      await runExtraction(world.db, world.target({ url: target.url }))
      const graph = await graphSnapshot(world.db)

      for (const user of users) {
        const account = graph.accounts.find((row) => row.id === user.id)
        expect(account?.raw).toBe(escapedJson(user))
      }
      expect(graph.groups[0]?.raw).toBe(escapedJson(groups[0]))
      expect(graph.accounts.find((row) => row.id === 'u1')?.display_name).toBe('Zoë "Z" O’Brien')
      expect((await runExtraction(world.db, world.target({ url: target.url }))).rowsWritten).toBe(0)
    })

    it('is written compactly when the target indents its JSON', async () => {
      const world = await extractionWorld(backend, label('indented'))
      const target = await startFakeTarget({
        users,
        groups,
        listText: (body) => JSON.stringify(body, null, 2),
      })
      world.defer(() => target.close())

      await runExtraction(world.db, world.target({ url: target.url }))
      const graph = await graphSnapshot(world.db)

      expect(graph.accounts.map((row) => row.raw).sort()).toEqual(
        users.map((user) => JSON.stringify(user)).sort(),
      )
      expect(graph.groups[0]?.raw).toBe(JSON.stringify(groups[0]))
      expect((await runExtraction(world.db, world.target({ url: target.url }))).rowsWritten).toBe(0)
    })
  })
})
