/** `provisio health`: per integration, last successful extraction, last error, counts, lifecycle state. */
import type { Command } from 'commander'
import { type IntegrationHealth, integrationHealth } from '../../extract/health.ts'
import { withCommandContext } from '../context.ts'

/** Adds the `health` command. */
export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description('show the health of every integration')
    .action(async () => {
      await withCommandContext(program, async (context) => {
        const health = await integrationHealth(context.store.db, context.config)
        if (context.json) process.stdout.write(`${JSON.stringify(health, null, 2)}\n`)
        else for (const entry of health) process.stdout.write(formatHealth(entry))
        if (health.some((entry) => entry.status === 'failing')) process.exitCode = 1
      })
    })
}

function formatHealth(entry: IntegrationHealth): string {
  const mark = entry.status === 'healthy' ? '✔' : entry.status === 'failing' ? '✘' : '•'
  const lines = [
    `${mark} ${entry.integration} (${entry.vendor}): ${entry.status}`,
    `    accounts ${entry.counts.accounts}, groups ${entry.counts.groups}, memberships ${entry.counts.memberships}`,
    `    last successful extraction: ${entry.lastSuccess ? `${entry.lastSuccess.at} (${entry.lastSuccess.mode}, ${entry.lastSuccess.durationMs ?? '?'} ms)` : 'never'}`,
  ]
  if (entry.lastError) lines.push(`    last error: ${entry.lastError.at}: ${entry.lastError.message}`)
  if (entry.running) lines.push(`    extracting since ${entry.running.startedAt}`)
  const lifecycle =
    entry.lifecycleManagement === 'refused'
      ? 'refused until one extraction succeeds'
      : entry.lifecycleManagement
  lines.push(`    lifecycle management: ${lifecycle}; next extraction ${entry.nextExtractionAt}`)
  return `${lines.join('\n')}\n`
}
