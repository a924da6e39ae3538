/**
 * From normalized attribute values (DESIGN.md names) to SCIM: checks each name against the
 * integration's reverse index (unknown or read-only names are errors before anything is sent),
 * coerces values to the attribute's type, builds the body of a create, and computes the PATCH
 * operations that take an account's current values to the wanted ones, touching only what differs.
 */
import { canonicalJson } from '../graph/content-hash.ts'
import { EXTENSION_PREFIX } from '../graph/extension-names.ts'
import type { IndexEntry } from '../graph/reverse-index.ts'
import type { PatchOperation, ScimUser } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import { ActionError } from './errors.ts'

/** One wanted attribute: where it lives in the target and its value (null: remove it). */
export interface ResolvedAttribute {
  readonly name: string
  readonly entry: IndexEntry
  readonly value: unknown
}

/** Looks up index entries of the User resource type. */
export type UserIndex = (name: string) => IndexEntry | undefined

/** Names that are bookkeeping, not writable attributes. */
const NOT_WRITABLE = new Set(['created_at', 'last_modified', 'manager_display_name'])

/** Checks and coerces wanted values; every problem is listed in one ActionError. */
export function resolveUserAttributes(
  values: Readonly<Record<string, unknown>>,
  lookup: UserIndex,
  context: { integration: string; identity: string; extensionSchemas: boolean },
): ResolvedAttribute[] {
  const problems: string[] = []
  const resolved: ResolvedAttribute[] = []
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined) continue
    const entry = lookup(name)
    if (!entry) {
      problems.push(
        name.startsWith(EXTENSION_PREFIX) && !context.extensionSchemas
          ? `${name}: custom extension attributes need "extensionSchemas: true" on integration ${context.integration} (and an extraction since)`
          : `${name}: no such attribute in ${context.integration}'s schema`,
      )
      continue
    }
    if (NOT_WRITABLE.has(name) || entry.mutability === 'readOnly') {
      problems.push(`${name}: read-only in ${context.integration}, it cannot be written`)
      continue
    }
    const coerced = coerce(entry, raw)
    if (coerced.problem) problems.push(`${name}: ${coerced.problem}`)
    else resolved.push({ name, entry, value: coerced.value })
  }
  if (problems.length > 0) {
    throw new ActionError(
      `sync_identity for ${context.identity} in ${context.integration}: ${problems.join('; ')}`,
      {
        integration: context.integration,
        identity: context.identity,
      },
    )
  }
  return resolved
}

function coerce(entry: IndexEntry, raw: unknown): { value?: unknown; problem?: string } {
  if (raw === null || raw === '') return { value: null }
  if (entry.multiValued || entry.type === 'complex') return coerceComplex(entry, raw)
  switch (entry.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw }
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim()))
        return { value: raw.trim().toLowerCase() === 'true' }
      return { problem: `expected true or false, got ${JSON.stringify(raw)}` }
    case 'integer':
    case 'decimal': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN
      if (!Number.isFinite(n) || (entry.type === 'integer' && !Number.isInteger(n))) {
        return {
          problem: `expected ${entry.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`,
        }
      }
      return { value: n }
    }
    default:
      if (typeof raw === 'string') return { value: raw }
      if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) }
      return { problem: `expected text, got ${Array.isArray(raw) ? 'a list' : 'a mapping'}` }
  }
}

function coerceComplex(entry: IndexEntry, raw: unknown): { value?: unknown; problem?: string } {
  if (!entry.multiValued) {
    return typeof raw === 'object' && !Array.isArray(raw) ? { value: raw } : { problem: 'expected a mapping' }
  }
  const items = Array.isArray(raw) ? raw : [raw]
  const values: Record<string, unknown>[] = []
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number') values.push({ value: String(item) })
    else if (item && typeof item === 'object' && !Array.isArray(item))
      values.push({ ...(item as Record<string, unknown>) })
    else return { problem: 'expected a list of values or of mappings with a "value"' }
  }
  return { value: values.length > 0 ? values : null }
}

/** Where a value goes in a resource: the extension object for extension schemas. */
function containerPath(entry: IndexEntry): { urn: string | undefined; path: string[] } {
  const urn = entry.urn === SCHEMA.user || entry.urn === SCHEMA.group ? undefined : entry.urn
  return { urn, path: entry.path.split('.') }
}

/** The body of `POST /Users` for wanted values. */
export function createUserBody(attributes: readonly ResolvedAttribute[]): ScimUser {
  const user: ScimUser = { schemas: [SCHEMA.user] }
  let primaryEmail: string | undefined
  for (const { name, entry, value } of attributes) {
    if (value === null) continue
    if (name === 'email') {
      primaryEmail = String(value)
      continue
    }
    if (name === 'manager') {
      extensionObject(user, entry.urn).manager = { value }
      continue
    }
    const { urn, path } = containerPath(entry)
    let target: Record<string, unknown> = urn ? extensionObject(user, urn) : user
    for (const segment of path.slice(0, -1)) {
      const next = (target[segment] ?? {}) as Record<string, unknown>
      target[segment] = next
      target = next
    }
    target[path[path.length - 1] ?? entry.path] = value
  }
  if (primaryEmail !== undefined)
    user.emails = withPrimaryEmail(user.emails as Record<string, unknown>[] | undefined, primaryEmail)
  return user
}

function extensionObject(user: ScimUser, urn: string): Record<string, unknown> {
  if (!user.schemas.includes(urn)) user.schemas.push(urn)
  const existing = user[urn]
  if (existing && typeof existing === 'object') return existing as Record<string, unknown>
  const created: Record<string, unknown> = {}
  user[urn] = created
  return created
}

/** `emails` with `email` as its primary value: the primary element changed, or a work email added. */
export function withPrimaryEmail(
  emails: readonly Record<string, unknown>[] | undefined,
  email: string,
): Record<string, unknown>[] {
  const list = (emails ?? []).map((e) => ({ ...e }))
  const primary =
    list.find((e) => e.primary === true) ??
    list.find((e) => String(e.value).toLowerCase() === email.toLowerCase())
  if (primary) {
    primary.value = email
    primary.primary = true
    return list
  }
  return [{ value: email, type: 'work', primary: true }, ...list]
}

/** What changed: prior and new value per normalized name. */
export type AttributeChanges = Record<string, { from: unknown; to: unknown }>

/**
 * PATCH operations taking `current` (normalized, from the graph) to the wanted values; names not
 * wanted are left alone. `exact` replaces multi-valued attributes whole (rollback restores them
 * exactly) instead of element by element.
 */
export function diffUser(
  current: Readonly<Record<string, unknown>>,
  wanted: readonly ResolvedAttribute[],
  options: { exact?: boolean; tolerant?: boolean } = {},
): { operations: PatchOperation[]; changes: AttributeChanges } {
  const operations: PatchOperation[] = []
  const changes: AttributeChanges = {}
  const folded = foldPrimaryEmail(wanted)
  // With `emails` wanted too, the primary email is one of its elements: their operations set it.
  const emailsWanted = folded.some((w) => w.name === 'emails' && Array.isArray(w.value))
  for (const { name, entry, value } of folded) {
    const before = current[name]
    if (sameValue(name, before, value)) continue
    if (options.tolerant && normalizedAlike(entry, before, value)) continue
    changes[name] = { from: before ?? null, to: value }
    if (name === 'email' && emailsWanted) continue
    operations.push(...operationsFor(name, entry, before, value, options.exact === true, current))
  }
  return { operations, changes }
}

/**
 * `email` and `emails` wanted together: the list as it will be, with `email` as its primary value
 * (as a create sends it), so that an account created from both compares equal to them afterwards.
 */
function foldPrimaryEmail(wanted: readonly ResolvedAttribute[]): readonly ResolvedAttribute[] {
  const email = wanted.find((w) => w.name === 'email')?.value
  if (typeof email !== 'string') return wanted
  return wanted.map((w) =>
    w.name === 'emails' && Array.isArray(w.value)
      ? { ...w, value: withPrimaryEmail(w.value as Record<string, unknown>[], email) }
      : w,
  )
}

function scimPath(entry: IndexEntry, path = entry.path): string {
  return entry.urn === SCHEMA.user || entry.urn === SCHEMA.group ? path : `${entry.urn}:${path}`
}

function operationsFor(
  name: string,
  entry: IndexEntry,
  before: unknown,
  value: unknown,
  exact: boolean,
  current: Readonly<Record<string, unknown>>,
): PatchOperation[] {
  if (name === 'email') {
    const hasPrimary =
      Array.isArray(current.emails) &&
      current.emails.some((e) => (e as { primary?: unknown }).primary === true)
    if (value === null) return hasPrimary ? [{ op: 'remove', path: 'emails[primary eq true]' }] : []
    // A value filter matching nothing is a noTarget error (RFC 7644 §3.5.2.3): add when there is no primary.
    return hasPrimary
      ? [{ op: 'replace', path: 'emails[primary eq true].value', value }]
      : [{ op: 'add', path: 'emails', value: [{ value, type: 'work', primary: true }] }]
  }
  if (name === 'manager') {
    const path = scimPath(entry, 'manager')
    return value === null ? [{ op: 'remove', path }] : [{ op: 'replace', path, value: { value } }]
  }
  const path = scimPath(entry)
  if (value === null) return [{ op: 'remove', path }]
  if (entry.multiValued && Array.isArray(value) && !exact) {
    const precise = elementOperations(
      path,
      Array.isArray(before) ? before : [],
      value as Record<string, unknown>[],
    )
    if (precise) return precise
  }
  return [{ op: 'replace', path, value }]
}

/**
 * Element-wise changes of a multi-valued attribute keyed by `type` (add, change and delete single
 * values); undefined when elements cannot be told apart by type, and the whole list is replaced.
 */
function elementOperations(
  path: string,
  before: readonly unknown[],
  wanted: readonly Record<string, unknown>[],
): PatchOperation[] | undefined {
  const typeOf = (e: unknown): string | undefined => {
    const type = (e as { type?: unknown } | null)?.type
    return typeof type === 'string' && type !== '' ? type.toLowerCase() : undefined
  }
  const keys = (list: readonly unknown[]) => list.map(typeOf)
  const unique = (list: (string | undefined)[]) =>
    list.every((k) => k !== undefined) && new Set(list).size === list.length
  if (!unique(keys(before)) || !unique(keys(wanted))) return undefined
  const current = new Map(before.map((e) => [typeOf(e) as string, e as Record<string, unknown>]))
  const operations: PatchOperation[] = []
  const kept = new Set<string>()
  for (const element of wanted) {
    const type = typeOf(element) as string
    kept.add(type)
    const existing = current.get(type)
    if (!existing) operations.push({ op: 'add', path, value: [element] })
    else if (!sameElement(existing, element)) {
      operations.push({
        op: 'replace',
        path: `${path}[type eq ${JSON.stringify(String(element.type))}]`,
        value: element,
      })
    }
  }
  for (const [type, element] of current) {
    if (!kept.has(type))
      operations.push({ op: 'remove', path: `${path}[type eq ${JSON.stringify(String(element.type))}]` })
  }
  return operations
}

/** An element is unchanged when every sub-attribute asked for has the value asked for. */
function sameElement(existing: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([key, value]) =>
    key === 'primary' ? (existing.primary === true) === (value === true) : sameJson(existing[key], value),
  )
}

/**
 * Values a target is known to normalize: text of a case-insensitive attribute compared without case
 * and with spacing collapsed, phone numbers by their digits.
 */
function normalizedAlike(entry: IndexEntry, before: unknown, value: unknown): boolean {
  const fold = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase()
  if (typeof before === 'string' && typeof value === 'string')
    return !entry.caseExact && fold(before) === fold(value)
  if (entry.path === 'phoneNumbers' && Array.isArray(before) && Array.isArray(value)) {
    const digits = (list: unknown[]) =>
      list
        .map((e) => String((e as { value?: unknown }).value ?? '').replace(/\D/g, ''))
        .sort()
        .join(',')
    return digits(before) === digits(value)
  }
  return false
}

function sameValue(name: string, before: unknown, value: unknown): boolean {
  if (value === null) return before === undefined || before === null
  // userName is unique without case in SCIM (RFC 7643 §4.1.1): a case change is no change.
  if (name === 'user_name' && typeof before === 'string' && typeof value === 'string') {
    return before.toLowerCase() === value.toLowerCase()
  }
  if (Array.isArray(value) && Array.isArray(before)) {
    return (
      value.length === before.length &&
      value.every((element, i) =>
        element && typeof element === 'object'
          ? sameElement(before[i] as Record<string, unknown>, element as Record<string, unknown>)
          : sameJson(before[i], element),
      )
    )
  }
  return sameJson(before, value)
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return canonicalJson(a) === canonicalJson(b)
}
