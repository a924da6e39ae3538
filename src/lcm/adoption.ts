/**
 * Adopting what a create found already in the target: the changes that bring it to the wanted
 * values, one replace per attribute with a path (a path-less replace appends to multi-valued
 * attributes on some targets, e.g. scimmy), and only where the target differs; and the members
 * a group still lacks (a member added twice is listed twice on some targets).
 */
import { canonicalJson } from '../graph/content-hash.ts'
import type { PatchOperation, ScimGroup, ScimUser } from '../scim/index.ts'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Whether `before` already holds `value`: equal, or an object whose wanted sub-attributes are equal. */
function holds(before: unknown, value: unknown): boolean {
  if (isObject(value) && isObject(before)) return Object.entries(value).every(([k, v]) => holds(before[k], v))
  if (before === value) return true
  return before !== undefined && before !== null && canonicalJson(before) === canonicalJson(value)
}

/** PATCH operations taking `existing` to the values of the create body `wanted`; none when it holds them. */
export function adoptionOperations(existing: ScimUser, wanted: ScimUser): PatchOperation[] {
  const operations: PatchOperation[] = []
  const { schemas: _schemas, ...values } = wanted
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith('urn:') && isObject(value)) {
      // An extension: its attributes one by one, each by its full path.
      const extension = existing[key]
      for (const [name, v] of Object.entries(value)) {
        if (!holds(isObject(extension) ? extension[name] : undefined, v))
          operations.push({ op: 'replace', path: `${key}:${name}`, value: v })
      }
      continue
    }
    const before = existing[key]
    // userName is unique without case (RFC 7643 §4.1.1): the target's spelling is kept.
    const same =
      key === 'userName' && typeof before === 'string' && typeof value === 'string'
        ? before.toLowerCase() === value.toLowerCase()
        : holds(before, value)
    if (!same) operations.push({ op: 'replace', path: key, value })
  }
  return operations
}

/** The members of `wanted` the group does not list yet. */
export function missingMembers(group: ScimGroup, wanted: readonly string[]): string[] {
  const present = new Set(
    (Array.isArray(group.members) ? (group.members as Array<{ value?: unknown }>) : []).map((m) =>
      String(m.value),
    ),
  )
  return wanted.filter((id) => !present.has(id))
}
