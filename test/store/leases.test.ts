/** Leases on every backend: one holder at a time, takeover after expiry, renewal, release. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acquireLease, readLease, releaseLease } from '../../src/store/leases.ts'
import { openTestStore, type TestBackend, testBackends } from '../support/test-databases.ts'

const TTL = 30_000
const at = (ms: number) => new Date(Date.UTC(2024, 4, 1, 8, 0, 0) + ms)

describe.each(testBackends())('leases on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'with a fresh store',
    () => {
      let store: Awaited<ReturnType<typeof openTestStore>>

      beforeAll(async () => {
        store = await openTestStore(backend, `leases-${backend.name}`)
      })
      afterAll(async () => {
        await store?.dispose()
      })

      it('grants a free lease and refuses it to a second holder while it runs', async () => {
        expect(await acquireLease(store.db, 'scheduler', 'a', TTL, { now: at(0) })).toBe(true)
        expect(await acquireLease(store.db, 'scheduler', 'b', TTL, { now: at(1000) })).toBe(false)
        expect(await readLease(store.db, 'scheduler')).toEqual({
          holder: 'a',
          expiresAt: at(TTL).toISOString(),
        })
      })

      it('lets its holder renew it, pushing the expiry forward', async () => {
        expect(await acquireLease(store.db, 'renew', 'a', TTL, { now: at(0) })).toBe(true)
        expect(await acquireLease(store.db, 'renew', 'a', TTL, { now: at(20_000) })).toBe(true)
        // At 35 s the first grant would have expired; the renewal holds until 50 s.
        expect(await acquireLease(store.db, 'renew', 'b', TTL, { now: at(35_000) })).toBe(false)
        expect((await readLease(store.db, 'renew'))?.expiresAt).toBe(at(50_000).toISOString())
      })

      it('hands an expired lease to another holder, after which the old holder cannot renew', async () => {
        expect(await acquireLease(store.db, 'expiry', 'a', TTL, { now: at(0) })).toBe(true)
        expect(await acquireLease(store.db, 'expiry', 'b', TTL, { now: at(TTL + 1) })).toBe(true)
        expect(await acquireLease(store.db, 'expiry', 'a', TTL, { now: at(TTL + 2) })).toBe(false)
        expect((await readLease(store.db, 'expiry'))?.holder).toBe('b')
      })

      it('gives the lease to exactly one of many holders contending at once', async () => {
        const holders = Array.from({ length: 8 }, (_, i) => `holder-${i}`)
        const granted = await Promise.all(holders.map((h) => acquireLease(store.db, 'contended', h, TTL)))
        expect(granted.filter(Boolean)).toHaveLength(1)
        const winner = holders[granted.indexOf(true)]
        expect((await readLease(store.db, 'contended'))?.holder).toBe(winner)
      })

      it('releases only for its holder, and a released lease is free again', async () => {
        expect(await acquireLease(store.db, 'release', 'a', TTL)).toBe(true)
        expect(await releaseLease(store.db, 'release', 'b')).toBe(false)
        expect(await acquireLease(store.db, 'release', 'b', TTL)).toBe(false)
        expect(await releaseLease(store.db, 'release', 'a')).toBe(true)
        expect(await readLease(store.db, 'release')).toBeUndefined()
        expect(await acquireLease(store.db, 'release', 'b', TTL)).toBe(true)
      })

      it('refuses a TTL that is not a positive whole number of milliseconds', async () => {
        await expect(acquireLease(store.db, 'bad', 'a', 0)).rejects.toThrow(RangeError)
        await expect(acquireLease(store.db, 'bad', 'a', 1.5)).rejects.toThrow(/whole number/)
      })
    },
  )
})
