/** The `provisio` command line: parses arguments, runs one command, maps failures to exit codes. */
import { Command, CommanderError, Option } from 'commander'
import { registerApplyCommand } from './commands/apply.ts'
import { registerDemoCommand } from './commands/demo.ts'
import { registerExtractCommand } from './commands/extract.ts'
import { registerGraphCommand } from './commands/graph.ts'
import { registerHealthCommand } from './commands/health.ts'
import { registerIntegrationsCommand } from './commands/integrations.ts'
import { registerPlanCommand } from './commands/plan.ts'
import { registerRollbackCommand } from './commands/rollback.ts'
import { registerRunsCommand } from './commands/runs.ts'
import { registerSandboxCommand } from './commands/sandbox.ts'
import { registerServeCommand } from './commands/serve.ts'
import { registerTransformCommand } from './commands/transform.ts'
import { EXIT, UsageError } from './exit-codes.ts'

// `provisio graph … | head` closes stdout early; that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const program = new Command()
  .name('provisio')
  .description('Identity lifecycle management over SCIM 2.0')
  .version('0.1.0')
  .addOption(new Option('--config <file>', 'configuration file').default('provisio.yaml'))
  .option('--json', 'machine-readable output')
  .exitOverride()
  .showHelpAfterError()

registerSandboxCommand(program)
registerDemoCommand(program)
registerExtractCommand(program)
registerGraphCommand(program)
registerHealthCommand(program)
registerPlanCommand(program)
registerApplyCommand(program)
registerRunsCommand(program)
registerRollbackCommand(program)
registerIntegrationsCommand(program)
registerTransformCommand(program)
registerServeCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  process.exitCode = exitCodeOf(error)
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit through commander with code 0; every other commander error is a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage
  }
  if (error instanceof UsageError) {
    process.stderr.write(`provisio: ${error.message}\n`)
    return EXIT.usage
  }
  process.stderr.write(`provisio: ${error instanceof Error ? error.message : String(error)}\n`)
  return EXIT.failure
}
