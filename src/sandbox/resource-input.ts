/**
 * Checks a resource body a client sent (POST, PUT, or the result of a PATCH) against the schema:
 * JSON types, required attributes, mutability. Returns it with canonical attribute names, readOnly
 * input dropped (RFC 7644 §3.3, §3.5.1) and, on replacement, server-kept values carried over.
 */

import { simpleTypeMismatch } from '../scim/attribute-types.ts'
import { ScimProtocolError } from '../scim/errors.ts'
import type { ResourceSchema } from '../scim/resource-schema.ts'
import type { AttributeDefinition, SchemaDefinition, ScimResource } from '../scim/resources.ts'

// xsd:dateTime (RFC 7643 §2.3.5); the time zone is optional in XML Schema.

/** Attribute definitions of one schema by lower-cased name, built once per schema. */
const indexCache = new WeakMap<readonly AttributeDefinition[], Map<string, AttributeDefinition>>()

/** Definitions by lower-cased name; cached because this runs on every write. */
export function attributeIndex(attributes: readonly AttributeDefinition[]): Map<string, AttributeDefinition> {
  let index = indexCache.get(attributes)
  if (!index) {
    index = new Map(attributes.map((a) => [a.name.toLowerCase(), a]))
    indexCache.set(attributes, index)
  }
  return index
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(detail: string): ScimProtocolError {
  return new ScimProtocolError(400, detail, 'invalidValue')
}

/** Structural equality of JSON values, for immutability checks. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]))
  }
  return false
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return `${typeof value} ${JSON.stringify(value)}`
}

function checkScalar(def: AttributeDefinition, value: unknown, where: string): unknown {
  const fail = (expected: string): never => {
    throw invalid(`Attribute "${where}" must be ${expected}, got ${describe(value)}`)
  }
  if (def.type === 'complex') return checkComplex(def, value, where)
  const mismatch = simpleTypeMismatch(def, value)
  return mismatch === undefined ? value : fail(mismatch)
}

function checkComplex(def: AttributeDefinition, value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw invalid(`Attribute "${where}" must be an object, got ${describe(value)}`)
  const subs = attributeIndex(def.subAttributes ?? [])
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(value)) {
    const sub = subs.get(key.toLowerCase())
    if (!sub) {
      throw new ScimProtocolError(400, `Attribute "${where}" has no sub-attribute "${key}"`, 'invalidSyntax')
    }
    if (raw === null || sub.mutability === 'readOnly') continue
    out[sub.name] = checkScalar(sub, raw, `${where}.${sub.name}`)
  }
  for (const sub of def.subAttributes ?? []) {
    if (sub.required && out[sub.name] === undefined) {
      throw invalid(`Attribute "${where}.${sub.name}" is required`)
    }
  }
  return out
}

/** A checked value, or undefined when the input means "unassigned" (null, empty array). */
function checkValue(def: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null) return undefined
  if (!def.multiValued) return checkScalar(def, value, where)
  if (!Array.isArray(value)) throw invalid(`Attribute "${where}" is multi-valued and must be an array`)
  if (value.length === 0) return undefined
  const out = value.map((item, i) => {
    if (item === null) throw invalid(`Attribute "${where}" has a null value at index ${i}`)
    return checkScalar(def, item, where)
  })
  if (def.type === 'complex' && out.filter((v) => isObject(v) && v.primary === true).length > 1) {
    throw invalid(`Attribute "${where}" has more than one value with "primary": true`)
  }
  return out
}

/**
 * Checks the attributes of one schema in `input`, applying mutability against `prior` (the stored
 * attributes of the same schema on replacement, undefined on creation). Keys come out in schema order.
 */
function checkAttributes(
  schema: SchemaDefinition,
  input: Record<string, unknown>,
  prior: Record<string, unknown> | undefined,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const index = attributeIndex(schema.attributes)
  for (const [key, raw] of Object.entries(input)) {
    const def = index.get(key.toLowerCase())
    if (!def) throw new ScimProtocolError(400, `Unknown attribute "${prefix}${key}"`, 'invalidSyntax')
    if (def.mutability === 'readOnly') continue
    const value = checkValue(def, raw, `${prefix}${def.name}`)
    if (value !== undefined) out[def.name] = value
  }
  for (const def of schema.attributes) {
    const before = prior?.[def.name]
    const now = out[def.name]
    if (def.mutability === 'readOnly' || (def.mutability === 'writeOnly' && now === undefined)) {
      // Server-assigned values stay; a write-only value the client cannot read is not cleared by omission.
      if (before !== undefined) out[def.name] = before
    } else if (def.mutability === 'immutable' && before !== undefined) {
      if (now === undefined) out[def.name] = before
      else if (!jsonEqual(before, now)) {
        throw new ScimProtocolError(400, `Attribute "${prefix}${def.name}" is immutable`, 'mutability')
      }
    }
    if (def.required && out[def.name] === undefined) {
      throw invalid(`Attribute "${prefix}${def.name}" is required`)
    }
  }
  const ordered: Record<string, unknown> = {}
  for (const def of schema.attributes) {
    if (out[def.name] !== undefined) ordered[def.name] = out[def.name]
  }
  return ordered
}

function findExtension(schema: ResourceSchema, key: string): SchemaDefinition | undefined {
  const lower = key.toLowerCase()
  return schema.extensions.find((e) => e.id.toLowerCase() === lower)
}

/**
 * Validates a resource body and returns it in canonical form. `prior` is the stored resource when
 * the body replaces it (PUT, PATCH result): immutable values must match, readOnly ones are kept.
 */
export function checkResourceInput(
  schema: ResourceSchema,
  body: unknown,
  prior?: ScimResource,
): ScimResource {
  if (!isObject(body))
    throw new ScimProtocolError(400, 'The request body must be a JSON object', 'invalidSyntax')
  const schemas = body.schemas
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string')) {
    throw new ScimProtocolError(400, '"schemas" must be an array of schema URNs', 'invalidSyntax')
  }
  const coreId = schema.core.id.toLowerCase()
  if (!schemas.some((s) => s.toLowerCase() === coreId)) {
    throw new ScimProtocolError(400, `"schemas" must include ${schema.core.id}`, 'invalidSyntax')
  }
  const listed = new Set<SchemaDefinition>()
  for (const urn of schemas) {
    if (urn.toLowerCase() === coreId) continue
    const extension = findExtension(schema, urn)
    if (!extension) {
      throw new ScimProtocolError(400, `Schema ${urn} is not a schema of ${schema.name}`, 'invalidSyntax')
    }
    listed.add(extension)
  }

  const core: Record<string, unknown> = {}
  const extensionInput = new Map<SchemaDefinition, Record<string, unknown>>()
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas') continue
    const extension = key.startsWith('urn:') ? findExtension(schema, key) : undefined
    if (extension) {
      if (value === null) continue
      if (!isObject(value)) throw invalid(`Extension "${extension.id}" must be an object`)
      extensionInput.set(extension, value)
    } else {
      core[key] = value
    }
  }

  const out = checkAttributes(schema.core, core, prior, '')
  const outSchemas = [schema.core.id]
  for (const extension of schema.extensions) {
    const priorValue = prior?.[extension.id]
    const values = checkAttributes(
      extension,
      extensionInput.get(extension) ?? {},
      isObject(priorValue) ? priorValue : undefined,
      `${extension.id}:`,
    )
    const used = Object.keys(values).length > 0
    if (used) out[extension.id] = values
    if (used || listed.has(extension)) outSchemas.push(extension.id)
  }
  return { schemas: outSchemas, ...out }
}
