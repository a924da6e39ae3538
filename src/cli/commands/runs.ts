/** `provisio runs` and `provisio runs show RUN`: run history, and one run's operations with outcome. */
import type { Command } from 'commander'
import { getRun, listRuns, runCounts, runOperations } from '../../lcm/index.ts'
import type { LcmRunsTable } from '../../store/index.ts'
import { withCommandContext } from '../context.ts'
import { integerOption } from '../options.ts'
import { formatJournaled } from '../plan-output.ts'

function runJson(run: LcmRunsTable, counts: Record<string, number>): Record<string, unknown> {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    origin: run.origin,
    requestedBy: run.requested_by,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    approvedBy: run.approved_by,
    rollbackOf: run.rollback_of,
    operationCount: run.operation_count,
    counts,
    limits: run.limits_report === null ? null : (JSON.parse(run.limits_report) as unknown),
    problems: run.problems === null ? [] : (JSON.parse(run.problems) as unknown),
    error: run.error,
  }
}

/** Adds the `runs` command. */
export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description("list runs, newest first (`runs show RUN` for one run's operations)")
    .option('--limit <n>', 'most runs to list', integerOption('--limit'), 50)
    .action(async (options: { limit: number }) => {
      await withCommandContext(program, async (context) => {
        const list = await listRuns(context.store.db, options.limit)
        const rows = await Promise.all(
          list.map(async (run) => runJson(run, await runCounts(context.store.db, run.id))),
        )
        if (context.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
          return
        }
        if (rows.length === 0) process.stdout.write('No runs yet.\n')
        for (const run of list) {
          const counts = Object.entries(await runCounts(context.store.db, run.id))
            .map(([s, n]) => `${n} ${s}`)
            .join(', ')
          process.stdout.write(
            `${run.id}  ${run.created_at}  ${run.kind.padEnd(8)} ${run.status.padEnd(17)} ${run.origin}  by ${run.requested_by}  (${counts})\n`,
          )
        }
      })
    })
  runs
    .command('show')
    .description('one run and its operations with their outcome')
    .argument('<run>', 'run id')
    .action(async (id: string) => {
      await withCommandContext(program, async (context) => {
        const run = await getRun(context.store.db, id)
        const operations = await runOperations(context.store.db, id)
        if (context.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                ...runJson(run, await runCounts(context.store.db, id)),
                operations: operations.map((op) => ({
                  seq: op.seq,
                  integration: op.integration,
                  action: op.action,
                  kind: op.kind,
                  identity: op.identity,
                  method: op.method,
                  path: op.path,
                  body: op.body ?? null,
                  status: op.status,
                  outcome: op.outcome,
                  attempts: op.attempts,
                  responseStatus: op.responseStatus,
                  resultId: op.resultId,
                  error: op.error,
                  sentAt: op.sentAt,
                  answeredAt: op.answeredAt,
                })),
              },
              null,
              2,
            )}\n`,
          )
          return
        }
        process.stdout.write(
          `run ${run.id}: ${run.status} (${run.kind}, ${run.origin}, by ${run.requested_by}, created ${run.created_at})\n`,
        )
        if (run.limits_report) {
          for (const breach of JSON.parse(run.limits_report) as Array<{ message: string }>)
            process.stdout.write(`  limit: ${breach.message}\n`)
        }
        if (run.error) process.stdout.write(`  ${run.error}\n`)
        for (const op of operations) process.stdout.write(`${formatJournaled(op)}\n`)
      })
    })
}
