/**
 * Turns a stored resource into what the client sees: `meta.location`, the derived `User.groups`,
 * member and manager references filled in from current data, then the attribute selection applied.
 */

import type { MultiValue, ScimResource } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import type { Selection } from './attribute-selection.ts'
import type { StoredResource } from './resource-collection.ts'
import type { ResourceKind, ResourceStore } from './resource-store.ts'

/** Where resources are reachable: the sandbox URL including the base path. */
export interface RenderContext {
  store: ResourceStore
  baseUrl: string
}

const ENDPOINT: Record<ResourceKind, string> = { User: 'Users', Group: 'Groups' }

/** The URL of a resource. */
export function locationOf(baseUrl: string, kind: ResourceKind, id: string): string {
  return `${baseUrl}/${ENDPOINT[kind]}/${id}`
}

/** The name a member is displayed by: displayName, else a user's userName. */
function displayOf(stored: StoredResource | undefined): string | undefined {
  const data = stored?.data
  if (!data) return undefined
  const name = data.displayName ?? data.userName
  return typeof name === 'string' ? name : undefined
}

function renderMembers(ctx: RenderContext, members: MultiValue[]): MultiValue[] {
  return members.map((m) => {
    const kind: ResourceKind = m.type === 'Group' ? 'Group' : 'User'
    const id = String(m.value)
    const display = m.display ?? displayOf(ctx.store.collection(kind).get(id))
    return {
      value: id,
      $ref: locationOf(ctx.baseUrl, kind, id),
      ...(display === undefined ? {} : { display }),
      type: kind,
    }
  })
}

function renderGroups(ctx: RenderContext, id: string): MultiValue[] {
  return ctx.store.groupsOf(id).map(({ group, direct }) => {
    const display = displayOf(group)
    return {
      value: group.id,
      $ref: locationOf(ctx.baseUrl, 'Group', group.id),
      ...(display === undefined ? {} : { display }),
      type: direct ? 'direct' : 'indirect',
    }
  })
}

/** The Enterprise manager with `$ref` and `displayName` taken from the managing user, when it exists. */
function renderEnterprise(ctx: RenderContext, enterprise: unknown): unknown {
  if (typeof enterprise !== 'object' || enterprise === null) return enterprise
  const manager = (enterprise as Record<string, unknown>).manager
  if (typeof manager !== 'object' || manager === null) return enterprise
  const id = (manager as Record<string, unknown>).value
  const boss = typeof id === 'string' ? ctx.store.users.get(id) : undefined
  if (!boss) return enterprise
  const displayName = displayOf(boss)
  return {
    ...enterprise,
    manager: {
      ...manager,
      $ref: locationOf(ctx.baseUrl, 'User', boss.id),
      ...(displayName === undefined ? {} : { displayName }),
    },
  }
}

/** The full client view of a stored resource, before attribute selection. */
export function expandResource(
  ctx: RenderContext,
  kind: ResourceKind,
  stored: StoredResource,
  selection?: Selection,
): ScimResource {
  const { meta, ...rest } = stored.data
  const out: ScimResource = rest
  if (kind === 'User') {
    if (!selection || selection.wants(SCHEMA.user, 'groups')) {
      const groups = renderGroups(ctx, stored.id)
      if (groups.length > 0) out.groups = groups
    }
    const enterprise = rest[SCHEMA.enterpriseUser]
    if (enterprise !== undefined) out[SCHEMA.enterpriseUser] = renderEnterprise(ctx, enterprise)
  } else if (Array.isArray(rest.members) && (!selection || selection.wants(SCHEMA.group, 'members'))) {
    out.members = renderMembers(ctx, rest.members as MultiValue[])
  }
  out.meta = { ...meta, location: locationOf(ctx.baseUrl, kind, stored.id) }
  return out
}

/** The client view of a stored resource with the selection applied. */
export function renderResource(
  ctx: RenderContext,
  kind: ResourceKind,
  stored: StoredResource,
  selection: Selection,
): ScimResource {
  return selection.project(expandResource(ctx, kind, stored, selection)) as ScimResource
}
