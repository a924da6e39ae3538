/** `provisio rollback RUN [--yes]`: shows the inverse of a finished run as a plan, then applies it as a new run. */
import type { Command } from 'commander'
import { withCommandContext } from '../context.ts'
import { confirm, executeWithProgress, formatSummary, withEngine } from '../lifecycle-context.ts'
import { formatPlan, planJson } from '../plan-output.ts'

/** Adds the `rollback` command. */
export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .description('undo a finished run: its inverse, shown as a plan, then applied as a new run')
    .argument('<run>', 'the run to undo')
    .option('--yes', 'do not ask for confirmation')
    .option('--no-bulk', 'send single requests even where a target offers SCIM Bulk')
    .action(async (id: string, options: { yes?: boolean; bulk: boolean }) => {
      await withCommandContext(program, async (context) => {
        await withEngine(context, { bulk: options.bulk }, async (engine) => {
          const plan = await engine.rollbackPlan(id)
          if (!context.json) process.stdout.write(formatPlan(plan))
          if (plan.operations.length === 0) {
            if (context.json)
              process.stdout.write(
                `${JSON.stringify({ ...planJson(plan), id: null, status: 'nothing to do' }, null, 2)}\n`,
              )
            return
          }
          if (
            !(await confirm(
              `Roll back run ${id} with ${plan.operations.length} operations?`,
              options.yes === true,
            ))
          ) {
            process.exitCode = 1
            return
          }
          const stored = await engine.store(plan, `rollback:${id}`, { kind: 'rollback', rollbackOf: id })
          if (stored.status === 'awaiting_approval') {
            const message = stored.breaches.map((b) => `  ${b.message}`).join('\n')
            if (context.json)
              process.stdout.write(
                `${JSON.stringify({ id: stored.runId, status: stored.status, limits: stored.breaches }, null, 2)}\n`,
              )
            else
              process.stdout.write(
                `rollback run ${stored.runId} exceeds safety limits and waits for approval:\n${message}\napprove with: provisio apply --approve ${stored.runId}\n`,
              )
            process.exitCode = 1
            return
          }
          const summary = await executeWithProgress(engine, stored.runId, !context.json)
          if (context.json)
            process.stdout.write(
              `${JSON.stringify({ id: summary.runId, status: summary.status, counts: summary.counts, rollbackOf: id }, null, 2)}\n`,
            )
          else process.stdout.write(formatSummary(summary))
          if (summary.status !== 'succeeded') process.exitCode = 1
        })
      })
    })
}
