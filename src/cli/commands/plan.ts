/** `provisio plan --actions FILE`: the exact SCIM operations the actions need, nothing written. */
import type { Command } from 'commander'
import { ConfigError } from '../../config/index.ts'
import { type LifecycleAction, loadActionFile } from '../../lcm/index.ts'
import { runPolicy } from '../../policy/policy-runner.ts'
import { withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { withEngine } from '../lifecycle-context.ts'
import { formatPlan, planJson } from '../plan-output.ts'
import { formatOutcome, outcomeFailed, policiesJson, selectPolicies } from '../policy-output.ts'

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
    .option('--policy <name>', 'plan a policy (default: every policy, when no --actions is given)')
    .option('--reconcile', 'policies: compare every identity with the targets, not only what changed')
    .option('--no-bulk', 'plan single requests even where a target offers SCIM Bulk')
    .action(async (options: { actions?: string; policy?: string; reconcile?: boolean; bulk: boolean }) => {
      if (options.actions !== undefined && options.policy !== undefined)
        throw new UsageError('give --actions or --policy, not both')
      if (options.actions === undefined) {
        await planPolicies(program, options)
        return
      }
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

/** `plan --policy P`: what the policies would do with the source as it reads now; nothing written. */
async function planPolicies(
  program: Command,
  options: { policy?: string; reconcile?: boolean; bulk: boolean },
): Promise<void> {
  await withCommandContext(program, async (context) => {
    const policies = selectPolicies(context.config, options.policy)
    await withEngine(context, { bulk: options.bulk }, async (engine) => {
      const outcomes = []
      for (const policy of policies) {
        const outcome = await runPolicy(policy, {
          store: context.store,
          config: context.config,
          engine,
          mode: 'plan',
          reconcile: options.reconcile === true,
        })
        outcomes.push(outcome)
        if (!context.json) process.stdout.write(formatOutcome(outcome))
        if (outcomeFailed(outcome)) process.exitCode = 1
      }
      if (context.json) process.stdout.write(`${JSON.stringify(policiesJson(outcomes), null, 2)}\n`)
    })
  })
}
