/**
 * Rows an extraction writes, built straight into flat value lists (see bulk-insert.ts) in the
 * column order of their tables: staged rows carry the run id, rows written straight into the
 * graph (a first extraction) carry their first-seen and updated times instead.
 */
import { type AttributeIndex, accountContent, groupContent } from '../graph/index.ts'
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import type { BulkTable, RowBuffer } from './bulk-insert.ts'

/** What every row of one extraction shares. */
export interface RowContext {
  runId: string
  integration: string
  index: AttributeIndex | undefined
  /**
   * Where rows go: the staging tables, or, when the integration's graph is empty (its first
   * extraction), straight into the graph, since there is no previous graph to keep whole.
   */
  into: 'staging' | 'graph'
  /** Timestamp of rows written straight into the graph. */
  now: string
}

/** Columns of an account row before its destination's own (run id, or first seen and updated). */
const ACCOUNT_COLUMNS = [
  'integration',
  'id',
  'user_name',
  'external_id',
  'display_name',
  'email',
  'active',
  'attributes',
  'raw',
  'created_at',
  'last_modified',
] as const
const GROUP_COLUMNS = [
  'integration',
  'id',
  'display_name',
  'external_id',
  'attributes',
  'raw',
  'created_at',
  'last_modified',
] as const
const MEMBERSHIP_COLUMNS = ['integration', 'group_id', 'member_id', 'member_type'] as const

/** Where each kind of row goes, staged or live; a repeated key (listed twice) is kept as first read. */
export const ROW_TABLES = {
  staging: {
    accounts: {
      table: 'staged_accounts',
      columns: [...ACCOUNT_COLUMNS, 'run_id'],
      conflict: ['run_id', 'id'],
    },
    groups: { table: 'staged_groups', columns: [...GROUP_COLUMNS, 'run_id'], conflict: ['run_id', 'id'] },
    memberships: {
      table: 'staged_memberships',
      columns: [...MEMBERSHIP_COLUMNS, 'run_id'],
      conflict: ['run_id', 'group_id', 'member_id'],
    },
  },
  graph: {
    accounts: {
      table: 'accounts',
      columns: [...ACCOUNT_COLUMNS, 'first_seen_at', 'updated_at'],
      conflict: ['integration', 'id'],
    },
    groups: {
      table: 'groups',
      columns: [...GROUP_COLUMNS, 'first_seen_at', 'updated_at'],
      conflict: ['integration', 'id'],
    },
    memberships: {
      table: 'memberships',
      columns: [...MEMBERSHIP_COLUMNS, 'first_seen_at'],
      conflict: ['integration', 'group_id', 'member_id'],
    },
  },
} as const satisfies Record<RowContext['into'], Record<string, BulkTable>>

/** Appends a user's account row; `sentText` is the user's JSON as the target sent it, when kept. */
export function pushAccount(context: RowContext, rows: RowBuffer, user: ScimUser, sentText?: string): void {
  const content = accountContent(user, context.index, sentText)
  rows.values.push(
    context.integration,
    user.id,
    content.user_name,
    content.external_id,
    content.display_name,
    content.email,
    content.active,
    content.attributes,
    content.raw,
    content.created_at,
    content.last_modified,
  )
  pushDestination(context, rows.values, true)
  rows.added()
}

/** Appends a group's row, without its members: they are membership rows. */
export function pushGroup(context: RowContext, rows: RowBuffer, group: ScimGroup, sentText?: string): void {
  const content = groupContent(group, context.index, sentText)
  rows.values.push(
    context.integration,
    group.id,
    content.display_name,
    content.external_id,
    content.attributes,
    content.raw,
    content.created_at,
    content.last_modified,
  )
  pushDestination(context, rows.values, true)
  rows.added()
}

/** Appends a membership row. */
export function pushMembership(
  context: RowContext,
  rows: RowBuffer,
  groupId: string,
  memberId: string,
  memberType: 'User' | 'Group',
): void {
  const out = rows.values
  out.push(context.integration, groupId, memberId, memberType)
  pushDestination(context, out, false)
  rows.added()
}

/** The destination's own columns: the run id when staged; when live, first seen (and updated) now. */
function pushDestination(context: RowContext, out: unknown[], updated: boolean): void {
  if (context.into === 'staging') out.push(context.runId)
  else if (updated) out.push(context.now, context.now)
  else out.push(context.now)
}
