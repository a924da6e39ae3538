/**
 * Who may take a run, on every backend: nobody while its holder lives and beats; at once when the
 * holder was a process of this machine that is gone (killed); anyone once the heartbeat is stale.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createRun } from '../../src/lcm/index.ts'
import { holderGone, processHolderName, processSpace } from '../../src/lcm/run-holder.ts'
import { abandonedRuns, claimRun, STALE_AFTER_MS } from '../../src/lcm/run-records.ts'
import { openTestStore, testBackends } from '../support/test-databases.ts'

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

describe.each(testBackends())('claiming a run on $name', (backend) => {
  it.skipIf(backend.skip !== undefined)(
    'a live holder keeps its run; a killed one of this machine loses it at once; a silent one after the stale time',
    async () => {
      const store = await openTestStore(backend, 'lcm-run-claim')
      try {
        const now = new Date('2026-11-29T12:00:00Z')
        const runId = await createRun(store.db, {
          kind: 'apply',
          origin: 'test',
          requestedBy: 'tester',
          status: 'pending',
          problems: [],
          operations: [],
          now: now.toISOString(),
        })
        const parent = `${processSpace()}:${process.ppid}:a`
        expect(await claimRun(store.db, runId, parent, now)).toBe(true)
        expect(holderGone(parent)).toBe(false)
        expect(await claimRun(store.db, runId, processHolderName(), now)).toBe(false)
        expect(await abandonedRuns(store.db, now)).toEqual([])

        const killed = `${processSpace()}:${deadPid()}:b`
        expect(holderGone(killed)).toBe(true)
        await store.db.updateTable('lcm_runs').set({ holder: killed }).where('id', '=', runId).execute()
        expect(await abandonedRuns(store.db, now)).toEqual([runId])
        const me = processHolderName()
        expect(await claimRun(store.db, runId, me, now)).toBe(true)

        // Another machine's holder is judged by its heartbeat alone.
        const elsewhere = `0000000000000000:${deadPid()}:c`
        expect(holderGone(elsewhere)).toBe(false)
        await store.db.updateTable('lcm_runs').set({ holder: elsewhere }).where('id', '=', runId).execute()
        expect(await claimRun(store.db, runId, me, now)).toBe(false)
        const later = new Date(now.getTime() + STALE_AFTER_MS + 1)
        expect(await abandonedRuns(store.db, later)).toEqual([runId])
        expect(await claimRun(store.db, runId, me, later)).toBe(true)
      } finally {
        await store.dispose()
      }
    },
  )
})
