/** The lifecycle engine as commands open it: who asks (for the audit trail) and which process runs. */
import { hostname, userInfo } from 'node:os'
import { createInterface } from 'node:readline/promises'
import cliProgress from 'cli-progress'
import { type ExecutionSummary, LifecycleEngine } from '../lcm/index.ts'
import { processHolderName } from '../lcm/run-holder.ts'
import type { CommandContext } from './context.ts'
import { UsageError } from './exit-codes.ts'

/** `user@host` of whoever runs the command. */
export function commandActor(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // No passwd entry (some containers): the host alone still says where the request came from.
  }
  return `${user}@${hostname()}`
}

/** A holder name unique to this process. */
export function processHolder(): string {
  return processHolderName()
}

/** Runs `body` with an engine, closed afterwards. */
export async function withEngine<T>(
  context: CommandContext,
  options: { bulk: boolean },
  body: (engine: LifecycleEngine) => Promise<T>,
): Promise<T> {
  const engine = new LifecycleEngine({
    db: context.store.db,
    config: context.config,
    actor: commandActor(),
    holder: processHolder(),
    bulk: options.bulk,
  })
  try {
    return await body(engine)
  } finally {
    await engine.close()
  }
}

/** Asks before writing unless `--yes`; without a terminal to ask on, `--yes` is required. */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY)
    throw new UsageError(`${question} Refusing without a terminal to ask on; pass --yes to proceed.`)
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

/** Executes a run with a progress bar on a terminal. */
export async function executeWithProgress(
  engine: LifecycleEngine,
  runId: string,
  enabled: boolean,
): Promise<ExecutionSummary> {
  if (!enabled || !process.stderr.isTTY) return engine.execute(runId)
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'apply [{bar}] {value}/{total} operations',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  try {
    return await engine.execute(runId, (done, total) => {
      if (!started) {
        bar.start(total, done)
        started = true
      } else bar.update(done)
    })
  } finally {
    if (started) bar.stop()
  }
}

/** One line on how a run ended. */
export function formatSummary(summary: ExecutionSummary): string {
  const counts = Object.entries(summary.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ')
  const lines = [`run ${summary.runId}: ${summary.status} (${counts})`]
  for (const q of summary.quarantined) lines.push(`  ${q.integration} paused: ${q.reason}`)
  return `${lines.join('\n')}\n`
}
