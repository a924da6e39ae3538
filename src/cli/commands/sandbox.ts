/** `provisio sandbox`: a local SCIM 2.0 service on loopback, until stopped. */
import type { Command } from 'commander'
import { parseFaultSpec, startSandbox } from '../../sandbox/index.ts'
import { UsageError } from '../exit-codes.ts'
import { integerOption } from '../options.ts'
import { untilSignal } from '../signals.ts'

/** Adds the `sandbox` command. */
export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('serve a local SCIM 2.0 service provider for trying policies and for tests')
    .option('--port <n>', 'TCP port (0 picks a free one)', integerOption('--port'), 7300)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--token <token>',
      'bearer token clients must send (default: PROVISIO_SANDBOX_TOKEN, else no auth)',
    )
    .option('--faults <spec>', 'inject faults, e.g. 429=0.05,500=0.02,drop=0.01,latency=20-80,rps=200')
    .option('--seed-users <n>', 'start with N generated users', integerOption('--seed-users'), 0)
    .option('--seed-groups <n>', 'start with N generated groups', integerOption('--seed-groups'), 0)
    .option(
      '--seed-teams-per-user <n>',
      'teams each generated user joins besides its department group',
      integerOption('--seed-teams-per-user'),
      1,
    )
    .option('--state <file>', 'keep state in this JSON file across restarts')
    .action(async (options: SandboxCommandOptions) => {
      let faults: ReturnType<typeof parseFaultSpec> | undefined
      try {
        faults = options.faults ? parseFaultSpec(options.faults) : undefined
      } catch (error) {
        throw new UsageError(`--faults: ${(error as Error).message}`)
      }
      const token = options.token ?? process.env.PROVISIO_SANDBOX_TOKEN
      const sandbox = await startSandbox({
        port: options.port,
        host: options.host,
        seedUsers: options.seedUsers,
        seedGroups: options.seedGroups,
        seedTeamsPerUser: options.seedTeamsPerUser,
        ...(token ? { token } : {}),
        ...(faults ? { faults } : {}),
        ...(options.state ? { stateFile: options.state } : {}),
      })
      // The base URL is the first line of output: scripts and tests read it.
      process.stdout.write(`${sandbox.url}\n`)
      process.stderr.write(
        `SCIM sandbox listening${token ? ' (bearer token required)' : ' (no authentication)'}; Ctrl-C stops it\n`,
      )
      await untilSignal()
      await sandbox.close()
    })
}

interface SandboxCommandOptions {
  port: number
  host: string
  token?: string
  faults?: string
  seedUsers: number
  seedGroups: number
  seedTeamsPerUser: number
  state?: string
}
