/**
 * `provisio apply --actions FILE [--yes]`: plan, store as a run, execute. `--approve RUN` runs a
 * run that waited for approval; `--resume RUN` finishes a run that stopped (killed, quarantined).
 */
import type { Command } from 'commander'
import type { ExecutionSummary, LifecycleEngine } from '../../lcm/index.ts'
import { runPolicy } from '../../policy/policy-runner.ts'
import { withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { confirm, executeWithProgress, formatSummary, withEngine } from '../lifecycle-context.ts'
import { formatPlan, planJson } from '../plan-output.ts'
import { formatOutcome, outcomeFailed, policiesJson, selectPolicies } from '../policy-output.ts'
import { readActions } from './plan.ts'

interface ApplyOptions {
  actions?: string
  policy?: string
  reconcile?: boolean
  yes?: boolean
  approve?: string
  resume?: string
  bulk: boolean
}

/** Adds the `apply` command. */
export function registerApplyCommand(program: Command): void {
  program
    .command('apply')
    .description('run the plan of an action file; or approve (--approve) or resume (--resume) a stored run')
    .option('--actions <file>', 'action file (YAML or JSON list of actions)')
    .option('--policy <name>', 'run a policy (default: every policy, when no other option is given)')
    .option('--reconcile', 'policies: bring every identity in line, not only what changed')
    .option('--yes', 'do not ask for confirmation')
    .option('--approve <run>', 'approve a run that exceeded a safety limit, and run it')
    .option('--resume <run>', 'finish a run that stopped (killed process, quarantined integration)')
    .option('--no-bulk', 'send single requests even where a target offers SCIM Bulk')
    .action(async (options: ApplyOptions) => {
      const chosen = [options.actions, options.approve, options.resume, options.policy].filter(
        (o) => o !== undefined,
      )
      if (chosen.length > 1)
        throw new UsageError('give one of --actions FILE, --policy P, --approve RUN, --resume RUN')
      if (options.actions === undefined && options.approve === undefined && options.resume === undefined) {
        await applyPolicies(program, options)
        return
      }
      const actions = options.actions === undefined ? undefined : await readActions(options.actions)
      await withCommandContext(program, async (context) => {
        await withEngine(context, { bulk: options.bulk }, async (engine) => {
          let runId = options.approve ?? options.resume
          if (options.approve !== undefined) await engine.approve(options.approve)
          if (actions) {
            const stored = await storePlan(engine, actions, options, context.json)
            if (!stored) return
            runId = stored
          }
          const summary = await executeWithProgress(engine, runId as string, !context.json)
          report(summary, context.json)
        })
      })
    })
}

/** Plans and stores the run; undefined when there is nothing to run (or the run waits). */
async function storePlan(
  engine: LifecycleEngine,
  actions: Parameters<LifecycleEngine['plan']>[0],
  options: ApplyOptions,
  json: boolean,
): Promise<string | undefined> {
  const plan = await engine.plan(actions)
  if (!json) process.stdout.write(formatPlan(plan))
  if (plan.problems.some((p) => p.kind === 'error')) {
    if (json) process.stdout.write(`${JSON.stringify({ ...planJson(plan), status: 'refused' }, null, 2)}\n`)
    process.stderr.write('provisio: the plan has errors (above); nothing was sent\n')
    process.exitCode = 1
    return undefined
  }
  if (plan.operations.length === 0) {
    if (json)
      process.stdout.write(`${JSON.stringify({ id: null, status: 'nothing to do', operations: [] })}\n`)
    return undefined
  }
  if (!(await confirm(`Apply ${plan.operations.length} operations?`, options.yes === true))) {
    process.stderr.write('provisio: not applied\n')
    process.exitCode = 1
    return undefined
  }
  const stored = await engine.store(plan, `actions:${options.actions}`)
  if (stored.status === 'awaiting_approval') {
    const lines = stored.breaches.map((b) => `  ${b.message}`)
    if (json)
      process.stdout.write(
        `${JSON.stringify({ id: stored.runId, status: stored.status, limits: stored.breaches }, null, 2)}\n`,
      )
    else
      process.stdout.write(
        `run ${stored.runId} exceeds safety limits and waits for approval; nothing was sent:\n${lines.join('\n')}\napprove with: provisio apply --approve ${stored.runId}\n`,
      )
    process.exitCode = 1
    return undefined
  }
  return stored.runId
}

function report(summary: ExecutionSummary, json: boolean): void {
  if (json)
    process.stdout.write(
      `${JSON.stringify({ id: summary.runId, status: summary.status, counts: summary.counts, quarantined: summary.quarantined }, null, 2)}\n`,
    )
  else process.stdout.write(formatSummary(summary))
  if (summary.status !== 'succeeded') process.exitCode = 1
}

/** `apply --policy P`: reads the source, plans the events' actions and runs them. */
async function applyPolicies(program: Command, options: ApplyOptions): Promise<void> {
  await withCommandContext(program, async (context) => {
    const policies = selectPolicies(context.config, options.policy)
    await withEngine(context, { bulk: options.bulk }, async (engine) => {
      const run = (policy: (typeof policies)[number], mode: 'plan' | 'apply') =>
        runPolicy(policy, {
          store: context.store,
          config: context.config,
          engine,
          mode,
          reconcile: options.reconcile === true,
        })
      if (options.yes !== true) {
        const previews = []
        for (const policy of policies) previews.push(await run(policy, 'plan'))
        if (!context.json) for (const preview of previews) process.stdout.write(formatOutcome(preview))
        const count = previews.reduce((n, o) => n + o.plan.operations.length, 0)
        if (!(await confirm(`Apply ${count} operations?`, false))) {
          process.exitCode = 1
          return
        }
      }
      const outcomes = []
      for (const policy of policies) {
        const outcome = await run(policy, 'apply')
        outcomes.push(outcome)
        if (!context.json) process.stdout.write(formatOutcome(outcome))
        if (outcomeFailed(outcome)) process.exitCode = 1
      }
      if (context.json) process.stdout.write(`${JSON.stringify(policiesJson(outcomes), null, 2)}\n`)
    })
  })
}
