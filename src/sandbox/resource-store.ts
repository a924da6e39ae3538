/**
 * Users and Groups of one sandbox, with group membership kept consistent: members must exist,
 * deleting a resource removes it from every group, and a user's groups (direct and through nested
 * groups) are derived from the members index rather than stored.
 */

import { ScimProtocolError } from '../scim/errors.ts'
import type { MultiValue, ScimResource } from '../scim/resources.ts'
import { type InsertOptions, ResourceCollection, type StoredResource } from './resource-collection.ts'
import { GROUP_RESOURCE, USER_RESOURCE } from './schema-definitions.ts'

/** The resource types the sandbox serves. */
export type ResourceKind = 'User' | 'Group'

/** A group a resource belongs to, and whether directly or through a nested group. */
export interface Membership {
  group: StoredResource
  direct: boolean
}

/** The state a sandbox persists: resources with their ids and meta. */
export interface StoreState {
  users: ScimResource[]
  groups: ScimResource[]
}

function membersOf(data: ScimResource): MultiValue[] {
  return Array.isArray(data.members) ? (data.members as MultiValue[]) : []
}

/** All resources of a sandbox; every change goes through here so membership stays consistent. */
export class ResourceStore {
  readonly users = new ResourceCollection(USER_RESOURCE, 'userName')
  readonly groups = new ResourceCollection(GROUP_RESOURCE, 'displayName')
  /** Member id → ids of the groups listing it directly. */
  private readonly memberOf = new Map<string, string[]>()
  private readonly listeners: Array<() => void> = []

  /** The collection of a resource type. */
  collection(kind: ResourceKind): ResourceCollection {
    return kind === 'User' ? this.users : this.groups
  }

  /** Which collection holds an id. */
  kindOf(id: string): ResourceKind | undefined {
    if (this.users.get(id)) return 'User'
    if (this.groups.get(id)) return 'Group'
    return undefined
  }

  /** Registers a callback run after every change (persistence hooks in here). */
  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** Adds a checked resource (a fresh object the store then owns); group members must exist. */
  create(kind: ResourceKind, data: ScimResource, options?: InsertOptions): StoredResource {
    const checked = kind === 'Group' ? this.checkMembers(undefined, data) : data
    const stored = this.collection(kind).insert(checked, options)
    if (kind === 'Group') this.indexMembers(stored.id, [], membersOf(stored.data))
    this.changed()
    return stored
  }

  /** Replaces a resource's attributes with a checked, fresh object; bumps its version. */
  replace(kind: ResourceKind, stored: StoredResource, data: ScimResource): StoredResource {
    if (kind === 'User') {
      this.users.replace(stored, data)
    } else {
      const checked = this.checkMembers(stored.id, data)
      const before = membersOf(stored.data)
      this.groups.replace(stored, checked)
      this.indexMembers(stored.id, before, membersOf(stored.data))
    }
    this.changed()
    return stored
  }

  /** Deletes a resource and removes it from every group that lists it. */
  delete(kind: ResourceKind, stored: StoredResource): void {
    this.collection(kind).remove(stored)
    if (kind === 'Group') this.indexMembers(stored.id, membersOf(stored.data), [])
    for (const groupId of [...(this.memberOf.get(stored.id) ?? [])]) {
      const group = this.groups.get(groupId)
      if (!group) continue
      const members = membersOf(group.data).filter((m) => m.value !== stored.id)
      const { members: _old, ...rest } = group.data
      this.groups.replace(group, members.length > 0 ? { ...rest, members } : rest)
    }
    this.memberOf.delete(stored.id)
    this.changed()
  }

  /** The groups a user or group belongs to: direct ones first, then those reached through nesting. */
  groupsOf(id: string): Membership[] {
    const direct = this.memberOf.get(id)
    if (!direct || direct.length === 0) return []
    const result: Membership[] = []
    const seen = new Set<string>(direct)
    const queue: string[] = []
    for (const groupId of direct) {
      const group = this.groups.get(groupId)
      if (group) result.push({ group, direct: true })
      queue.push(groupId)
    }
    for (let i = 0; i < queue.length; i++) {
      for (const parentId of this.memberOf.get(queue[i]!) ?? []) {
        if (seen.has(parentId)) continue
        seen.add(parentId)
        const parent = this.groups.get(parentId)
        if (parent) result.push({ group: parent, direct: false })
        queue.push(parentId)
      }
    }
    return result
  }

  /** Everything, for persistence. */
  snapshot(): StoreState {
    return { users: this.users.all().map((r) => r.data), groups: this.groups.all().map((r) => r.data) }
  }

  /** Replaces the contents with a persisted state, keeping ids, timestamps and versions. */
  restore(state: StoreState): void {
    this.users.clear()
    this.groups.clear()
    this.memberOf.clear()
    for (const user of state.users) this.users.insert(user, insertOptionsOf(user))
    // Groups may list groups that appear later in the file: insert all before indexing members.
    for (const group of state.groups) this.groups.insert(group, insertOptionsOf(group))
    for (const group of this.groups.all()) this.indexMembers(group.id, [], membersOf(group.data))
  }

  /** Removes everything. */
  clear(): void {
    this.users.clear()
    this.groups.clear()
    this.memberOf.clear()
    this.changed()
  }

  /** Members must be existing users or groups; types are set from where the id lives. */
  private checkMembers(groupId: string | undefined, data: ScimResource): ScimResource {
    const members = membersOf(data)
    if (members.length === 0) return data
    const seen = new Set<string>()
    const checked: MultiValue[] = []
    for (const [i, member] of members.entries()) {
      const value = member.value
      if (typeof value !== 'string') {
        throw new ScimProtocolError(400, `members[${i}] has no "value"`, 'invalidValue')
      }
      if (seen.has(value)) continue
      seen.add(value)
      const type = this.kindOf(value)
      if (!type) {
        throw new ScimProtocolError(
          400,
          `members[${i}].value "${value}" is not the id of an existing User or Group`,
          'invalidValue',
        )
      }
      if (type === 'Group' && groupId !== undefined && this.reaches(value, groupId)) {
        throw new ScimProtocolError(
          400,
          `Group ${value} cannot be a member of group ${groupId}: it would contain itself`,
          'invalidValue',
        )
      }
      checked.push({
        value,
        ...(typeof member.display === 'string' ? { display: member.display } : {}),
        type,
      })
    }
    return { ...data, members: checked }
  }

  /** True when `target` is `from` or nested somewhere inside it. */
  private reaches(from: string, target: string): boolean {
    const seen = new Set<string>()
    const stack = [from]
    while (stack.length > 0) {
      const id = stack.pop()!
      if (id === target) return true
      if (seen.has(id)) continue
      seen.add(id)
      for (const member of membersOf(this.groups.get(id)?.data ?? { schemas: [] })) {
        if (member.type === 'Group' && typeof member.value === 'string') stack.push(member.value)
      }
    }
    return false
  }

  private indexMembers(groupId: string, before: MultiValue[], after: MultiValue[]): void {
    // Arrays rather than Sets: most resources are in a handful of groups, and there may be 100,000 of them.
    for (const m of before) {
      if (typeof m.value !== 'string') continue
      const groups = this.memberOf.get(m.value)?.filter((g) => g !== groupId)
      if (groups === undefined || groups.length === 0) this.memberOf.delete(m.value)
      else this.memberOf.set(m.value, groups)
    }
    for (const m of after) {
      if (typeof m.value !== 'string') continue
      const groups = this.memberOf.get(m.value)
      if (!groups) this.memberOf.set(m.value, [groupId])
      else if (!groups.includes(groupId)) groups.push(groupId)
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }
}

function insertOptionsOf(data: ScimResource): InsertOptions {
  const version = /^W\/"(\d+)"$/.exec(data.meta?.version ?? '')
  return {
    ...(data.id ? { id: data.id } : {}),
    ...(data.meta?.created ? { created: data.meta.created } : {}),
    ...(data.meta?.lastModified ? { lastModified: data.meta.lastModified } : {}),
    ...(version ? { version: Number(version[1]) } : {}),
  }
}
