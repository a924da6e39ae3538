/** A plan: the exact SCIM operations a run would make, and what was left alone and why. */
import type { PatchOperation } from '../scim/resources.ts'
import type { ActionName } from './actions.ts'
import type { AttributeChanges } from './user-attributes.ts'

/** What an operation does, for limits, the graph updates and rollback. */
export type OperationKind =
  | 'create_user'
  | 'update_user'
  | 'deactivate_user'
  | 'delete_user'
  | 'add_members'
  | 'remove_members'
  | 'create_group'
  | 'update_group'
  | 'delete_group'

/** Facts an operation carries beyond its request. */
export interface OperationDetails {
  /** Operations of other lanes that must have succeeded first (they create what this one refers to). */
  dependsOn: number[]
  /** The account or group the operation changes: a real id or `bulkId:opN`. */
  targetId?: string
  /** The identity the account belongs to, linked when the operation succeeds. */
  identity?: string
  /** PATCH operations before the target's casing, for targets that take GET + PUT instead. */
  patch?: PatchOperation[]
  /** Prior and new values (updates): rollback restores the prior ones. */
  changes?: AttributeChanges
  /** Members added or removed (ids or `bulkId:opN`), and whether they are users or groups. */
  members?: string[]
  memberType?: 'User' | 'Group'
  /** Display names for people: the group and member names of a membership change. */
  groupName?: string
  memberNames?: string[]
  /** A create's matching facts, to find and adopt the account if the answer was lost or a 409 came. */
  match?: { userName?: string; externalId?: string; displayName?: string }
  /** Before a delete or deactivation: the account's attributes and groups, to restore on rollback. */
  prior?: { attributes?: Record<string, unknown>; groups?: string[]; active?: boolean }
}

/** One SCIM request of a plan. */
export interface PlannedOperation {
  seq: number
  integration: string
  action: ActionName | 'rollback'
  kind: OperationKind
  /** The user name or group name it concerns. */
  identity: string
  lane: string
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  path: string
  body?: unknown
  details: OperationDetails
}

/** Something the plan leaves alone: a disputed match, an action that cannot run as given. */
export interface PlanProblem {
  kind: 'disputed' | 'error'
  integration: string
  action: ActionName | 'rollback'
  identity: string
  message: string
  /** Accounts a disputed match could mean. */
  candidates?: string[]
}

/** Requests and expected duration per integration. */
export interface PlanCost {
  integration: string
  operations: number
  requests: number
  /** Requests per second the estimate assumes, and where that figure comes from. */
  rate: number
  rateSource: 'rate limit' | 'concurrency'
  estimatedSeconds: number
  bulk: boolean
}

export interface Plan {
  operations: PlannedOperation[]
  problems: PlanProblem[]
  /** Actions that needed nothing: already in the wanted state. */
  unchanged: number
  cost: PlanCost[]
}

/** Operation kinds that take something away, each watched by a limit. */
export const DESTRUCTIVE_KINDS = ['deactivate_user', 'delete_user', 'remove_members', 'delete_group'] as const
