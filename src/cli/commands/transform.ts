/**
 * `provisio transform --policy P --identity KEY [--set attr=value…]`: every transformer's result
 * for one identity, with attributes overridden to simulate a change (a transfer, a new title).
 */
import type { Command } from 'commander'
import { GraphTargetView } from '../../policy/graph-target-view.ts'
import { CompiledPolicy, type EventKind, evaluateEvent } from '../../policy/workflow-evaluation.ts'
import { findIdentity, readSource } from '../../sources/index.ts'
import { withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'
import { selectPolicies } from '../policy-output.ts'

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Adds the `transform` command. */
export function registerTransformCommand(program: Command): void {
  program
    .command('transform')
    .description("preview every transformer's result for one identity of a policy's source")
    .requiredOption('--policy <name>', 'the policy')
    .requiredOption('--identity <key>', "the identity's key in the source")
    .option('--set <attr=value>', 'override a source attribute (repeatable)', collect, [])
    .option('--event <kind>', 'joiner, mover, leaver or reconcile (default: joiner)', 'joiner')
    .action(async (options: { policy: string; identity: string; set: string[]; event: string }) => {
      if (!['joiner', 'mover', 'leaver', 'reconcile'].includes(options.event)) {
        throw new UsageError(
          `--event must be joiner, mover, leaver or reconcile, not ${JSON.stringify(options.event)}`,
        )
      }
      const overrides: Record<string, string> = {}
      for (const pair of options.set) {
        const at = pair.indexOf('=')
        if (at <= 0) throw new UsageError(`--set takes attr=value, got ${JSON.stringify(pair)}`)
        overrides[pair.slice(0, at).trim()] = pair.slice(at + 1)
      }
      await withCommandContext(program, async (context) => {
        const [policy] = selectPolicies(context.config, options.policy)
        if (!policy) return
        const source = context.config.sources[policy.source]
        if (!source) throw new UsageError(`policy ${policy.name}: source ${policy.source} is not configured`)
        let attributes = (await findIdentity(context.store.db, source.name, options.identity))?.attributes
        if (!attributes && source.kind !== 'webhook') {
          const read = await readSource(source, { baseDir: context.config.baseDir })
          if (read.status === 'ok')
            attributes = read.records.find((r) => r.key === options.identity)?.attributes
        }
        if (!attributes)
          throw new UsageError(`source ${source.name} has no identity ${JSON.stringify(options.identity)}`)
        const merged = { ...attributes, ...overrides }
        const compiled = new CompiledPolicy(policy)
        const integrations = [
          ...new Set(
            policy.workflows.flatMap((w) =>
              w.actions.map((a) => (Object.values(a)[0] as { integration?: string }).integration ?? ''),
            ),
          ),
        ].filter(Boolean)
        const view = await GraphTargetView.load(context.store.db, integrations)
        const evaluation = await evaluateEvent(
          compiled,
          { kind: options.event as EventKind, key: options.identity, attributes: merged, changes: overrides },
          view,
          new Date(),
        )
        if (context.json) {
          process.stdout.write(
            `${JSON.stringify({ policy: policy.name, identity: options.identity, attributes: merged, ...evaluation, drift: undefined }, null, 2)}\n`,
          )
          return
        }
        process.stdout.write(
          `${policy.name} · ${options.event} ${options.identity}: workflow ${evaluation.workflows.join(', ') || '(none fires)'}\n`,
        )
        for (const t of evaluation.transforms) {
          process.stdout.write(
            `  workflow ${t.workflow} ${t.action} ${t.integration}.${t.attribute} = ${t.value === undefined ? '(empty)' : JSON.stringify(t.value)}\n`,
          )
        }
        for (const problem of evaluation.problems) process.stdout.write(`  ✘ ${problem}\n`)
        if (evaluation.problems.length > 0) process.exitCode = 1
      })
    })
}
