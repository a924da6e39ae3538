/**
 * Health per integration (never extracted → healthy → failing → overdue) and the lifecycle
 * management gate: `lifecycleManagement: true` is refused until one extraction has succeeded.
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.ts'
import type { ExtractionError } from '../../src/extract/extraction-error.ts'
import { assertLifecycleAllowed, integrationHealth, LifecycleRefusedError } from '../../src/extract/health.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { extractionWorld } from '../support/extraction-fixtures.ts'
import { rejectionOf } from '../support/scim-client-fixtures.ts'
import { type TestBackend, testBackends } from '../support/test-databases.ts'

const HOUR = 3_600_000

function configFor(url: string) {
  return parseConfig(
    [
      'integrations:',
      '  app:',
      `    url: ${url}`,
      '    lifecycleManagement: true',
      '    extractionInterval: 1h',
      '  crm:',
      `    url: ${url}`,
      '',
    ].join('\n'),
    'provisio.yaml',
  )
}

describe.each(testBackends())('integration health on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'per integration',
    () => {
      const label = (name: string) => `extract-health-${name}-${backend.name}`

      it('goes from never extracted to healthy to failing, each integration on its own', async () => {
        const world = await extractionWorld(backend, label('statuses'), { seedUsers: 5, seedGroups: 10 })
        const config = configFor(world.sandbox.url)
        const start = new Date()

        const initial = await integrationHealth(world.db, config, start)
        expect(initial.map((h) => [h.integration, h.vendor, h.status, h.lifecycleManagement])).toEqual([
          ['app', 'generic', 'never extracted', 'refused'],
          ['crm', 'generic', 'never extracted', 'disabled'],
        ])
        expect(initial[0]).toMatchObject({
          lastSuccess: null,
          lastError: null,
          running: null,
          counts: { accounts: 0, groups: 0, memberships: 0 },
          nextExtractionAt: start.toISOString(),
        })

        const success = await runExtraction(world.db, world.target({ integration: 'app' }))
        const [app, crm] = await integrationHealth(world.db, config)
        expect(app).toMatchObject({
          status: 'healthy',
          lifecycleManagement: 'enabled',
          lastError: null,
          lastSuccess: { runId: success.runId, durationMs: success.durationMs, mode: 'full' },
          counts: { accounts: 5, groups: 10, memberships: 5 },
        })
        expect(crm?.status).toBe('never extracted')
        const run = await world.db
          .selectFrom('extraction_runs')
          .selectAll()
          .where('id', '=', success.runId)
          .executeTakeFirstOrThrow()
        expect(app?.lastSuccess?.at).toBe(run.finished_at)
        expect(app?.nextExtractionAt).toBe(new Date(new Date(run.started_at).getTime() + HOUR).toISOString())

        world.sandbox.setFaults({ statusRates: { 500: 1 } })
        const failure = (await rejectionOf(
          runExtraction(world.db, world.target({ integration: 'app' })),
        )) as Error
        const [failing] = await integrationHealth(world.db, config)
        expect(failing).toMatchObject({
          status: 'failing',
          // One success is enough: a later failure does not take lifecycle management away.
          lifecycleManagement: 'enabled',
          lastSuccess: { runId: success.runId },
          lastError: { message: failure.message },
          counts: { accounts: 5, groups: 10, memberships: 5 },
        })

        // The schedule tries a failed integration again after its back-off (10 minutes), not its interval.
        const failedRun = await world.db
          .selectFrom('extraction_runs')
          .select('started_at')
          .where('id', '=', (failure as ExtractionError).runId)
          .executeTakeFirstOrThrow()
        const retryAt = new Date(new Date(failedRun.started_at).getTime() + 600_000)
        expect(failing?.nextExtractionAt).toBe(retryAt.toISOString())

        world.sandbox.setFaults(undefined)
        await runExtraction(world.db, world.target({ integration: 'app' }))
        expect((await integrationHealth(world.db, config))[0]?.status).toBe('healthy')
      })

      it('reports a failing integration that never succeeded, and an overdue one', async () => {
        const world = await extractionWorld(backend, label('overdue'), { seedUsers: 2 })
        const config = configFor(world.sandbox.url)
        await rejectionOf(runExtraction(world.db, world.target({ integration: 'crm', token: 'wrong' })))
        await runExtraction(world.db, world.target({ integration: 'app' }))

        const later = new Date(Date.now() + 3 * HOUR)
        const [app, crm] = await integrationHealth(world.db, config, later)

        expect(app?.status).toBe('overdue')
        expect(app?.nextExtractionAt).toBe(later.toISOString())
        expect(crm).toMatchObject({ status: 'failing', lastSuccess: null, lifecycleManagement: 'disabled' })
        expect(crm?.lastError?.message).toContain('401')
      })

      it('shows a run in progress', async () => {
        const world = await extractionWorld(backend, label('running'), { seedUsers: 12 })
        const config = configFor(world.sandbox.url)
        let seen: Awaited<ReturnType<typeof integrationHealth>> | undefined
        let during: Promise<void> | undefined
        await runExtraction(world.db, world.target({ integration: 'app', pageSize: 5 }), {
          onProgress: (progress) => {
            if (progress.phase === 'users' && progress.users === 5) {
              during = integrationHealth(world.db, config).then((health) => {
                seen = health
              })
            }
          },
        })
        await during
        expect(seen?.[0]?.running).toMatchObject({ runId: expect.any(String) })
        expect(seen?.[0]?.status).toBe('never extracted')
      })

      it('refuses lifecycle actions until one extraction succeeded, then allows them', async () => {
        const world = await extractionWorld(backend, label('lifecycle'), { seedUsers: 2 })
        const config = configFor(world.sandbox.url)
        const app = config.integrations.app!
        const crm = config.integrations.crm!

        const refused = await rejectionOf(assertLifecycleAllowed(world.db, app))
        expect(refused).toBeInstanceOf(LifecycleRefusedError)
        expect((refused as Error).message).toBe(
          'integrations.app.lifecycleManagement: true is refused: app has no successful extraction yet, so Provisio does not know what accounts and groups it holds. Run `provisio extract app` (and check `provisio health`), then try again.',
        )
        const off = await rejectionOf(assertLifecycleAllowed(world.db, crm))
        expect((off as Error).message).toBe(
          'integrations.crm.lifecycleManagement is not true: lifecycle actions are off for it',
        )

        // A failed extraction does not count.
        await rejectionOf(runExtraction(world.db, world.target({ integration: 'app', token: 'wrong' })))
        await expect(assertLifecycleAllowed(world.db, app)).rejects.toBeInstanceOf(LifecycleRefusedError)
        expect((await integrationHealth(world.db, config))[0]?.lifecycleManagement).toBe('refused')

        await runExtraction(world.db, world.target({ integration: 'app' }))
        await expect(assertLifecycleAllowed(world.db, app)).resolves.toBeUndefined()
        expect((await integrationHealth(world.db, config))[0]?.lifecycleManagement).toBe('enabled')
        // Another integration's success does not enable crm.
        await expect(assertLifecycleAllowed(world.db, crm)).rejects.toThrow(/is not true/)
      })
    },
  )
})
