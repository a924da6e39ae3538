/** `provisio integrations resume I`: lift an integration's quarantine and finish the runs it paused. */
import type { Command } from 'commander'
import { type ExecutionSummary, resumeIntegration } from '../../lcm/index.ts'
import { selectIntegrations, withCommandContext } from '../context.ts'
import { executeWithProgress, formatSummary, withEngine } from '../lifecycle-context.ts'

/** Adds the `integrations` command. */
export function registerIntegrationsCommand(program: Command): void {
  const integrations = program.command('integrations').description('integration state: quarantine')
  integrations
    .command('resume')
    .description('lift the quarantine of an integration and resume the runs it paused')
    .argument('<integration>', 'integration name')
    .action(async (name: string) => {
      await withCommandContext(program, async (context) => {
        selectIntegrations(context.config, [name])
        const lifted = await resumeIntegration(context.store.db, name, new Date())
        if (!context.json)
          process.stdout.write(lifted ? `${name}: quarantine lifted\n` : `${name} was not quarantined\n`)
        const paused = await context.store.db
          .selectFrom('lcm_runs')
          .select('id')
          .where('status', '=', 'quarantined')
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('lcm_operations')
                .select('seq')
                .whereRef('lcm_operations.run_id', '=', 'lcm_runs.id')
                .where('lcm_operations.integration', '=', name)
                .where('lcm_operations.status', 'in', ['pending', 'sending']),
            ),
          )
          .orderBy('created_at')
          .execute()
        const results: ExecutionSummary[] = []
        await withEngine(context, { bulk: true }, async (engine) => {
          for (const { id } of paused) {
            const summary = await executeWithProgress(engine, id, !context.json)
            results.push(summary)
            if (!context.json) process.stdout.write(formatSummary(summary))
            if (summary.status !== 'succeeded') process.exitCode = 1
          }
        })
        if (context.json)
          process.stdout.write(`${JSON.stringify({ integration: name, lifted, runs: results }, null, 2)}\n`)
      })
    })
}
