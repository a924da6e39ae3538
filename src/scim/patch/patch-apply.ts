/** SCIM PATCH (RFC 7644 §3.5.2) applied to a resource held by the sandbox. */
import { ScimProtocolError, ScimSyntaxError } from '../errors.ts'
import type { ResourceSchema } from '../resource-schema.ts'
import type { PatchOperation, ScimResource } from '../resources.ts'
import type { PatchTarget } from './patch-target.ts'
import {
  containerOf,
  extensionNamed,
  resolvePatchTarget,
  valueFromFilter,
  valueMatcher,
} from './patch-target.ts'
import type { JsonObject } from './patch-values.ts'
import {
  addValues,
  asList,
  assertImmutable,
  checkValue,
  checkValues,
  fail,
  identityKey,
  isObject,
  isUnassigned,
  lower,
  mergeComplex,
  readKey,
  settlePrimary,
  writeKey,
} from './patch-values.ts'

type Op = 'add' | 'replace' | 'remove'

/** Applies RFC 7644 §3.5.2 PATCH operations to a resource; returns the new resource, leaves the input untouched. */
export function applyPatchOperations(
  resource: ScimResource,
  operations: PatchOperation[],
  schema: ResourceSchema,
): ScimResource {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimProtocolError(400, 'a PATCH request needs a non-empty "Operations" array', 'invalidSyntax')
  }
  // RFC 7644 §3.5.2: the request is atomic, so work on a copy and drop it on the first failure.
  const next = structuredClone(resource)
  operations.forEach((operation, index) => {
    try {
      applyOperation(next, operation, schema)
    } catch (error) {
      throw locate(error, index, operation)
    }
  })
  return next
}

function locate(error: unknown, index: number, operation: PatchOperation): unknown {
  const path = isObject(operation) && typeof operation.path === 'string' ? operation.path : undefined
  const op = isObject(operation) ? String(operation.op) : 'operation'
  const shown = path === undefined ? '' : ` ${path.length > 80 ? `${path.slice(0, 77)}…` : path}`
  const where = `operation ${index + 1} (${op}${shown})`
  if (error instanceof ScimProtocolError) {
    return new ScimProtocolError(error.status, `${where}: ${error.message}`, error.scimType)
  }
  if (error instanceof ScimSyntaxError)
    return new ScimProtocolError(400, `${where}: ${error.message}`, error.scimType)
  return error
}

function applyOperation(resource: ScimResource, operation: PatchOperation, schema: ResourceSchema): void {
  if (!isObject(operation))
    throw new ScimProtocolError(400, 'an operation must be an object', 'invalidSyntax')
  const op = lower(String(operation.op)) as Op
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw new ScimProtocolError(
      400,
      `"op" must be add, replace or remove, not ${JSON.stringify(operation.op)}`,
      'invalidSyntax',
    )
  }
  const { path, value } = operation as { path?: unknown; value?: unknown }
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw fail('invalidPath', '"path" must be a string')
  }
  if (op !== 'remove' && value === undefined) throw fail('invalidValue', `"${op}" needs a "value"`)
  const before = snapshot(resource, schema)
  if (typeof path !== 'string') {
    if (op === 'remove') throw fail('noTarget', '"remove" needs a "path" (RFC 7644 §3.5.2.2)')
    applyPathless(resource, schema, op, value)
  } else {
    const extension = extensionNamed(schema, path)
    if (!extension) applyAt(resource, resolvePatchTarget(schema, path), op, value, schema.core.id)
    else if (op === 'remove') writeKey(resource, extension.id, undefined)
    else applyPathless(resource, schema, op, { [extension.id]: value })
  }
  settle(resource, schema, before)
}

/** A path-less add/replace: `value` maps attribute names, dotted or URN-qualified keys, or extension URNs. */
function applyPathless(
  resource: ScimResource,
  schema: ResourceSchema,
  op: Op,
  value: unknown,
  uri?: string,
): void {
  if (!isObject(value)) {
    const what = uri === undefined ? `"${op}" without "path"` : `"${uri}"`
    throw fail('invalidValue', `${what} needs an object of attributes as value`)
  }
  for (const [key, item] of Object.entries(value)) {
    if (uri === undefined) {
      // Clients echo the resource's `schemas`; the server keeps it in line with the data itself.
      if (lower(key) === 'schemas') continue
      const extension = extensionNamed(schema, key)
      const nested = extension?.id ?? (lower(key) === lower(schema.core.id) ? schema.core.id : undefined)
      if (nested !== undefined) {
        applyPathless(resource, schema, op, item, nested)
        continue
      }
    }
    applyAt(resource, resolvePatchTarget(schema, key, uri), op, item, schema.core.id)
  }
}

function applyAt(
  resource: JsonObject,
  target: PatchTarget,
  op: Op,
  value: unknown,
  coreSchema: string,
): void {
  const { attribute, subAttribute, label } = target
  if (attribute.mutability === 'readOnly' || subAttribute?.mutability === 'readOnly') {
    throw fail('mutability', `attribute "${label}" is readOnly`)
  }
  const container = containerOf(resource, target, op !== 'remove')
  if (!container) return
  const current = readKey(container, attribute.name)
  const before = attribute.mutability === 'immutable' ? structuredClone(current) : undefined
  let next: unknown
  if (target.filter) next = applyFiltered(target, current, op, value, coreSchema)
  else if (subAttribute) next = applySub(target, current, op, value)
  else next = applyWhole(target, current, op, value)
  if (attribute.mutability === 'immutable') assertImmutable(before, next, label)
  writeKey(container, attribute.name, next)
}

/** The attribute itself is the target (no filter, no sub-attribute). */
function applyWhole(target: PatchTarget, current: unknown, op: Op, value: unknown): unknown {
  const { attribute, label } = target
  if (op === 'remove') {
    // Entra ID's `{op: Remove, path: members, value: [{value: id}]}` removes the listed values only.
    if (attribute.multiValued && value !== undefined && value !== null) {
      const gone = new Set(checkValues(attribute, value, label).map((v) => identityKey(attribute, v)))
      return asList(current).filter((v) => !gone.has(identityKey(attribute, v)))
    }
    return undefined
  }
  if (attribute.multiValued) {
    const values = checkValues(attribute, value, label)
    if (op === 'add') return addValues(attribute, asList(current), values, label)
    settlePrimary(values, values, label)
    return values
  }
  if (value === null) return undefined
  const checked = checkValue(attribute, value, label, true)
  // RFC 7644 §3.5.2.1/§3.5.2.3: a complex target takes the given sub-attributes, the rest stay.
  if (attribute.type !== 'complex' || !isObject(checked)) return checked
  const merged = isObject(current) ? current : {}
  mergeComplex(attribute, merged, checked, label)
  return merged
}

/** `name.givenName`, or `emails.value` (every value of a multi-valued attribute). */
function applySub(target: PatchTarget, current: unknown, op: Op, value: unknown): unknown {
  const { attribute, label } = target
  const sub = target.subAttribute
  if (!sub) return current
  if (!attribute.multiValued) {
    const object = isObject(current) ? current : {}
    setSub(target, object, op, value)
    return object
  }
  const values = asList(current)
  if (values.length === 0) {
    if (op === 'remove') return values
    throw fail('noTarget', `"${label}": "${attribute.name}" has no values to set "${sub.name}" on`)
  }
  for (const v of values) if (isObject(v)) setSub(target, v, op, value)
  if (sub.name === 'primary' && value === true) settlePrimary(values, values, label)
  return values.filter((v) => !isUnassigned(v))
}

/** Sets or removes the target's sub-attribute on one complex value. */
function setSub(target: PatchTarget, object: JsonObject, op: Op, value: unknown): void {
  const { label } = target
  const sub = target.subAttribute
  if (!sub) return
  const current = readKey(object, sub.name)
  let next: unknown
  if (op !== 'remove' && value !== null) {
    next = sub.multiValued ? checkValues(sub, value, label) : checkValue(sub, value, label)
  }
  // RFC 7644 §3.5.2: a required attribute that is removed or becomes unassigned fails with `mutability`.
  if (sub.required && isUnassigned(next) && !isUnassigned(current)) {
    throw fail('mutability', `attribute "${label}" is required and cannot be removed`)
  }
  if (sub.mutability === 'immutable') assertImmutable(current, next, label)
  writeKey(object, sub.name, next)
}

/** `emails[type eq "work"]` or `emails[type eq "work"].value`. */
function applyFiltered(
  target: PatchTarget,
  current: unknown,
  op: Op,
  value: unknown,
  coreSchema: string,
): unknown {
  const { attribute, subAttribute, label } = target
  const matches = valueMatcher(target, coreSchema)
  const values = asList(current)
  const matched = values.filter(matches)
  if (matched.length === 0) {
    // RFC 7644 §3.12 noTarget: "the specified path value contains a filter that yields no match".
    if (op !== 'add') throw fail('noTarget', `"${label}" matches no value`)
    return addFromFilter(target, values, value)
  }
  if (op === 'remove' && !subAttribute) {
    const gone = new Set(matched)
    return values.filter((v) => !gone.has(v))
  }
  if (subAttribute) {
    for (const v of matched) if (isObject(v)) setSub(target, v, op, value)
    if (subAttribute.name === 'primary' && value === true) settlePrimary(values, matched, label)
    return values.filter((v) => !isUnassigned(v))
  }
  if (attribute.type !== 'complex') {
    const replacement = checkValue(attribute, value, label)
    const hit = new Set(matched)
    return values.map((v) => (hit.has(v) ? replacement : v))
  }
  const patch = checkValue(attribute, value, label, true)
  for (const v of matched) if (isObject(v) && isObject(patch)) mergeComplex(attribute, v, patch, label)
  if (isObject(patch) && readKey(patch, 'primary') === true) settlePrimary(values, matched, label)
  return values.filter((v) => !isUnassigned(v))
}

/**
 * RFC 7644 §3.5.2.1: "If the target location does not exist, the attribute and value are added."
 * An add through a filter that matches nothing adds the value the filter describes, as Entra ID
 * expects of `emails[type eq "work"].value`; a filter that describes no single value is `noTarget`.
 */
function addFromFilter(target: PatchTarget, values: unknown[], value: unknown): unknown[] {
  const { attribute, subAttribute, label } = target
  const template = valueFromFilter(target)
  if (template === undefined)
    throw fail('noTarget', `"${label}" matches no value, and its filter does not describe one to add`)
  let fresh: unknown = template
  if (isObject(template)) {
    if (subAttribute) fresh = { ...template, [subAttribute.name]: value }
    else if (isObject(value)) fresh = { ...template, ...value }
    else throw fail('invalidValue', `attribute "${label}" must be an object, not ${JSON.stringify(value)}`)
  }
  return addValues(attribute, values, checkValues(attribute, fresh, label), label)
}

interface Snapshot {
  required: Set<string>
  extensions: Set<string>
}

/** Which required attributes are assigned and which extensions hold data, before an operation. */
function snapshot(resource: ScimResource, schema: ResourceSchema): Snapshot {
  const required = new Set<string>()
  const extensions = new Set<string>()
  for (const s of [schema.core, ...schema.extensions]) {
    const holder = s === schema.core ? resource : readKey(resource, s.id)
    if (!isObject(holder)) continue
    if (s !== schema.core && !isUnassigned(holder)) extensions.add(s.id)
    for (const a of s.attributes) {
      const label = s === schema.core ? a.name : `${s.id}:${a.name}`
      if (a.required && !isUnassigned(readKey(holder, a.name))) required.add(label)
    }
  }
  return { required, extensions }
}

/**
 * Refuses an operation that unassigned a required attribute (RFC 7644 §3.5.2: "If an attribute is
 * removed or becomes unassigned and is defined as a required attribute … mutability"), and keeps
 * `schemas` listing exactly the extensions that gained or lost all their data.
 */
function settle(resource: ScimResource, schema: ResourceSchema, before: Snapshot): void {
  const after = snapshot(resource, schema)
  for (const key of before.required) {
    if (!after.required.has(key)) {
      throw fail('mutability', `attribute "${key}" is required and cannot be removed or unassigned`)
    }
  }
  if (!Array.isArray(resource.schemas)) resource.schemas = [schema.core.id]
  for (const extension of schema.extensions) {
    const listed = resource.schemas.some((s) => lower(s) === lower(extension.id))
    if (after.extensions.has(extension.id) && !listed) resource.schemas.push(extension.id)
    if (!after.extensions.has(extension.id)) {
      writeKey(resource, extension.id, undefined)
      if (before.extensions.has(extension.id)) {
        resource.schemas = resource.schemas.filter((s) => lower(s) !== lower(extension.id))
      }
    }
  }
}
