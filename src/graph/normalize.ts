/**
 * SCIM resources to plain objects keyed by normalized names (docs/attribute-names.md). Values are
 * kept as the target sent them (no type coercion, dateTimes untouched) so that comparing the graph
 * with a target never reports a difference the target would not see. Only the shape is normalized:
 * attribute and sub-attribute names are matched case-insensitively, `null` and `[]` mean unassigned
 * (RFC 7643 §2.5) and are left out, and a multi-valued attribute sent as one value becomes an array.
 */
import type { ScimGroup, ScimUser } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import { coreAttributesOf, type NormalizedAttribute, rfcAttributeDefinition } from './attribute-names.ts'
import type { AttributeIndex, IndexEntry } from './reverse-index.ts'

/** A resource's attributes by normalized name; values are JSON as the target sent them. */
export type NormalizedAttributes = Record<string, unknown>

type Json = Record<string, unknown>

/** What one attribute fills: the attribute as a whole and/or some of its sub-attributes. */
interface AttributePlan {
  whole?: { name: string; multiValued: boolean }
  /** Lower-cased sub-attribute → normalized name. */
  subs: Map<string, string>
  /** Names taken from a sub-attribute (lower-cased) of the preferred element: primary, else work, else first. */
  preferred: Array<{ name: string; sub: string }>
  /** Lower-cased sub-attribute name → canonical spelling. */
  canonical: Map<string, string>
}

/** A field of an object: an attribute (rank > 0 for an alias) or an extension object. */
type FieldPlan = { attribute: AttributePlan; rank: number } | { extension: ObjectPlan }

/** The fields read from one JSON object, by lower-cased key: one lookup per key the object has. */
type ObjectPlan = Map<string, FieldPlan>

/** Plan builder input: one normalized name. */
interface PlanInput {
  name: string
  /** Extension URN; undefined for attributes of the resource itself. */
  urn: string | undefined
  attribute: string
  aliases: readonly string[]
  sub?: string
  preferred: boolean
  multiValued: boolean
  subNames: readonly string[]
}

function buildPlan(inputs: readonly PlanInput[]): ObjectPlan {
  const root: ObjectPlan = new Map()
  for (const input of inputs) {
    const container = input.urn === undefined ? root : extensionPlan(root, input.urn.toLowerCase())
    const key = input.attribute.toLowerCase()
    const field = container.get(key)
    let plan = field && 'attribute' in field ? field.attribute : undefined
    if (!plan) {
      const created: AttributePlan = { subs: new Map(), preferred: [], canonical: new Map() }
      container.set(key, { attribute: created, rank: 0 })
      input.aliases.forEach((alias, i) => {
        container.set(alias.toLowerCase(), { attribute: created, rank: i + 1 })
      })
      plan = created
    }
    for (const sub of input.subNames) plan.canonical.set(sub.toLowerCase(), sub)
    if (input.sub === undefined) plan.whole = { name: input.name, multiValued: input.multiValued }
    else if (input.preferred) plan.preferred.push({ name: input.name, sub: input.sub.toLowerCase() })
    else plan.subs.set(input.sub.toLowerCase(), input.name)
  }
  return root
}

function extensionPlan(root: ObjectPlan, urn: string): ObjectPlan {
  const field = root.get(urn)
  if (field && 'extension' in field) return field.extension
  const plan: ObjectPlan = new Map()
  root.set(urn, { extension: plan })
  return plan
}

function coreInput(attribute: NormalizedAttribute): PlanInput {
  const definition = rfcAttributeDefinition(attribute.urn, attribute.attribute)
  return {
    name: attribute.name,
    // Core User and Group attributes sit on the resource; the enterprise extension under its URN.
    urn: attribute.urn === SCHEMA.enterpriseUser ? attribute.urn : undefined,
    attribute: attribute.attribute,
    aliases: attribute.aliases ?? [],
    ...(attribute.subAttribute !== undefined ? { sub: attribute.subAttribute } : {}),
    preferred: attribute.filter !== undefined,
    multiValued: attribute.multiValued,
    subNames: definition?.subAttributes?.map((s) => s.name) ?? [],
  }
}

const USER_INPUTS = coreAttributesOf('User').map(coreInput)
const GROUP_INPUTS = coreAttributesOf('Group').map(coreInput)
const USER_PLAN = buildPlan(USER_INPUTS)
const GROUP_PLAN = buildPlan(GROUP_INPUTS)

/** Core + extension plans by index and resource type: built on first use, shared by every resource. */
const indexPlans = new WeakMap<AttributeIndex, Map<string, ObjectPlan>>()

function planWith(index: AttributeIndex, resourceType: 'User' | 'Group'): ObjectPlan {
  let byType = indexPlans.get(index)
  if (!byType) {
    byType = new Map()
    indexPlans.set(index, byType)
  }
  let plan = byType.get(resourceType)
  if (!plan) {
    const entries = index.extensionEntries(resourceType)
    // A write-only value (a secret) a target wrongly returns must not end up in the graph.
    const readable = entries.filter((entry) => entry.mutability !== 'writeOnly')
    const core = resourceType === 'User' ? USER_INPUTS : GROUP_INPUTS
    plan = buildPlan([...core, ...readable.map((entry) => extensionInput(entry, entries))])
    byType.set(resourceType, plan)
  }
  return plan
}

function extensionInput(entry: IndexEntry, siblings: readonly IndexEntry[]): PlanInput {
  const dot = entry.path.indexOf('.')
  const attribute = dot < 0 ? entry.path : entry.path.slice(0, dot)
  const prefix = `${attribute.toLowerCase()}.`
  // Sub-attribute spellings come from the sibling rows, so an index rebuilt from rows has them too.
  const subNames = siblings
    .filter((s) => s.urn === entry.urn && s.path.toLowerCase().startsWith(prefix))
    .map((s) => s.path.slice(prefix.length))
  return {
    name: entry.name,
    urn: entry.urn,
    attribute,
    aliases: [],
    ...(dot < 0 ? {} : { sub: entry.path.slice(dot + 1) }),
    preferred: false,
    multiValued: entry.multiValued,
    subNames,
  }
}

/** Normalizes a User: core and enterprise always; custom extensions when an index is given. */
export function normalizeUser(resource: ScimUser, index?: AttributeIndex): NormalizedAttributes {
  const out: NormalizedAttributes = {}
  readObject(resource, index ? planWith(index, 'User') : USER_PLAN, out)
  return out
}

/** Normalizes a Group: core attributes, `description`, `group_type`; custom extensions when an index is given. */
export function normalizeGroup(resource: ScimGroup, index?: AttributeIndex): NormalizedAttributes {
  const out: NormalizedAttributes = {}
  readObject(resource, index ? planWith(index, 'Group') : GROUP_PLAN, out)
  return out
}

/**
 * One pass over the object's own keys, so unknown keys cost a lookup and absent attributes nothing.
 * A name repeated in another case: the last one wins, as `JSON.parse` does for exact repeats.
 */
function readObject(object: Json, plan: ObjectPlan, out: NormalizedAttributes): void {
  let aliased: Array<{ attribute: AttributePlan; rank: number; value: unknown }> | undefined
  for (const key in object) {
    const field = plan.get(lowerCase(key))
    const value = object[key]
    if (field === undefined || value == null) continue
    if ('extension' in field) {
      if (isObject(value)) readObject(value, field.extension, out)
    } else if (field.rank === 0) {
      readAttribute(value, field.attribute, out)
    } else {
      aliased ??= []
      aliased.push({ attribute: field.attribute, rank: field.rank, value })
    }
  }
  // An alias (`type` for `groupType`) only fills what the attribute itself left empty.
  for (const { attribute, value } of aliased?.sort((a, b) => a.rank - b.rank) ?? []) {
    if (attribute.whole && out[attribute.whole.name] === undefined) readAttribute(value, attribute, out)
  }
}

function readAttribute(value: unknown, plan: AttributePlan, out: NormalizedAttributes): void {
  let shaped: unknown
  if (plan.whole) {
    shaped = shape(value, plan.whole.multiValued, plan.canonical)
    setIfAssigned(out, plan.whole.name, shaped)
  }
  if (plan.subs.size > 0) readSubAttributes(value, plan.subs, out)
  if (plan.preferred.length > 0) {
    const element = preferredElement(Array.isArray(value) ? value : [value], plan.preferred)
    if (element)
      for (const target of plan.preferred) setIfAssigned(out, target.name, field(element, target.sub))
  }
}

function readSubAttributes(
  value: unknown,
  subs: ReadonlyMap<string, string>,
  out: NormalizedAttributes,
): void {
  if (isObject(value)) {
    for (const key in value) {
      const name = subs.get(lowerCase(key))
      if (name !== undefined) setIfAssigned(out, name, value[key])
    }
  } else if (Array.isArray(value)) {
    // A sub-attribute of a multi-valued attribute: the values of all elements that have one.
    const collected = new Map<string, unknown[]>()
    for (const element of value) {
      if (!isObject(element)) continue
      for (const key in element) {
        const name = subs.get(lowerCase(key))
        const sub = element[key]
        if (name === undefined || sub == null) continue
        const values = collected.get(name)
        if (values) values.push(sub)
        else collected.set(name, [sub])
      }
    }
    for (const [name, values] of collected) out[name] = values
  } else {
    // `"manager": "26118915-…"`: a bare value stands for `value` (SCIM 1.1 style).
    const name = subs.get('value')
    if (name !== undefined) out[name] = value
  }
}

/** The element `email` is read from: primary, else the first `work` one, else the first. */
function preferredElement(
  elements: readonly unknown[],
  targets: AttributePlan['preferred'],
): Json | undefined {
  let work: Json | undefined
  let first: Json | undefined
  for (const element of elements) {
    if (!isObject(element) || !targets.some((t) => field(element, t.sub) != null)) continue
    if (field(element, 'primary') === true) return element
    const type = field(element, 'type')
    if (work === undefined && typeof type === 'string' && type.toLowerCase() === 'work') work = element
    first ??= element
  }
  return work ?? first
}

/** A field of an object by lower-cased name. */
function field(object: Json, name: string): unknown {
  for (const key in object) if (lowerCase(key) === name) return object[key]
  return undefined
}

/** Multi-valued → array without unassigned elements; complex → object with canonical sub-attribute names. */
function shape(raw: unknown, multiValued: boolean, canonical: ReadonlyMap<string, string>): unknown {
  if (multiValued) {
    const values = Array.isArray(raw) ? raw : [raw]
    const kept: unknown[] = []
    for (const value of values) {
      const shaped = shape(value, false, canonical)
      if (shaped !== undefined) kept.push(shaped)
    }
    return kept
  }
  if (raw == null) return undefined
  if (!isObject(raw) || canonical.size === 0) return raw
  const object: Json = {}
  let assigned = false
  for (const key in raw) {
    const value = raw[key]
    if (value == null) continue
    object[canonical.get(lowerCase(key)) ?? key] = value
    assigned = true
  }
  return assigned ? object : undefined
}

function setIfAssigned(out: NormalizedAttributes, name: string, value: unknown): void {
  if (value == null || (Array.isArray(value) && value.length === 0)) return
  out[name] = value
}

/** Lower-cased keys, memoized: resources repeat the same few dozen names, so this saves an allocation per key. */
const lowered = new Map<string, string>()
const LOWERED_LIMIT = 10_000

function lowerCase(key: string): string {
  let lower = lowered.get(key)
  if (lower === undefined) {
    lower = key.toLowerCase()
    // Bounded: keys a hostile target invents must not grow memory.
    if (lowered.size < LOWERED_LIMIT) lowered.set(key, lower)
  }
  return lower
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
