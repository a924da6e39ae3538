/**
 * What the access graph stores of an account or a group, built one way for extraction and for the
 * lifecycle engine's updates from a target's answers: the next extraction of a resource a run
 * wrote then finds the same texts, and rewrites nothing.
 */
import type { ScimGroup, ScimUser } from '../scim/index.ts'
import { normalizeGroup, normalizeUser } from './normalize.ts'
import type { AttributeIndex } from './reverse-index.ts'

/** An account row's content columns. */
export interface AccountContent {
  user_name: string | null
  external_id: string | null
  display_name: string | null
  email: string | null
  active: 0 | 1 | null
  /** Normalized attributes as JSON. */
  attributes: string
  /** The resource as the target sent it. */
  raw: string
  created_at: string | null
  last_modified: string | null
}

/** A group row's content columns; its members are membership rows. */
export interface GroupContent {
  display_name: string | null
  external_id: string | null
  attributes: string
  raw: string
  created_at: string | null
  last_modified: string | null
}

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
