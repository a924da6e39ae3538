/**
 * Snapshots and joiner/mover/leaver detection, on every backend: events from reads, state left
 * alone by refused reads, an unchanged re-read that writes nothing, consumer positions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  currentIdentities,
  findIdentity,
  lastSnapshot,
  markEventsConsumed,
  pendingEvents,
  readSource,
  type SourceAttributes,
  type SourceEvent,
  takeSnapshot,
} from '../../src/sources/index.ts'
import { openTestStore, type TestBackend, testBackends } from '../support/test-databases.ts'
import { csvSource, lines, readOf, scratchDir } from './fixtures.ts'

type TestStore = Awaited<ReturnType<typeof openTestStore>>

const T1 = new Date('2024-05-01T08:00:00.000Z')
const T2 = new Date('2024-05-02T08:00:00.000Z')
const T3 = new Date('2024-05-03T08:00:00.000Z')

const ada = { id: 'E1', name: 'Ada', department: 'R&D', status: 'active' }
const grace = { id: 'E2', name: 'Grace', department: 'Navy', status: 'active' }
const alan = { id: 'E3', name: 'Alan', department: 'Maths', status: 'active' }

const terminated = (attributes: SourceAttributes) => attributes.status === 'terminated'
const brief = (events: readonly SourceEvent[]) =>
  events.map(({ key, kind, reason }) => `${kind}:${reason}:${key}`)

/** Every row of the source tables, to show a refused or unchanged read wrote nothing. */
async function tableState(store: TestStore) {
  const identities = await store.db
    .selectFrom('source_identities')
    .selectAll()
    .orderBy('identity_key')
    .execute()
  const events = await store.db.selectFrom('source_events').selectAll().orderBy('seq').execute()
  return { identities, events }
}

describe.each(testBackends())('source snapshots on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ?? 'with a fresh store per case', () => {
    let store: TestStore
    let scratch: Awaited<ReturnType<typeof scratchDir>>
    let label = 0

    beforeAll(async () => {
      scratch = await scratchDir()
    })
    afterAll(async () => {
      await scratch.dispose()
    })
    const fresh = async () => {
      label += 1
      store = await openTestStore(backend, `sources-snapshot-${backend.name}-${label}`)
      return store
    }
    afterEach(async () => {
      await store?.dispose()
    })

    it('a first read makes everyone a joiner; an unchanged re-read writes no identity and no event', async () => {
      await fresh()
      const first = await takeSnapshot(store, readOf('hr', [ada, grace]), { now: T1 })
      expect(first.status).toBe('accepted')
      expect(brief(first.events)).toEqual(['joiner:new:E1', 'joiner:new:E2'])
      expect(first.events[0]).toMatchObject({
        seq: 1,
        attributes: ada,
        changes: {},
        createdAt: T1.toISOString(),
      })
      expect(first.written).toBe(2)
      const before = await tableState(store)

      // Same people, attributes in another order: the canonical hash sees no change.
      const reordered = { status: 'active', department: 'R&D', name: 'Ada', id: 'E1' }
      const again = await takeSnapshot(store, readOf('hr', [grace, reordered]), { now: T2 })
      expect(again).toMatchObject({ status: 'accepted', events: [], written: 0, identities: 2 })
      expect(await tableState(store)).toEqual(before)
      expect(await lastSnapshot(store.db, 'hr')).toMatchObject({
        id: again.snapshotId,
        status: 'accepted',
        identity_count: 2,
        joiners: 0,
      })
    })

    it('a mover records every change, from and to; a leaver is gone or meets the condition', async () => {
      await fresh()
      await takeSnapshot(store, readOf('hr', [ada, grace, alan]), { now: T1, isLeaver: terminated })
      const moved = { ...ada, department: 'Research', title: 'Fellow' }
      const { name: _name, ...unnamed } = moved
      const second = await takeSnapshot(store, readOf('hr', [unnamed, { ...grace, status: 'terminated' }]), {
        now: T2,
        isLeaver: terminated,
      })
      expect(brief(second.events)).toEqual(['mover:changed:E1', 'leaver:condition:E2', 'leaver:absent:E3'])
      expect(second.events[0]?.changes).toEqual({
        department: { from: 'R&D', to: 'Research' },
        name: { from: 'Ada', to: null },
        title: { from: null, to: 'Fellow' },
      })
      expect(second.events[1]).toMatchObject({
        changes: { status: { from: 'active', to: 'terminated' } },
        attributes: { status: 'terminated' },
      })
      // A leaver that is gone keeps the attributes it was last seen with.
      expect(second.events[2]).toMatchObject({ changes: {}, attributes: alan, seq: 6 })
      expect(await lastSnapshot(store.db, 'hr')).toMatchObject({ joiners: 0, movers: 1, leavers: 2 })
      expect((await currentIdentities(store.db, 'hr')).map((identity) => identity.key)).toEqual(['E1'])
      expect(await findIdentity(store.db, 'hr', 'E3')).toMatchObject({
        attributes: alan,
        firstSeenAt: T1.toISOString(),
        leftAt: T2.toISOString(),
      })

      // Still terminated, still gone: nothing more happens.
      const third = await takeSnapshot(store, readOf('hr', [unnamed, { ...grace, status: 'terminated' }]), {
        now: T3,
        isLeaver: terminated,
      })
      expect(third.events).toEqual([])
      expect(third.written).toBe(0)
    })

    it('a preview (dry run) gives the events the snapshot would and writes nothing', async () => {
      await fresh()
      await takeSnapshot(store, readOf('hr', [ada, grace, alan]), { now: T1, isLeaver: terminated })
      const before = await tableState(store)
      const snapshotsBefore = await store.db.selectFrom('source_snapshots').selectAll().execute()
      const next = readOf('hr', [
        { ...ada, department: 'Research' },
        { ...grace, status: 'terminated' },
      ])
      const preview = await takeSnapshot(store, next, { now: T2, isLeaver: terminated, dryRun: true })
      expect(await tableState(store)).toEqual(before)
      expect(await store.db.selectFrom('source_snapshots').selectAll().execute()).toEqual(snapshotsBefore)
      const taken = await takeSnapshot(store, next, { now: T2, isLeaver: terminated })
      const strip = (events: readonly SourceEvent[]) => events.map(({ snapshotId: _id, ...event }) => event)
      expect(strip(preview.events)).toEqual(strip(taken.events))
      expect(brief(preview.events)).toEqual(['mover:changed:E1', 'leaver:condition:E2', 'leaver:absent:E3'])
      expect(preview.written).toBe(taken.written)
    })

    it('a leaver who returns is a joiner again, whether they were gone or terminated', async () => {
      await fresh()
      await takeSnapshot(store, readOf('hr', [ada, grace, alan]), { now: T1, isLeaver: terminated })
      await takeSnapshot(store, readOf('hr', [ada, { ...grace, status: 'terminated' }]), {
        now: T2,
        isLeaver: terminated,
      })
      const back = await takeSnapshot(store, readOf('hr', [ada, grace, { ...alan, department: 'AI' }]), {
        now: T3,
        isLeaver: terminated,
      })
      expect(brief(back.events)).toEqual(['joiner:returned:E2', 'joiner:returned:E3'])
      expect(back.events[1]?.changes).toEqual({ department: { from: 'Maths', to: 'AI' } })
      const identities = await currentIdentities(store.db, 'hr')
      expect(identities.map(({ key, leftAt }) => ({ key, leftAt }))).toEqual([
        { key: 'E1', leftAt: null },
        { key: 'E2', leftAt: null },
        { key: 'E3', leftAt: null },
      ])
      expect(identities[2]?.firstSeenAt).toBe(T1.toISOString())
    })

    it('two snapshots of one source at once detect each change once', async () => {
      await fresh()
      const rows = Array.from({ length: 300 }, (_, i) => ({ id: `E${i}`, n: String(i) }))
      const results = await Promise.all([
        takeSnapshot(store, readOf('hr', rows), { now: T1 }),
        takeSnapshot(store, readOf('hr', rows), { now: T1 }),
      ])
      expect(results.map((result) => result.events.length).sort()).toEqual([0, 300])
      const seqs = (await pendingEvents(store.db, 'hr', 'check', { limit: 1000 })).map((event) => event.seq)
      expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    })

    it('someone first seen as a leaver never joined: stored as left, no event', async () => {
      await fresh()
      const first = await takeSnapshot(store, readOf('hr', [ada, { ...grace, status: 'terminated' }]), {
        now: T1,
        isLeaver: terminated,
      })
      expect(brief(first.events)).toEqual(['joiner:new:E1'])
      expect(await findIdentity(store.db, 'hr', 'E2')).toMatchObject({ leftAt: T1.toISOString() })
    })

    it('held keys (duplicated or malformed rows) keep their state instead of leaving', async () => {
      await fresh()
      await takeSnapshot(store, readOf('hr', [ada, grace]), { now: T1 })
      const held = await takeSnapshot(store, readOf('hr', [ada], 'id', ['E2']), { now: T2 })
      expect(held.events).toEqual([])
      expect(await findIdentity(store.db, 'hr', 'E2')).toMatchObject({ attributes: grace, leftAt: null })
    })

    it('each consumer reads every event once, from its own position', async () => {
      await fresh()
      await takeSnapshot(store, readOf('hr', [ada, grace]), { now: T1 })
      await takeSnapshot(store, readOf('hr', [{ ...ada, department: 'AI' }]), { now: T2 })
      const all = await pendingEvents(store.db, 'hr', 'policy:a')
      expect(all.map(({ seq, kind, key }) => `${seq}:${kind}:${key}`)).toEqual([
        '1:joiner:E1',
        '2:joiner:E2',
        '3:mover:E1',
        '4:leaver:E2',
      ])
      expect(all[2]?.changes).toEqual({ department: { from: 'R&D', to: 'AI' } })
      await markEventsConsumed(store.db, 'hr', 'policy:a', 2, T2)
      expect((await pendingEvents(store.db, 'hr', 'policy:a')).map((event) => event.seq)).toEqual([3, 4])
      expect(
        (await pendingEvents(store.db, 'hr', 'policy:b', { limit: 1 })).map((event) => event.seq),
      ).toEqual([1])
      // A position never moves back.
      await markEventsConsumed(store.db, 'hr', 'policy:a', 4, T3)
      await markEventsConsumed(store.db, 'hr', 'policy:a', 1, T3)
      expect(await pendingEvents(store.db, 'hr', 'policy:a')).toEqual([])
      expect(await pendingEvents(store.db, 'other', 'policy:a')).toEqual([])
    })

    it('every kind of bad file is refused and leaves the stored state exactly as it was', async () => {
      await fresh()
      const source = (path: string) => csvSource({ path, key: 'id' })
      await scratch.write(
        'good.csv',
        lines('id,name,department,status', 'E1,Ada,R&D,active', 'E2,Grace,Navy,active'),
      )
      const good = await readSource(source('good.csv'), { baseDir: scratch.dir })
      await takeSnapshot(store, good, { now: T1 })
      const before = await tableState(store)
      const bad: Record<string, string | Buffer> = {
        'empty.csv': '',
        'header-only.csv': 'id,name\n',
        'no-key-column.csv': lines('employee,name', 'E1,Ada'),
        'no-valid-rows.csv': lines('id,name', ',Ada', ',Grace'),
        'duplicate-column.csv': lines('id,name,name', 'E1,Ada,Ada'),
        'unclosed-quote.csv': lines('id,name', 'E1,"Ada', 'E2,Grace'),
        'latin1.csv': Buffer.from('id,name\nE1,José\n', 'latin1'),
      }
      for (const [name, content] of Object.entries(bad)) await scratch.write(name, content)
      for (const path of [...Object.keys(bad), 'missing.csv']) {
        const read = await readSource(source(path), { baseDir: scratch.dir })
        const result = await takeSnapshot(store, read, { now: T2 })
        expect(result.status, path).toBe('refused')
        expect(result.events).toEqual([])
        expect(await tableState(store), path).toEqual(before)
        const row = await lastSnapshot(store.db, 'hr')
        expect(row).toMatchObject({ id: result.snapshotId, status: 'refused', mode: 'full' })
        expect(JSON.parse(row?.error ?? '{}')).toMatchObject({
          code: result.error?.code,
          file: expect.stringContaining(path),
        })
      }
    })

    it('stores row problems with the snapshot and writes in batches across many identities', async () => {
      await fresh()
      const rows = Array.from({ length: 1_234 }, (_, i) => ({ id: `E${i}`, n: String(i) }))
      const first = await takeSnapshot(store, readOf('hr', rows), { now: T1 })
      expect(first.events).toHaveLength(1_234)
      const changed = rows
        .filter((_, i) => i % 3 !== 0)
        .map((row, i) => (i % 2 === 0 ? { ...row, n: 'x' } : row))
      const read = {
        ...readOf('hr', changed),
        problems: [{ source: 'hr', line: 7, code: 'missing_key' as const, reason: 'r' }],
      }
      const second = await takeSnapshot(store, read, { now: T2 })
      const kinds = second.events.reduce<Record<string, number>>((acc, event) => {
        acc[event.kind] = (acc[event.kind] ?? 0) + 1
        return acc
      }, {})
      expect(kinds).toEqual({ mover: 411, leaver: 412 })
      expect(await lastSnapshot(store.db, 'hr')).toMatchObject({
        problem_count: 1,
        movers: 411,
        leavers: 412,
      })
      expect((await currentIdentities(store.db, 'hr')).length).toBe(822)
    })
  })
})
