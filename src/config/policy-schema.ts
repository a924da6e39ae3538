/**
 * The `policies:` part of provisio.yaml (DESIGN.md "Configuration"): strict keys, and every
 * template and condition compiled at load time, so a bad one is reported with its path in the
 * file before anything runs.
 */
import * as z from 'zod'
import { compileCondition, compileTransformer, PolicyTextError } from '../policy/index.ts'
import { plainMessage, unknownKeyMessage } from './issue-messages.ts'

const always = { when: () => true }
const nonEmpty = z.string().min(1, 'must not be empty')
/** A template, or a list of templates tried in order (fallbacks). */
const templates = z.union([nonEmpty, z.array(nonEmpty).min(1, 'needs at least one template')])

const attributeSpec = z.union([
  templates,
  z.strictObject({
    value: templates,
    sync: z
      .enum(['always', 'create'])
      .default('always')
      .describe('create: written when the account is created, never updated'),
    drift: z
      .enum(['revert', 'adopt', 'report'])
      .default('revert')
      .describe('reconcile: revert a value changed in the target, adopt it, or only report it'),
  }),
])

const syncIdentity = z.strictObject({
  integration: nonEmpty,
  // user_name may be left out where the identity's account is already linked (a mover's update).
  attributes: z.record(z.string(), attributeSpec),
})

const manageRelationships = z.strictObject({
  integration: nonEmpty,
  groups: z
    .array(nonEmpty)
    .default([])
    .describe('groups the identity is kept in (templates); managed: removed when no longer wanted'),
  createMissing: z.boolean().default(false),
})

const deprovisionIdentity = z.strictObject({
  integration: nonEmpty,
  mode: z.enum(['deactivate', 'delete']).optional(),
  allowDataLoss: z.boolean().default(false),
})

const createEntitlement = z.strictObject({
  integration: nonEmpty,
  group: z.strictObject({
    display_name: nonEmpty,
    external_id: nonEmpty.optional(),
    description: z.string().optional(),
    group_type: nonEmpty.optional(),
  }),
})

const notify = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  on: z
    .enum(['success', 'failure', 'always'])
    .default('always')
    .describe('after which outcome of the actions before it'),
  headers: z.record(z.string(), z.string()).optional(),
})

/** Workflow action names: the four lifecycle actions and `notify`. */
export const WORKFLOW_ACTIONS = [
  'sync_identity',
  'manage_relationships',
  'deprovision_identity',
  'create_entitlement',
  'notify',
] as const

const ACTION_BODIES = {
  sync_identity: syncIdentity,
  manage_relationships: manageRelationships,
  deprovision_identity: deprovisionIdentity,
  create_entitlement: createEntitlement,
  notify,
} as const

type Bodies = typeof ACTION_BODIES
/** One workflow action: `{ <name>: <body> }`. */
export type WorkflowActionOutput = { [N in keyof Bodies]: { [K in N]: z.output<Bodies[N]> } }[keyof Bodies]

// Checked by hand rather than as a union: an unknown action name then gets one clear message,
// and a known one gets its body's own messages at their paths instead of a union's summary.
const action = z
  .record(z.string(), z.unknown())
  .transform((value, ctx): WorkflowActionOutput => {
    const names = Object.keys(value)
    const unknown = names.filter((name) => !(name in ACTION_BODIES))
    for (const name of unknown) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `unknown action "${name}"; expected one of ${WORKFLOW_ACTIONS.join(', ')}`,
        params: { atKey: true },
      })
    }
    if (names.length !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one action per list item' })
    const name = names[0] as keyof Bodies
    if (unknown.length > 0 || names.length !== 1) return z.NEVER
    const schema = ACTION_BODIES[name]
    const result = schema.safeParse(value[name], { error: plainMessage })
    if (result.success) return { [name]: result.data } as WorkflowActionOutput
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const known = Object.keys(shapeAt(schema, issue.path))
        for (const key of issue.keys) {
          ctx.addIssue({
            code: 'custom',
            path: [name, ...issue.path, key],
            message: unknownKeyMessage(key, known),
            params: { atKey: true },
          })
        }
      } else {
        ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message })
      }
    }
    return z.NEVER
  })
  .meta({ propertyNames: { enum: [...WORKFLOW_ACTIONS] } })

/** The keys of the strict object at `path` within a body schema, for "did you mean" messages. */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, unknown> {
  let current: unknown = schema
  for (const segment of path) {
    const shape = (current as { shape?: Record<string, unknown> }).shape
    const next = shape?.[String(segment)] as { unwrap?: () => unknown } | undefined
    current =
      next && typeof next.unwrap === 'function' && !(next as { shape?: unknown }).shape ? next.unwrap() : next
  }
  return (current as { shape?: Record<string, unknown> } | undefined)?.shape ?? {}
}

const workflow = z
  .strictObject({
    on: z.enum(['joiner', 'mover', 'leaver', 'reconcile']),
    when: nonEmpty
      .optional()
      .describe('SCIM filter over source attributes; relative dates: "now+3d", "today"'),
    watch: z
      .array(nonEmpty)
      .min(1, 'needs at least one attribute')
      .optional()
      .describe('mover: the attributes whose change triggers it'),
    actions: z.array(action).default([]),
  })
  .refine((w) => w.watch === undefined || w.on === 'mover', {
    message: 'watch applies to mover workflows only',
    path: ['watch'],
  })

export const policySchema = z
  .strictObject({
    name: nonEmpty,
    source: nonEmpty,
    state: z
      .enum(['active', 'dry_run', 'paused'])
      .default('active')
      .describe('dry_run: plans are recorded, nothing is sent'),
    limits: z
      .strictObject({
        maxDeprovisions: z.int().nonnegative().optional(),
        maxOperations: z.int().nonnegative().optional(),
      })
      .optional(),
    orphans: z
      .enum(['report', 'deprovision'])
      .default('report')
      .describe('reconcile: accounts no identity backs'),
    workflows: z.array(workflow).default([]),
  })
  .superRefine(checkTexts, always)

type PolicyInput = z.output<typeof policySchema>
type Context = z.core.$RefinementCtx<PolicyInput>

/** Compiles every template and condition, reporting each error at its path. */
function checkTexts(policy: PolicyInput, ctx: Context): void {
  const report = (path: (string | number)[], compile: () => void) => {
    try {
      compile()
    } catch (error) {
      if (!(error instanceof PolicyTextError)) throw error
      ctx.addIssue({ code: 'custom', path, message: error.message })
    }
  }
  const context = { policy: policy.name }
  policy.workflows.forEach((workflow, w) => {
    if (workflow.when !== undefined) {
      const text = workflow.when
      report(['workflows', w, 'when'], () =>
        compileCondition(text, { ...context, location: `workflow ${w + 1} when` }),
      )
    }
    workflow.actions.forEach((item, a) => {
      const at = ['workflows', w, 'actions', a]
      if ('sync_identity' in item) {
        for (const [name, spec] of Object.entries(item.sync_identity.attributes)) {
          const value = typeof spec === 'string' || Array.isArray(spec) ? spec : spec.value
          report([...at, 'sync_identity', 'attributes', name], () =>
            compileTransformer(value, { ...context, attribute: name }),
          )
        }
      } else if ('manage_relationships' in item) {
        item.manage_relationships.groups.forEach((group, g) => {
          report([...at, 'manage_relationships', 'groups', g], () =>
            compileTransformer(group, { ...context, location: 'groups' }),
          )
        })
      } else if ('create_entitlement' in item) {
        for (const [name, text] of Object.entries(item.create_entitlement.group)) {
          if (typeof text === 'string')
            report([...at, 'create_entitlement', 'group', name], () =>
              compileTransformer(text, { ...context, attribute: name }),
            )
        }
      }
    })
  })
}

export type ParsedPolicy = z.output<typeof policySchema>
