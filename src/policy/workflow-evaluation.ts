/**
 * A policy's workflows applied to one event: which workflows fire (their `on`, `when` and, for
 * movers, `watch`), and what their actions become once every template is evaluated against the
 * identity's attributes. Pure, apart from the callbacks that ask the graph about accounts.
 */
import type { PolicyConfig, WorkflowConfig } from '../config/index.ts'
import type { LifecycleAction } from '../lcm/actions.ts'
import type { SourceAttributes } from './attributes.ts'
import { type Condition, compileCondition } from './conditions.ts'
import { compileTransformer, type Transformer } from './template/transformer.ts'

export type EventKind = 'joiner' | 'mover' | 'leaver' | 'reconcile'

/** The event a policy reacts to. */
export interface PolicyEvent {
  kind: EventKind
  key: string
  attributes: SourceAttributes
  /** Changed attributes of a mover. */
  changes?: Readonly<Record<string, unknown>>
}

/** What the evaluation needs to know of the targets. */
export interface TargetView {
  /** The user name of the account linked to this identity in the integration, if any. */
  linkedUserName(integration: string, identity: string): string | undefined
  /** Whether a user name is taken in the integration by an account that is not this identity's. */
  isTaken(integration: string, userName: string, identity: string): boolean | Promise<boolean>
}

/** Groups a policy wants an identity in, per integration (managed memberships). */
export interface GroupWish {
  integration: string
  userName: string
  groups: string[]
  createMissing: boolean
}

export interface Notification {
  url: string
  on: 'success' | 'failure' | 'always'
  headers: Readonly<Record<string, string>>
  workflow: number
}

/** One transformer's result, for previews and plans. */
export interface TransformResult {
  workflow: number
  action: string
  integration: string
  attribute: string
  value: string | undefined
}

/** Drift handling per integration and attribute (reconcile). */
export type DriftRules = Map<string, Map<string, 'revert' | 'adopt' | 'report'>>

export interface Evaluation {
  /** Workflows that fired, by 1-based position. */
  workflows: number[]
  actions: LifecycleAction[]
  groups: GroupWish[]
  notifications: Notification[]
  transforms: TransformResult[]
  drift: DriftRules
  /** Problems evaluating (a template error, no user name): the identity's actions are left out. */
  problems: string[]
}

/** Compiled workflows of a policy, reused across identities. */
export class CompiledPolicy {
  readonly policy: PolicyConfig
  readonly #conditions = new Map<WorkflowConfig, Condition>()
  readonly #transformers = new Map<string, Transformer>()

  constructor(policy: PolicyConfig) {
    this.policy = policy
    for (const workflow of policy.workflows) {
      if (workflow.when !== undefined)
        this.#conditions.set(workflow, compileCondition(workflow.when, { policy: policy.name }))
    }
  }

  /** The transformer of a template spec, compiled once. */
  transformer(spec: string | readonly string[], attribute: string): Transformer {
    const key = JSON.stringify(spec)
    let transformer = this.#transformers.get(key)
    if (!transformer) {
      transformer = compileTransformer(spec, { policy: this.policy.name, attribute })
      this.#transformers.set(key, transformer)
    }
    return transformer
  }

  /** Workflows that fire for the event, with their 1-based positions. */
  firing(event: PolicyEvent, now: Date): Array<[number, WorkflowConfig]> {
    const wanted =
      event.kind === 'reconcile' && !this.policy.workflows.some((w) => w.on === 'reconcile')
        ? 'joiner'
        : event.kind
    return this.policy.workflows.flatMap((workflow, i): Array<[number, WorkflowConfig]> => {
      if (workflow.on !== wanted) return []
      const condition = this.#conditions.get(workflow)
      if (condition && !condition.matches(event.attributes, now)) return []
      if (
        workflow.on === 'mover' &&
        workflow.watch &&
        !workflow.watch.some((name) => event.changes && name in event.changes)
      )
        return []
      return [[i + 1, workflow]]
    })
  }
}

/** Evaluates the workflows that fire for an event into lifecycle actions. */
export async function evaluateEvent(
  compiled: CompiledPolicy,
  event: PolicyEvent,
  targets: TargetView,
  now: Date,
): Promise<Evaluation> {
  const out: Evaluation = {
    workflows: [],
    actions: [],
    groups: [],
    notifications: [],
    transforms: [],
    drift: new Map(),
    problems: [],
  }
  const userNames = new Map<string, string>()
  for (const [n, workflow] of compiled.firing(event, now)) {
    out.workflows.push(n)
    for (const item of workflow.actions) {
      try {
        await evaluateAction(compiled, item, n, event, targets, now, userNames, out)
      } catch (error) {
        out.problems.push(`workflow ${n}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
  return out
}

async function evaluateAction(
  compiled: CompiledPolicy,
  item: WorkflowConfig['actions'][number],
  n: number,
  event: PolicyEvent,
  targets: TargetView,
  now: Date,
  userNames: Map<string, string>,
  out: Evaluation,
): Promise<void> {
  const identity = event.key
  const userNameIn = (integration: string): string => {
    const name =
      userNames.get(integration) ??
      targets.linkedUserName(integration, identity) ??
      userNameFromPolicy(compiled, integration, event, now)
    if (!name)
      throw new Error(
        `no account of ${identity} is known in ${integration}, and no user_name template gives one`,
      )
    return name
  }
  if ('sync_identity' in item) {
    const { integration, attributes } = item.sync_identity
    const linked = targets.linkedUserName(integration, identity)
    const values: Record<string, unknown> = {}
    for (const [name, spec] of Object.entries(attributes)) {
      const {
        value: template,
        sync,
        drift,
      } = typeof spec === 'string' || Array.isArray(spec)
        ? { value: spec, sync: 'always', drift: 'revert' as const }
        : spec
      if (drift !== 'revert') ruleFor(out.drift, integration).set(name, drift)
      // Written on create only: an existing account keeps its value (the user name above all).
      if (sync === 'create' && linked !== undefined) continue
      const transformer = compiled.transformer(template, name)
      const value =
        name === 'user_name' && linked === undefined
          ? await transformer.resolve(
              event.attributes,
              (candidate) => targets.isTaken(integration, candidate, identity),
              { now },
            )
          : transformer.candidates(event.attributes, { now })[0]
      out.transforms.push({ workflow: n, action: 'sync_identity', integration, attribute: name, value })
      if (value !== undefined) values[name] = value
    }
    values.user_name ??= linked ?? userNames.get(integration)
    // An identity present in the source has an active account (a returning leaver is reactivated),
    // unless the policy decides `active` itself.
    if (!('active' in attributes) && event.kind !== 'leaver') values.active = true
    if (typeof values.user_name !== 'string')
      throw new Error(`sync_identity on ${integration}: user_name is empty for ${identity}`)
    userNames.set(integration, values.user_name)
    out.actions.push({ action: 'sync_identity', integration, identity, attributes: values })
    return
  }
  if ('manage_relationships' in item) {
    const { integration, groups, createMissing } = item.manage_relationships
    const names = groups.flatMap((spec) => {
      const value = compiled.transformer(spec, 'groups').candidates(event.attributes, { now })[0]
      out.transforms.push({
        workflow: n,
        action: 'manage_relationships',
        integration,
        attribute: 'groups',
        value,
      })
      return value === undefined ? [] : [value]
    })
    const userName = userNameIn(integration)
    const existing = out.groups.find((g) => g.integration === integration)
    if (existing) existing.groups.push(...names.filter((g) => !existing.groups.includes(g)))
    else out.groups.push({ integration, userName, groups: [...new Set(names)], createMissing })
    return
  }
  if ('deprovision_identity' in item) {
    const { integration, mode, allowDataLoss } = item.deprovision_identity
    out.actions.push({
      action: 'deprovision_identity',
      integration,
      identity,
      userName: userNameIn(integration),
      mode,
      allowDataLoss,
    })
    return
  }
  if ('create_entitlement' in item) {
    const { integration, group } = item.create_entitlement
    const evaluated: Record<string, string | undefined> = {}
    for (const [name, text] of Object.entries(group)) {
      if (typeof text !== 'string') continue
      evaluated[name] = compiled.transformer(text, name).candidates(event.attributes, { now })[0]
      out.transforms.push({
        workflow: n,
        action: 'create_entitlement',
        integration,
        attribute: name,
        value: evaluated[name],
      })
    }
    if (!evaluated.display_name)
      throw new Error(`create_entitlement on ${integration}: display_name is empty`)
    out.actions.push({
      action: 'create_entitlement',
      integration,
      group: {
        display_name: evaluated.display_name,
        ...(evaluated.external_id ? { external_id: evaluated.external_id } : {}),
        ...(evaluated.description !== undefined ? { description: evaluated.description } : {}),
        ...(evaluated.group_type ? { group_type: evaluated.group_type } : {}),
        members: [],
      },
    })
    return
  }
  out.notifications.push({
    url: item.notify.url,
    on: item.notify.on,
    headers: item.notify.headers ?? {},
    workflow: n,
  })
}

function ruleFor(rules: DriftRules, integration: string): Map<string, 'revert' | 'adopt' | 'report'> {
  let rule = rules.get(integration)
  if (!rule) {
    rule = new Map()
    rules.set(integration, rule)
  }
  return rule
}

/** The user name the policy's own user_name template gives for an integration (first template). */
function userNameFromPolicy(
  compiled: CompiledPolicy,
  integration: string,
  event: PolicyEvent,
  now: Date,
): string | undefined {
  for (const workflow of compiled.policy.workflows) {
    for (const item of workflow.actions) {
      if (!('sync_identity' in item) || item.sync_identity.integration !== integration) continue
      const spec = item.sync_identity.attributes.user_name
      if (spec === undefined) continue
      const template = typeof spec === 'string' || Array.isArray(spec) ? spec : spec.value
      return compiled.transformer(template, 'user_name').candidates(event.attributes, { now })[0]
    }
  }
  return undefined
}
