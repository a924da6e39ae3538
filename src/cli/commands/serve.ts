/**
 * `provisio serve`: the long-running service: the extraction schedule, policies applied as their
 * sources change (files, polls, signed webhook deliveries), lifecycle runs resumed after a crash
 * or a quarantine (each singleton through a lease), and liveness checks on `/healthz`.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { hostname } from 'node:os'
import type { Command } from 'commander'
import { ExtractionScheduler } from '../../extract/scheduler.ts'
import { LifecycleEngine } from '../../lcm/index.ts'
import { leaverPredicate, PolicyService } from '../../policy/policy-service.ts'
import { sourceWebhookListener } from '../../sources/index.ts'
import { withCommandContext } from '../context.ts'
import { processHolder } from '../lifecycle-context.ts'
import { integerOption } from '../options.ts'
import { untilSignal } from '../signals.ts'
import { extractOne } from './extract.ts'

/** Adds the `serve` command. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the service: extraction schedule, policies, run resumption, webhooks, health endpoint')
    .option('--port <n>', 'HTTP port', integerOption('--port'), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      await withCommandContext(program, async (context) => {
        const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)
        const scheduler = new ExtractionScheduler({
          db: context.store.db,
          config: context.config,
          holder: `${hostname()}:${process.pid}:${randomUUID()}`,
          log,
          extract: async (integration) => {
            const summary = await extractOne({ ...context, json: true }, integration, false)
            log(
              `extracted ${summary.integration}: ${summary.usersSeen} users, ${summary.groupsSeen} groups, ${summary.rowsWritten} rows written`,
            )
          },
        })
        const engine = new LifecycleEngine({
          db: context.store.db,
          config: context.config,
          actor: `provisio serve@${hostname()}`,
          holder: processHolder(),
        })
        const policies = new PolicyService({
          store: context.store,
          config: context.config,
          engine,
          holder: processHolder(),
          log,
        })
        // POST /sources/<name>/events: signed deliveries of webhook sources (see docs/sources.md).
        const webhooks = sourceWebhookListener({
          store: context.store,
          sources: context.config.sources,
          isLeaverFor: leaverPredicate,
          log: (line) => {
            log(line)
            void policies.tick()
          },
        })
        const server = createServer((request, response) => {
          if (webhooks(request, response)) return
          const ok = request.method === 'GET' && request.url === '/healthz'
          response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' })
          response.end(
            JSON.stringify(ok ? { status: 'ok' } : { error: { code: 'not_found', message: 'not found' } }),
          )
        })
        await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve))
        const address = server.address()
        const port = typeof address === 'object' && address ? address.port : options.port
        process.stdout.write(`http://${options.host}:${port}\n`)
        scheduler.start()
        policies.start()
        await untilSignal()
        log('stopping: waiting for the extraction and policy run in progress')
        await scheduler.stop()
        await policies.stop()
        await engine.close()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      })
    })
}
