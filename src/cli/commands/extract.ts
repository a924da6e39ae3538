/** `provisio extract [integration…]`: read integrations into the access graph now. */
import type { Command } from 'commander'
import type { IntegrationConfig } from '../../config/index.ts'
import type { ExtractionSummary } from '../../extract/extraction-target.ts'
import { runExtraction } from '../../extract/run-extraction.ts'
import { vendorProfile } from '../../vendors/index.ts'
import { createIntegrationClient } from '../../vendors/integration-client.ts'
import type { CommandContext } from '../context.ts'
import { selectIntegrations, withCommandContext } from '../context.ts'
import { extractionProgressBar } from '../progress.ts'

/** Adds the `extract` command. */
export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description('extract integrations into the access graph now (all when none is named)')
    .argument('[integration...]', 'integrations to extract')
    .option(
      '--incremental',
      'read only what changed since the last successful extraction, where the target can filter on it',
    )
    .action(async (names: string[], options: { incremental?: boolean }) => {
      await withCommandContext(program, async (context) => {
        const results: Array<ExtractionSummary | { integration: string; status: 'failed'; error: string }> =
          []
        for (const integration of selectIntegrations(context.config, names)) {
          try {
            const summary = await extractOne(context, integration, options.incremental === true)
            results.push(summary)
            if (!context.json) printSummary(summary)
          } catch (error) {
            const message = (error as Error).message
            results.push({ integration: integration.name, status: 'failed', error: message })
            if (!context.json) process.stderr.write(`✘ ${message}\n`)
          }
        }
        if (context.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
        if (results.some((result) => result.status === 'failed')) process.exitCode = 1
      })
    })
}

/** Extracts one integration with a progress bar on a terminal. */
export async function extractOne(
  context: CommandContext,
  integration: IntegrationConfig,
  incremental: boolean,
): Promise<ExtractionSummary> {
  const client = createIntegrationClient(integration)
  const bar = extractionProgressBar(integration.name, !context.json)
  try {
    return await runExtraction(
      context.store.db,
      {
        integration: integration.name,
        client,
        groups: vendorProfile(integration.vendor).groups,
        extensionSchemas: integration.extensionSchemas,
      },
      { mode: incremental ? 'incremental' : 'full', onProgress: (progress) => bar.update(progress) },
    )
  } finally {
    bar.stop()
    await client.close()
  }
}

function printSummary(summary: ExtractionSummary): void {
  const seconds = (summary.durationMs / 1000).toFixed(1)
  process.stdout.write(
    `✔ ${summary.integration}: ${summary.usersSeen} users, ${summary.groupsSeen} groups, ${summary.membershipsSeen} memberships ` +
      `(${summary.mode}, ${seconds} s); ${summary.rowsWritten} rows written, ${summary.rowsRemoved} marked removed\n`,
  )
  for (const note of summary.notes) process.stdout.write(`  note: ${note}\n`)
}
