/**
 * What the access graph stores of an account or a group, built one way for extraction and for the
 * lifecycle engine's updates from a target's answers: the next extraction of a resource a run
 * wrote then finds the same texts, and rewrites nothing.
 */
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import type { AccountsTable, GroupsTable } from '../store/tables.ts'
import { normalizeGroup, normalizeUser } from './normalize.ts'
import type { AttributeIndex } from './reverse-index.ts'

/** An account row's content columns: every column a resource's content decides. */
export type AccountContent = Pick<
  AccountsTable,
  | 'user_name'
  | 'external_id'
  | 'display_name'
  | 'email'
  | 'active'
  | 'attributes'
  | 'raw'
  | 'created_at'
  | 'last_modified'
>

/** A group row's content columns; its members are membership rows. */
export type GroupContent = Pick<
  GroupsTable,
  'display_name' | 'external_id' | 'attributes' | 'raw' | 'created_at' | 'last_modified'
>

/**
 * An account's content. `sentText` is the resource's JSON text as the target sent it, when the
 * reader kept it (a listing does); otherwise the parsed resource is written back as JSON.
 */
export function accountContent(
  user: ScimUser,
  index: AttributeIndex | undefined,
  sentText?: string,
): AccountContent {
  const attributes = normalizeUser(user, index)
  return {
    user_name: textOf(attributes.user_name),
    external_id: textOf(attributes.external_id),
    display_name: textOf(attributes.display_name),
    email: textOf(attributes.email),
    active: typeof attributes.active === 'boolean' ? (attributes.active ? 1 : 0) : null,
    attributes: JSON.stringify(attributes),
    raw: sentText ?? JSON.stringify(user),
    created_at: textOf(user.meta?.created),
    last_modified: textOf(user.meta?.lastModified),
  }
}

/** A group's content; members stay out of its normalized attributes (they are membership rows). */
export function groupContent(
  group: ScimGroup,
  index: AttributeIndex | undefined,
  sentText?: string,
): GroupContent {
  // Normalizing the members only to drop them would copy every member of a large group.
  const { members: _members, ...withoutMembers } = group
  const attributes = normalizeGroup(withoutMembers, index)
  return {
    display_name: textOf(attributes.display_name),
    external_id: textOf(attributes.external_id),
    attributes: JSON.stringify(attributes),
    raw: sentText ?? JSON.stringify(group),
    created_at: textOf(group.meta?.created),
    last_modified: textOf(group.meta?.lastModified),
  }
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
