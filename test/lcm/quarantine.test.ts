/**
 * Quarantine on every backend: a target that refuses the credentials (401) pauses the integration
 * after the first refusal; one answering 503 to everything after five operations in a row fail.
 * Operations wait, the run is `quarantined`, and once the integration is resumed the same run
 * finishes with every operation applied.
 */
import { describe, expect, it } from 'vitest'
import { resumeIntegration } from '../../src/lcm/index.ts'
import type { SandboxRequestRecord } from '../../src/sandbox/index.ts'
import { actions } from '../support/lcm-fixtures.ts'
import { lcmWorld } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const joiners = Array.from({ length: 12 }, (_, i) => [
  `- sync_identity: { integration: app, attributes: { user_name: q${i}@example.com } }`,
  `- manage_relationships: { integration: app, user_name: q${i}@example.com, add: [team] }`,
]).flat()

describe.each(testBackends())('quarantine on $name', (backend) => {
  for (const fault of [
    { status: 401, reason: /credentials refused/, firstRefusalPauses: true },
    { status: 503, reason: /5 operations in a row failed/, firstRefusalPauses: false },
  ]) {
    it.skipIf(backend.skip !== undefined)(
      `a target answering ${fault.status} to everything pauses the integration; resumed, the run finishes`,
      { timeout: 60_000 },
      async () => {
        const log: SandboxRequestRecord[] = []
        const world = await lcmWorld(backend, `lcm-quarantine-${fault.status}`, {
          sandbox: { onRequest: (request) => log.push(request) },
          integration: ['    rateLimit: { concurrency: 2 }'],
        })
        await world.extract()
        await world.apply('- create_entitlement: { integration: app, group: { display_name: team } }')
        const plan = await world.engine.plan(actions(...joiners))
        const stored = await world.engine.store(plan, 'actions:test')
        log.length = 0
        world.sandbox.setFaults({ statusRates: { [fault.status]: 1 }, retryAfterSeconds: 0 })
        const paused = await world.engine.execute(stored.runId)
        expect(paused.status).toBe('quarantined')
        expect(paused.quarantined).toEqual([
          { integration: 'app', reason: expect.stringMatching(fault.reason) },
        ])
        // Refused credentials stop everything at once: only what was in flight (the first look-up
        // before a create, for the two lanes running) reached the target.
        if (fault.firstRefusalPauses) expect(log.length).toBeLessThanOrEqual(2)
        const state = await world.store.db
          .selectFrom('integration_states')
          .select(['quarantine_reason', 'resume_after'])
          .where('integration', '=', 'app')
          .executeTakeFirstOrThrow()
        expect(state.quarantine_reason).toMatch(fault.reason)
        // Nothing failed for good: what was not done waits for the integration to come back.
        const counts = await world.store.db
          .selectFrom('lcm_operations')
          .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('run_id', '=', stored.runId)
          .groupBy('status')
          .execute()
        expect(counts.map((c) => c.status).sort()).not.toContain('failed')
        expect(counts.map((c) => c.status).sort()).not.toContain('skipped')

        // Still quarantined: a resume before the back-off sends nothing.
        log.length = 0
        const again = await world.engine.execute(stored.runId)
        expect(again.status).toBe('quarantined')
        expect(log).toEqual([])

        world.sandbox.setFaults(undefined)
        expect(await resumeIntegration(world.store.db, 'app', new Date())).toBe(true)
        const finished = await world.engine.execute(stored.runId)
        expect(finished.status).toBe('succeeded')
        expect(finished.counts).toEqual({ succeeded: joiners.length })
        const users = await world.users()
        expect(users).toHaveLength(12)
        expect((await world.group('team'))?.members).toHaveLength(12)
      },
    )
  }
})
