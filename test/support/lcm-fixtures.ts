/**
 * A lifecycle test bench: a sandbox (or any SCIM server), a store, a configuration with one
 * integration pointing at it, an extraction so lifecycle management is allowed, and the engine.
 */
import { onTestFinished } from 'vitest'
import { type ProvisioConfig, parseConfig } from '../../src/config/index.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import { parseActionFile } from '../../src/lcm/action-file.ts'
import type { EngineOptions } from '../../src/lcm/engine.ts'
import { type LifecycleAction, LifecycleEngine } from '../../src/lcm/index.ts'
import type { Store } from '../../src/store/index.ts'
import { extractionTarget, TOKEN } from './extraction-fixtures.ts'

export { TOKEN }

export interface BenchOptions {
  /** Extra YAML lines inside the integration's mapping (indented by the caller with 4 spaces). */
  integration?: string[]
  /** Extra top-level YAML lines. */
  top?: string[]
  bulk?: boolean
  clientFor?: EngineOptions['clientFor']
  name?: string
  /** Bearer token of the integration (default TOKEN). */
  token?: string
}

/** The configuration of one integration `app` at `url`. */
export function lifecycleConfig(url: string, options: BenchOptions = {}): ProvisioConfig {
  const name = options.name ?? 'app'
  return parseConfig(
    [
      "database: 'sqlite::memory:'",
      'secretKey: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      ...(options.top ?? []),
      'integrations:',
      `  ${name}:`,
      `    url: ${url}`,
      `    auth: { bearer: ${options.token ?? TOKEN} }`,
      '    lifecycleManagement: true',
      ...(options.integration ?? []),
    ].join('\n'),
    'provisio.yaml',
    {},
  )
}

/** Extracts `name` into the store so the graph is current and lifecycle management is allowed. */
export async function extractInto(store: Store, url: string, name = 'app'): Promise<void> {
  const target = extractionTarget(url, { integration: name })
  try {
    await runExtraction(store.db, target, { mode: 'full' })
  } finally {
    await target.client.close()
  }
}

/** An engine over the store and configuration, closed when the test ends. */
export function lifecycleEngine(
  store: Store,
  config: ProvisioConfig,
  options: BenchOptions = {},
): LifecycleEngine {
  const engine = new LifecycleEngine({
    db: store.db,
    config,
    actor: 'tester@test',
    holder: `test-${process.pid}`,
    bulk: options.bulk ?? false,
    ...(options.clientFor ? { clientFor: options.clientFor } : {}),
  })
  onTestFinished(() => engine.close())
  return engine
}

/** Actions from action-file YAML lines. */
export function actions(...lines: string[]): LifecycleAction[] {
  return parseActionFile(lines.join('\n'))
}

/** Plans, stores and executes; fails the test if the plan has problems or the run waits. */
export async function applyActions(engine: LifecycleEngine, list: readonly LifecycleAction[]) {
  const plan = await engine.plan(list)
  if (plan.problems.length > 0) throw new Error(`plan problems: ${JSON.stringify(plan.problems)}`)
  const stored = await engine.store(plan, 'actions:test')
  if (stored.status !== 'pending') throw new Error(`run waits: ${JSON.stringify(stored.breaches)}`)
  const summary = await engine.execute(stored.runId)
  return { plan, summary, runId: stored.runId }
}
