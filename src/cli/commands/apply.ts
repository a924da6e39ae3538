/**
 * `provisio apply --actions FILE [--yes]`: plan, store as a run, execute. `--approve RUN` runs a
 * run that waited for approval; `--resume RUN` finishes a run that stopped (killed, quarantined).
 */
import type { Command } from 'commander'
import type { ExecutionSummary, LifecycleEngine } from '../../lcm/index.ts'
import { withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { confirm, executeWithProgress, formatSummary, withEngine } from '../lifecycle-context.ts'
import { formatPlan, planJson } from '../plan-output.ts'
import { readActions } from './plan.ts'

interface ApplyOptions {
  actions?: string
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
    .option('--yes', 'do not ask for confirmation')
    .option('--approve <run>', 'approve a run that exceeded a safety limit, and run it')
    .option('--resume <run>', 'finish a run that stopped (killed process, quarantined integration)')
    .option('--no-bulk', 'send single requests even where a target offers SCIM Bulk')
    .action(async (options: ApplyOptions) => {
      const chosen = [options.actions, options.approve, options.resume].filter((o) => o !== undefined)
      if (chosen.length !== 1)
        throw new UsageError('give exactly one of --actions FILE, --approve RUN, --resume RUN')
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
