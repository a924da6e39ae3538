/** JSON value helpers of the PATCH engine: type checks against attribute definitions, identity, keys. */

import { simpleTypeMismatch } from '../attribute-types.ts'
import { ScimProtocolError } from '../errors.ts'
import type { AttributeDefinition } from '../resources.ts'

export type JsonObject = Record<string, unknown>

// xsd:dateTime (RFC 7643 §2.3.5); the time zone is optional in XML Schema.

export const lower = (s: string): string => s.toLowerCase()

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** RFC 7643 §2.5: null, an empty array and (for complex) an empty object all mean "unassigned". */
export function isUnassigned(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (Array.isArray(value)) return value.length === 0
  return isObject(value) && Object.keys(value).length === 0
}

/** A 400 with the given `scimType`. */
export function fail(scimType: 'invalidValue' | 'invalidPath' | 'noTarget' | 'mutability', detail: string) {
  return new ScimProtocolError(400, detail, scimType)
}

/** Reads `name` from `object`, matching keys case-insensitively (RFC 7643 §2.1). */
export function readKey(object: JsonObject, name: string): unknown {
  if (name in object) return object[name]
  const wanted = lower(name)
  for (const key of Object.keys(object)) if (lower(key) === wanted) return object[key]
  return undefined
}

/** Writes `value` under the canonical `name`, dropping differently-cased copies; unassigned deletes. */
export function writeKey(object: JsonObject, name: string, value: unknown): void {
  const wanted = lower(name)
  for (const key of Object.keys(object)) if (key !== name && lower(key) === wanted) delete object[key]
  if (isUnassigned(value)) delete object[name]
  else object[name] = value
}

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b)
}

/** The sub-attribute of a complex definition, by case-insensitive name. */
export function subAttributeOf(def: AttributeDefinition, name: string): AttributeDefinition | undefined {
  const wanted = lower(name)
  return def.subAttributes?.find((s) => lower(s.name) === wanted)
}

/**
 * What makes two values of a multi-valued attribute "the same value": the `value` sub-attribute when
 * the schema has one (two members with one id are one member, whatever their `display`), else the
 * whole JSON. String comparison honours `caseExact`.
 */
export function identityKey(def: AttributeDefinition, value: unknown): string {
  if (def.type === 'complex' && isObject(value)) {
    const valueDef = subAttributeOf(def, 'value')
    const raw = readKey(value, 'value')
    if (valueDef && raw !== undefined && raw !== null) return `v:${scalarKey(valueDef, raw)}`
    return `o:${canonicalJson(value)}`
  }
  return `s:${scalarKey(def, value)}`
}

function scalarKey(def: AttributeDefinition, value: unknown): string {
  if (typeof value !== 'string') return canonicalJson(value)
  return `"${def.caseExact ? value : lower(value)}`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (isObject(value)) return 'an object'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return `the ${typeof value} ${JSON.stringify(value)}`
}

/** Checks one (single) value of `def`; complex values come back with canonical sub-attribute names. */
export function checkValue(
  def: AttributeDefinition,
  value: unknown,
  label: string,
  keepNulls = false,
): unknown {
  const wrong = (expected: string): never => {
    throw fail('invalidValue', `attribute "${label}" must be ${expected}, not ${describe(value)}`)
  }
  if (Array.isArray(value)) wrong('a single value')
  if (def.type === 'complex') {
    return isObject(value) ? checkComplex(def, value, label, keepNulls) : wrong('an object')
  }
  const mismatch = simpleTypeMismatch(def, value)
  return mismatch === undefined ? value : wrong(mismatch)
}

/**
 * Checks the sub-attributes of a complex value. `keepNulls` keeps `null` members of a patch object
 * so a merge can unassign them. readOnly sub-attributes are dropped, as RFC 7644 §3.3 has the server
 * ignore them in input; unknown ones are kept unchecked so clients' extra members survive.
 */
function checkComplex(
  def: AttributeDefinition,
  value: JsonObject,
  label: string,
  keepNulls: boolean,
): JsonObject {
  const out: JsonObject = {}
  for (const [key, raw] of Object.entries(value)) {
    const sub = subAttributeOf(def, key)
    if (!sub) {
      out[key] = raw
      continue
    }
    if (sub.mutability === 'readOnly') continue
    if (raw === null || raw === undefined) {
      if (keepNulls) out[sub.name] = null
      continue
    }
    const where = `${label}.${sub.name}`
    out[sub.name] = sub.multiValued ? checkValues(sub, raw, where) : checkValue(sub, raw, where)
  }
  return out
}

/** Checks the values for a multi-valued attribute: an array, or one value taken as a one-value list. */
export function checkValues(def: AttributeDefinition, value: unknown, label: string): unknown[] {
  if (value === null || value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  return list.map((v, i) => {
    if (v === null || v === undefined) throw fail('invalidValue', `attribute "${label}" has a null value`)
    return checkValue(def, v, Array.isArray(value) ? `${label}[${i}]` : label)
  })
}

/**
 * Merges a checked patch object into a complex value: given sub-attributes replace, `null` ones are
 * unassigned, the rest stay (RFC 7644 §3.5.2.3). An immutable sub-attribute that already has a
 * different value is refused.
 */
export function mergeComplex(
  def: AttributeDefinition,
  target: JsonObject,
  patch: JsonObject,
  label: string,
): void {
  for (const [key, value] of Object.entries(patch)) {
    const sub = subAttributeOf(def, key)
    const name = sub?.name ?? key
    if (sub?.mutability === 'immutable') assertImmutable(readKey(target, name), value, `${label}.${name}`)
    writeKey(target, name, value)
  }
}

/** RFC 7644 §3.5.2: an immutable attribute may be set when unassigned, never changed once set. */
export function assertImmutable(current: unknown, next: unknown, label: string): void {
  if (isUnassigned(current) || jsonEqual(current, next)) return
  throw fail('mutability', `attribute "${label}" is immutable and already has a value`)
}

/**
 * RFC 7643 §2.4: at most one value is primary. When one of the values just written is primary,
 * every other value loses the flag; two written primaries is an error.
 */
export function settlePrimary(values: unknown[], written: Iterable<unknown>, label: string): void {
  const primaries = new Set<unknown>()
  for (const value of written) if (isObject(value) && readKey(value, 'primary') === true) primaries.add(value)
  if (primaries.size > 1) {
    throw fail('invalidValue', `attribute "${label}" may have at most one value with "primary": true`)
  }
  if (primaries.size === 0) return
  for (const value of values) {
    if (isObject(value) && !primaries.has(value) && readKey(value, 'primary') === true) {
      writeKey(value, 'primary', undefined)
    }
  }
}

/** Appends values not already present; a value already present takes the given sub-attributes. */
export function addValues(
  attribute: AttributeDefinition,
  values: unknown[],
  incoming: unknown[],
  label: string,
): unknown[] {
  // One pass to index what is there keeps adding to a 10,000-member group linear.
  const index = new Map<string, number>()
  for (const [i, v] of values.entries()) index.set(identityKey(attribute, v), i)
  const written: unknown[] = []
  for (const value of incoming) {
    const key = identityKey(attribute, value)
    const at = index.get(key)
    let landed: unknown = value
    if (at === undefined) {
      index.set(key, values.length)
      values.push(value)
    } else {
      landed = values[at]
      if (isObject(landed) && isObject(value)) mergeComplex(attribute, landed, withoutIdentity(value), label)
    }
    if (isObject(value) && readKey(value, 'primary') === true) written.push(landed)
  }
  settlePrimary(values, written, label)
  return values
}

/** A value minus its `value` member: the identity matched already, and may differ in case only. */
function withoutIdentity(value: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([k]) => lower(k) !== 'value'))
}

/** The values of a multi-valued attribute, whatever shape the stored data has. */
export function asList(value: unknown): unknown[] {
  if (isUnassigned(value)) return []
  return Array.isArray(value) ? value : [value]
}
