/** What most commands start from: the configuration, the store, and the integrations recorded in it. */
import type { Command } from 'commander'
import { ConfigError, loadConfig, type ProvisioConfig } from '../config/index.ts'
import { recordIntegrations } from '../extract/integration-records.ts'
import { createSecretBox, openDatabase, type SecretBox, type Store } from '../store/index.ts'
import { UsageError } from './exit-codes.ts'

export interface CommandContext {
  config: ProvisioConfig
  store: Store
  secretBox: SecretBox | undefined
  json: boolean
  close(): Promise<void>
}

/** The global options every command has. */
export interface GlobalOptions {
  config: string
  json?: boolean
}

/** Loads the configuration (exit 2 on any error in it) and opens the store. */
export async function openCommandContext(program: Command): Promise<CommandContext> {
  const options = program.opts<GlobalOptions>()
  let config: ProvisioConfig
  try {
    config = await loadConfig(options.config)
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message)
    throw error
  }
  const store = await openDatabase(config.database.reveal(), { baseDir: config.baseDir })
  const secretBox = config.secretKey ? createSecretBox(config.secretKey.reveal()) : undefined
  await recordIntegrations(store.db, config, secretBox, new Date().toISOString())
  return { config, store, secretBox, json: options.json === true, close: () => store.close() }
}

/** Runs `body` with a context and always closes the store. */
export async function withCommandContext<T>(
  program: Command,
  body: (context: CommandContext) => Promise<T>,
): Promise<T> {
  const context = await openCommandContext(program)
  try {
    return await body(context)
  } finally {
    await context.close()
  }
}

/** The named integrations, or all when none is named; an unknown name is a usage error. */
export function selectIntegrations(config: ProvisioConfig, names: readonly string[]) {
  const known = Object.keys(config.integrations)
  for (const name of names) {
    if (!config.integrations[name]) {
      throw new UsageError(
        `unknown integration ${JSON.stringify(name)}; configured: ${known.join(', ') || 'none'}`,
      )
    }
  }
  return (names.length > 0 ? names : known).map((name) => config.integrations[name]!)
}
