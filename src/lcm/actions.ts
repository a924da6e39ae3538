/**
 * The four lifecycle actions as the engine receives them, from an action file (DESIGN.md "Action
 * files") or, later, from a policy's workflows with their templates already evaluated.
 */
import * as z from 'zod'

/** Attribute values by normalized name (DESIGN.md), e.g. `user_name`, `emails`, `scim_extension_…`. */
export type AttributeValues = Readonly<Record<string, unknown>>

/** Create the account, or update only what differs; `active: true` reactivates. */
export interface SyncIdentityAction {
  readonly action: 'sync_identity'
  readonly integration: string
  /** Who the account belongs to (a source key); defaults to the user name. */
  readonly identity?: string | undefined
  readonly attributes: AttributeValues
}

/** Add and remove memberships of a user (or of a group: nested groups) by group display name. */
export interface ManageRelationshipsAction {
  readonly action: 'manage_relationships'
  readonly integration: string
  readonly identity?: string | undefined
  /** The member: a user by user name, or a group by display name. */
  readonly member:
    | { readonly kind: 'User'; readonly userName: string }
    | { readonly kind: 'Group'; readonly displayName: string }
  readonly add: readonly string[]
  readonly remove: readonly string[]
  /** Groups to add to that do not exist are created (create_entitlement) instead of being an error. */
  readonly createMissing: boolean
}

/** Deactivate (default) or delete an account; every membership is removed. */
export interface DeprovisionIdentityAction {
  readonly action: 'deprovision_identity'
  readonly integration: string
  readonly identity?: string | undefined
  readonly userName: string
  /** Overrides the integration's `deprovision` setting for this action. */
  readonly mode?: 'deactivate' | 'delete' | undefined
  /** Deactivation on this vendor destroys the account (e.g. Harness): only with this consent. */
  readonly allowDataLoss: boolean
}

/** The attributes a group is created or adopted with. */
export interface GroupSpec {
  readonly display_name: string
  readonly external_id?: string | undefined
  readonly description?: string | undefined
  readonly group_type?: string | undefined
  /** Initial members, by user name. */
  readonly members: readonly string[]
}

/** Create a group; one of that name already there is adopted, never duplicated. */
export interface CreateEntitlementAction {
  readonly action: 'create_entitlement'
  readonly integration: string
  readonly group: GroupSpec
}

export type LifecycleAction =
  | SyncIdentityAction
  | ManageRelationshipsAction
  | DeprovisionIdentityAction
  | CreateEntitlementAction

export type ActionName = LifecycleAction['action']

/** The user name an action is about, or the group name for group actions: its lane in a run. */
export function actionSubject(action: LifecycleAction): string {
  switch (action.action) {
    case 'sync_identity':
      return String(action.attributes.user_name ?? action.identity ?? '')
    case 'manage_relationships':
      return action.member.kind === 'User' ? action.member.userName : action.member.displayName
    case 'deprovision_identity':
      return action.userName
    case 'create_entitlement':
      return action.group.display_name
  }
}

const name = z.string().trim().min(1, 'must not be empty')
const integration = name
const identity = name.optional()
const groupNames = z.array(name).default([])

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
const attributeValue = z.union([
  scalar,
  z.array(z.union([scalar, z.record(z.string(), z.unknown())])),
  z.record(z.string(), z.unknown()),
])

const syncIdentity = z.strictObject({
  integration,
  identity,
  attributes: z
    .record(z.string(), attributeValue)
    .refine((values) => typeof values.user_name === 'string' && values.user_name.trim() !== '', {
      message: "needs user_name: it is the account's unique key",
    }),
})

const manageRelationships = z
  .strictObject({
    integration,
    identity,
    user_name: name.optional(),
    group: name.optional().describe('a group as the member, for nested groups'),
    add: groupNames,
    groups: groupNames.describe('same as add; the spelling policies use'),
    remove: groupNames,
    createMissing: z.boolean().default(false),
  })
  .refine((value) => (value.user_name === undefined) !== (value.group === undefined), {
    message: 'give either user_name (a user) or group (a nested group) as the member',
  })

const deprovisionIdentity = z.strictObject({
  integration,
  identity,
  user_name: name,
  mode: z.enum(['deactivate', 'delete']).optional(),
  allowDataLoss: z.boolean().default(false),
})

const createEntitlement = z.strictObject({
  integration,
  group: z.strictObject({
    display_name: name,
    external_id: name.optional(),
    description: z.string().optional(),
    group_type: name.optional(),
    members: z.array(name).default([]),
  }),
})

/** The schema of each action's body, by action name. */
export const ACTION_SCHEMAS = {
  sync_identity: syncIdentity,
  manage_relationships: manageRelationships,
  deprovision_identity: deprovisionIdentity,
  create_entitlement: createEntitlement,
} as const

export const ACTION_NAMES = Object.keys(ACTION_SCHEMAS) as ActionName[]

type ParsedBody<N extends ActionName> = z.output<(typeof ACTION_SCHEMAS)[N]>

/** A validated action body as the engine's action value. */
export function toAction<N extends ActionName>(name: N, body: ParsedBody<N>): LifecycleAction {
  if (name === 'sync_identity') return { action: 'sync_identity', ...(body as ParsedBody<'sync_identity'>) }
  if (name === 'create_entitlement') {
    return { action: 'create_entitlement', ...(body as ParsedBody<'create_entitlement'>) }
  }
  if (name === 'deprovision_identity') {
    const { user_name, ...rest } = body as ParsedBody<'deprovision_identity'>
    return { action: 'deprovision_identity', userName: user_name, ...rest }
  }
  const { user_name, group, add, groups, ...rest } = body as ParsedBody<'manage_relationships'>
  return {
    action: 'manage_relationships',
    ...rest,
    member:
      user_name !== undefined
        ? { kind: 'User', userName: user_name }
        : { kind: 'Group', displayName: group ?? '' },
    add: [...add, ...groups],
  }
}
