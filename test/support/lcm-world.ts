/**
 * A lifecycle test world: a store on one backend, a SCIM target (the sandbox unless a URL is
 * given), a configuration with one integration `app` pointing at it, an extraction so lifecycle
 * management is allowed, and an engine. Everything is closed when the test finishes.
 */
import { expect, onTestFinished } from 'vitest'
import type { IntegrationConfig, ProvisioConfig } from '../../src/config/index.ts'
import { runExtraction } from '../../src/extract/run-extraction.ts'
import type { LifecycleAction, LifecycleEngine } from '../../src/lcm/index.ts'
import type { Plan } from '../../src/lcm/plan.ts'
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.ts'
import { ScimClient, type ScimResource } from '../../src/scim/index.ts'
import type { Store } from '../../src/store/index.ts'
import { createIntegrationClient } from '../../src/vendors/integration-client.ts'
import { extractionTarget } from './extraction-fixtures.ts'
import { actions, type BenchOptions, lifecycleConfig, lifecycleEngine, TOKEN } from './lcm-fixtures.ts'
import { openTestStore, type TestBackend } from './test-databases.ts'

export interface WorldOptions extends BenchOptions {
  /** Sandbox options (ignored when `url` is given). */
  sandbox?: SandboxOptions
  /** Another SCIM server instead of a sandbox. */
  url?: string
  token?: string
  /** Extract with `/Schemas` (custom extension attributes); also sets `extensionSchemas: true`. */
  extensionSchemas?: boolean
}

export interface LcmWorld {
  store: Store & { dispose(): Promise<void> }
  /** The sandbox, when the target is one. */
  sandbox: Sandbox
  url: string
  config: ProvisioConfig
  engine: LifecycleEngine
  /** A plain client of the target, to arrange and inspect it as a bystander would. */
  client: ScimClient
  /** A full extraction of the target into the graph. */
  extract(): Promise<void>
  /** Plans action-file lines. */
  plan(...lines: string[]): Promise<Plan>
  /** Plans, stores and executes action-file lines; fails on plan problems or a waiting run. */
  apply(...lines: string[]): Promise<Applied>
  /** The target's user with this userName (fetched over SCIM). */
  user(userName: string): Promise<ScimResource | undefined>
  group(displayName: string): Promise<ScimResource | undefined>
  users(): Promise<ScimResource[]>
  groups(): Promise<ScimResource[]>
}

/** A run applied from action-file lines. */
export interface Applied {
  plan: Plan
  runId: string
  status: string
  actions: LifecycleAction[]
  /** Operations that did not succeed, with their error: `[]` when all did. */
  failures: Array<{ seq: number; kind: string; status: string; error: string | null }>
}

let worlds = 0

/** Opens a world on `backend`; `label` names its PostgreSQL schema (unique per test). */
export async function lcmWorld(
  backend: TestBackend,
  label: string,
  options: WorldOptions = {},
): Promise<LcmWorld> {
  const closers: Array<() => Promise<void>> = []
  onTestFinished(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })
  worlds += 1
  const store = await openTestStore(backend, `${label}-${worlds}`)
  closers.push(() => store.dispose())
  let sandbox: Sandbox | undefined
  let url = options.url
  if (url === undefined) {
    const started = await startSandbox({ token: TOKEN, ...options.sandbox })
    sandbox = started
    closers.push(() => started.close())
    url = started.url
  }
  const token = options.token ?? TOKEN
  const extension = options.extensionSchemas ? ['    extensionSchemas: true'] : []
  const config = lifecycleConfig(url, {
    ...options,
    integration: [...extension, ...(options.integration ?? [])],
    ...(options.token ? { token: options.token } : {}),
  })
  const engine = lifecycleEngine(store, config, options)
  const client = new ScimClient({ baseUrl: url, auth: { bearer: token }, integration: 'bystander' })
  closers.push(() => client.close())
  await client.discover({ schemas: false })
  const target = url
  const world: LcmWorld = {
    store,
    get sandbox(): Sandbox {
      if (!sandbox) throw new Error('this world has no sandbox')
      return sandbox
    },
    url,
    config,
    engine,
    client,
    async extract() {
      const extraction = extractionTarget(target, {
        token,
        extensionSchemas: options.extensionSchemas ?? false,
      })
      try {
        const result = await runExtraction(store.db, extraction, { mode: 'full' })
        expect(result.status).toBe('succeeded')
      } finally {
        await extraction.client.close()
      }
    },
    plan: (...lines) => engine.plan(actions(...lines)),
    async apply(...lines) {
      const list = actions(...lines)
      const plan = await engine.plan(list)
      if (plan.problems.length > 0) throw new Error(`plan problems: ${JSON.stringify(plan.problems)}`)
      const stored = await engine.store(plan, 'actions:test')
      if (stored.status !== 'pending') throw new Error(`run waits: ${JSON.stringify(stored.breaches)}`)
      const summary = await engine.execute(stored.runId)
      const failures = await store.db
        .selectFrom('lcm_operations')
        .select(['seq', 'kind', 'status', 'error'])
        .where('run_id', '=', stored.runId)
        .where('status', '!=', 'succeeded')
        .orderBy('seq')
        .execute()
      return { plan, runId: stored.runId, status: summary.status, actions: list, failures }
    },
    async user(userName) {
      const all = await world.users()
      return all.find((u) => String(u.userName).toLowerCase() === userName.toLowerCase())
    },
    async group(displayName) {
      const all = await world.groups()
      return all.find((g) => String(g.displayName).toLowerCase() === displayName.toLowerCase())
    },
    async users() {
      const all: ScimResource[] = []
      for await (const user of client.users.list()) all.push(user)
      return all
    },
    async groups() {
      const all: ScimResource[] = []
      for await (const group of client.groups.list()) all.push(group)
      return all
    },
  }
  return world
}

/** Ids of a group's members, as the target lists them. */
export function memberIds(group: ScimResource | undefined): string[] {
  const members = Array.isArray(group?.members) ? (group.members as Array<{ value?: unknown }>) : []
  return members.map((m) => String(m.value)).sort()
}

/** `[kind, method, path]` of each planned operation, for compact expectations. */
export function shapes(plan: Plan): Array<[string, string, string]> {
  return plan.operations.map((op) => [op.kind, op.method, op.path])
}

/** The PATCH operations of planned operation `index` (an empty list when it has none). */
export function patchOps(plan: Plan, index = 0): unknown[] {
  const body = plan.operations[index]?.body as { Operations?: unknown[] } | undefined
  return body?.Operations ?? []
}

/**
 * The target's state with ids replaced by names (`@ada@example.com`, `@eng`) and `meta` and `$ref`
 * left out: two targets that went through the same changes compare equal, whatever ids they gave.
 */
export async function targetState(world: LcmWorld): Promise<Record<string, unknown>> {
  const users = await world.users()
  const groups = await world.groups()
  const names = new Map<string, string>()
  for (const u of users) names.set(String(u.id), `@${String(u.userName)}`)
  for (const g of groups) names.set(String(g.id), `@${String(g.displayName)}`)
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return names.get(value) ?? value
    if (Array.isArray(value))
      return value.map(rename).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== 'meta' && key !== '$ref' && key !== 'id')
          .map(([key, v]) => [key, rename(v)]),
      )
    }
    return value
  }
  return {
    users: Object.fromEntries(users.map((u) => [String(u.userName), rename(u)])),
    groups: Object.fromEntries(groups.map((g) => [String(g.displayName), rename(g)])),
  }
}

/** A client factory that records every request the engine sends (method, path, body). */
export function recordingClients(log: Array<{ method: string; path: string; body: unknown }>) {
  return (config: IntegrationConfig): ScimClient => {
    const client = createIntegrationClient(config)
    const send = client.transport.request.bind(client.transport)
    client.transport.request = (request) => {
      log.push({ method: request.method, path: request.path, body: request.body })
      return send(request)
    }
    return client
  }
}
