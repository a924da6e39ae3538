/**
 * Safety limits on every backend: a run over a threshold (a count, a share of the accounts, the
 * rolling window, the total cap) is stored waiting for approval and sends nothing; approved, it
 * runs.
 */
import { describe, expect, it } from 'vitest'
import { RunStateError } from '../../src/lcm/index.ts'
import type { SandboxRequestRecord } from '../../src/sandbox/index.ts'
import { actions } from '../support/lcm-fixtures.ts'
import { type LcmWorld, lcmWorld } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const users = (n: number, group?: string) =>
  Array.from({ length: n }, (_, i) => [
    `- sync_identity: { integration: app, attributes: { user_name: u${i}@example.com } }`,
    ...(group
      ? [`- manage_relationships: { integration: app, user_name: u${i}@example.com, add: [${group}] }`]
      : []),
  ]).flat()
const leavers = (from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, i) => `- deprovision_identity: { integration: app, user_name: u${from + i}@example.com }`,
  )

async function world(backend: Parameters<typeof lcmWorld>[0], label: string, limits: string) {
  const log: SandboxRequestRecord[] = []
  const made = await lcmWorld(backend, `lcm-limits-${label}`, {
    integration: [`    limits: ${limits}`],
    sandbox: { onRequest: (request) => log.push(request) },
  })
  await made.extract()
  return { world: made, writes: () => log.filter((r) => r.method !== 'GET').length }
}

/** Stores the plan of `lines`; it must wait for approval, having sent nothing. */
async function expectWaits(w: { world: LcmWorld; writes: () => number }, lines: string[]) {
  const plan = await w.world.engine.plan(actions(...lines))
  const sent = w.writes()
  const stored = await w.world.engine.store(plan, 'actions:test')
  expect(stored.status).toBe('awaiting_approval')
  await expect(w.world.engine.execute(stored.runId)).rejects.toThrow(RunStateError)
  await expect(w.world.engine.execute(stored.runId)).rejects.toThrow(/apply --approve/)
  expect(w.writes()).toBe(sent)
  const run = await w.world.store.db
    .selectFrom('lcm_runs')
    .select(['status', 'limits_report'])
    .where('id', '=', stored.runId)
    .executeTakeFirstOrThrow()
  expect(run.status).toBe('awaiting_approval')
  expect(JSON.parse(run.limits_report ?? '[]')).toEqual(stored.breaches)
  return stored
}

describe.each(testBackends())('safety limits on $name', (backend) => {
  it.skipIf(backend.skip !== undefined)(
    'a run over a count waits for approval, sends nothing, and runs once approved',
    async () => {
      const w = await world(backend, 'count', '{ deactivations: { perRun: 2 } }')
      await w.world.apply(...users(3))
      expect((await w.world.plan(...leavers(0, 2))).operations).toHaveLength(2)
      const stored = await expectWaits(w, leavers(0, 3))
      expect(stored.breaches).toEqual([
        expect.objectContaining({
          integration: 'app',
          kind: 'deactivations',
          threshold: 'perRun',
          count: 3,
          limit: 2,
        }),
      ])
      const sent = w.writes()
      await w.world.engine.approve(stored.runId)
      const summary = await w.world.engine.execute(stored.runId)
      expect(summary.status).toBe('succeeded')
      expect(w.writes()).toBe(sent + 3)
      expect((await w.world.users()).map((u) => u.active)).toEqual([false, false, false])
      const run = await w.world.store.db
        .selectFrom('lcm_runs')
        .select(['approved_by', 'approved_at'])
        .where('id', '=', stored.runId)
        .executeTakeFirstOrThrow()
      expect(run.approved_by).toBe('tester@test')
      await expect(w.world.engine.approve(stored.runId)).rejects.toThrow(/not awaiting approval/)
    },
  )

  it.skipIf(backend.skip !== undefined)(
    "a run over a share of the integration's accounts waits (membership removals, weighted by member)",
    async () => {
      const w = await world(backend, 'percent', '{ membershipRemovals: { perRunPercent: 40 } }')
      await w.world.apply(
        '- create_entitlement: { integration: app, group: { display_name: all } }',
        ...users(20, 'all'),
      )
      const removals = (n: number) =>
        Array.from(
          { length: n },
          (_, i) =>
            `- manage_relationships: { integration: app, user_name: u${i}@example.com, remove: [all] }`,
        )
      // 8 of 20 is 40%: at the limit, not over it.
      const under = await w.world.engine.store(await w.world.engine.plan(actions(...removals(8))), 'test')
      expect(under.status).toBe('pending')
      const stored = await expectWaits(w, removals(11))
      expect(stored.breaches).toEqual([
        expect.objectContaining({
          kind: 'membershipRemovals',
          threshold: 'perRunPercent',
          count: 55,
          limit: 40,
        }),
      ])
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'the rolling window counts what earlier runs did: the run that crosses it waits',
    async () => {
      const w = await world(backend, 'window', '{ window: 24h, deactivations: { perWindow: 3 } }')
      await w.world.apply(...users(5))
      const first = await w.world.apply(...leavers(0, 2))
      expect(first.status).toBe('succeeded')
      const stored = await expectWaits(w, leavers(2, 4))
      expect(stored.breaches).toEqual([
        expect.objectContaining({ kind: 'deactivations', threshold: 'perWindow', count: 4, limit: 3 }),
      ])
    },
  )

  it.skipIf(backend.skip !== undefined)('a run over maxOperations waits, whatever its kinds', async () => {
    const w = await world(backend, 'max', '{ maxOperations: 5 }')
    const stored = await expectWaits(w, users(6))
    expect(stored.breaches).toEqual([
      expect.objectContaining({ kind: 'operations', threshold: 'maxOperations', count: 6, limit: 5 }),
    ])
    await w.world.engine.approve(stored.runId)
    expect((await w.world.engine.execute(stored.runId)).status).toBe('succeeded')
    expect(await w.world.users()).toHaveLength(6)
  })
})
