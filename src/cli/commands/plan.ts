/** `provisio plan --actions FILE`: the exact SCIM operations the actions need, nothing written. */
import type { Command } from 'commander'
import { ConfigError } from '../../config/index.ts'
import { type LifecycleAction, loadActionFile } from '../../lcm/index.ts'
import { withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { withEngine } from '../lifecycle-context.ts'
import { formatPlan, planJson } from '../plan-output.ts'

/** Reads an action file; its problems are usage errors (exit 2) with line and column. */
export async function readActions(path: string | undefined): Promise<LifecycleAction[]> {
  if (path === undefined) throw new UsageError('give the actions to plan with --actions FILE (YAML or JSON)')
  try {
    return await loadActionFile(path)
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message)
    throw error
  }
}

/** Adds the `plan` command. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('show the SCIM operations a run would make, operation by operation, writing nothing')
    .option('--actions <file>', 'action file (YAML or JSON list of actions)')
    .option('--no-bulk', 'plan single requests even where a target offers SCIM Bulk')
    .action(async (options: { actions?: string; bulk: boolean }) => {
      const actions = await readActions(options.actions)
      await withCommandContext(program, async (context) => {
        await withEngine(context, { bulk: options.bulk }, async (engine) => {
          const plan = await engine.plan(actions)
          process.stdout.write(
            context.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : formatPlan(plan),
          )
          if (plan.problems.some((p) => p.kind === 'error')) process.exitCode = 1
        })
      })
    })
}
