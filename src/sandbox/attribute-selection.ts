/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) combined with each attribute's
 * `returned` characteristic: `always` is always present, `never` never, `request` only when named.
 */

import type { ResourceSchema } from '../scim/resource-schema.ts'
import type { AttributeDefinition, SchemaDefinition } from '../scim/resources.ts'

/** What to keep of one attribute: all of it, nothing, or some sub-attributes. */
type Keep = 'all' | 'none' | { only: Set<string> } | { except: Set<string> }

/** A compiled selection, applied to each resource of a response. */
export interface Selection {
  /** Whether any part of the attribute is returned; lets callers skip computing derived values. */
  wants(schemaId: string, attributeName: string): boolean
  /** A copy of `resource` with only the selected attributes. Values are shared, not cloned. */
  project(resource: Record<string, unknown>): Record<string, unknown>
}

interface NamedPath {
  schema: SchemaDefinition
  attribute: AttributeDefinition | undefined
  sub: string | undefined
}

/** Resolves `name`, `name.sub`, `urn:…:name.sub` or a bare schema URN; undefined when unknown. */
function resolvePath(resource: ResourceSchema, text: string): NamedPath | undefined {
  const lower = text.trim().toLowerCase()
  let schema = resource.core
  let rest = lower
  for (const candidate of [resource.core, ...resource.extensions]) {
    const id = candidate.id.toLowerCase()
    if (lower === id) return { schema: candidate, attribute: undefined, sub: undefined }
    if (lower.startsWith(`${id}:`)) {
      schema = candidate
      rest = lower.slice(id.length + 1)
      break
    }
  }
  const dot = rest.indexOf('.')
  const name = dot < 0 ? rest : rest.slice(0, dot)
  const attribute = schema.attributes.find((a) => a.name.toLowerCase() === name)
  if (!attribute) return undefined
  if (dot < 0) return { schema, attribute, sub: undefined }
  const sub = attribute.subAttributes?.find((s) => s.name.toLowerCase() === rest.slice(dot + 1))
  return sub ? { schema, attribute, sub: sub.name } : undefined
}

function keepByDefault(def: AttributeDefinition): Keep {
  return def.returned === 'never' || def.returned === 'request' ? 'none' : 'all'
}

function buildPlan(
  resource: ResourceSchema,
  attributes: readonly string[],
  excluded: readonly string[],
): Map<SchemaDefinition, Map<string, Keep>> {
  const plan = new Map<SchemaDefinition, Map<string, Keep>>()
  const including = attributes.length > 0
  for (const schema of [resource.core, ...resource.extensions]) {
    const keeps = new Map<string, Keep>()
    for (const def of schema.attributes) {
      keeps.set(def.name, def.returned === 'always' ? 'all' : including ? 'none' : keepByDefault(def))
    }
    plan.set(schema, keeps)
  }
  const paths = (including ? attributes : excluded).map((p) => resolvePath(resource, p))
  for (const path of paths) {
    if (!path) continue
    const keeps = plan.get(path.schema)!
    const defs = path.attribute ? [path.attribute] : path.schema.attributes
    for (const def of defs) {
      if (def.returned === 'always' || def.returned === 'never') continue
      const current = keeps.get(def.name)!
      if (including) {
        if (path.sub === undefined || current === 'all') keeps.set(def.name, 'all')
        else if (current === 'none') keeps.set(def.name, { only: new Set([path.sub]) })
        else if ('only' in current) current.only.add(path.sub)
      } else if (path.sub === undefined || current === 'none') {
        keeps.set(def.name, 'none')
      } else if (current === 'all') {
        keeps.set(def.name, { except: new Set([path.sub]) })
      } else if ('except' in current) {
        current.except.add(path.sub)
      }
    }
  }
  return plan
}

function pickSubs(value: unknown, keep: { only: Set<string> } | { except: Set<string> }): unknown {
  if (Array.isArray(value)) return value.map((v) => pickSubs(v, keep))
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, sub] of Object.entries(value)) {
    if ('only' in keep ? keep.only.has(key) : !keep.except.has(key)) out[key] = sub
  }
  return out
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isEmpty)
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0
}

function projectAttributes(
  source: Record<string, unknown>,
  keeps: Map<string, Keep>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in source) {
    const keep = keeps.get(key)
    if (keep === undefined || keep === 'none') continue
    const value = source[key]
    if (keep === 'all') {
      out[key] = value
    } else {
      const picked = pickSubs(value, keep)
      if (!isEmpty(picked)) out[key] = picked
    }
  }
  return out
}

function compile(resource: ResourceSchema, plan: Map<SchemaDefinition, Map<string, Keep>>): Selection {
  const core = plan.get(resource.core)!
  const extensions = new Map(resource.extensions.map((e) => [e.id, plan.get(e)!]))
  return {
    wants(schemaId, attributeName) {
      const keeps = schemaId === resource.core.id ? core : extensions.get(schemaId)
      const keep = keeps?.get(attributeName)
      return keep !== undefined && keep !== 'none'
    },
    project(source) {
      const out: Record<string, unknown> = {}
      for (const key in source) {
        const value = source[key]
        if (key === 'schemas') {
          out[key] = value
          continue
        }
        const extension = extensions.get(key)
        if (extension) {
          if (typeof value !== 'object' || value === null) continue
          const picked = projectAttributes(value as Record<string, unknown>, extension)
          if (Object.keys(picked).length > 0) out[key] = picked
          continue
        }
        const keep = core.get(key)
        if (keep === undefined || keep === 'none') continue
        if (keep === 'all') out[key] = value
        else {
          const picked = pickSubs(value, keep)
          if (!isEmpty(picked)) out[key] = picked
        }
      }
      return out
    },
  }
}

const defaults = new WeakMap<ResourceSchema, Selection>()

/**
 * Compiles a selection. `attributes` wins when both lists are given (they are alternatives in
 * RFC 7644 §3.4.2.5); names that match no attribute are ignored.
 */
export function selectAttributes(
  resource: ResourceSchema,
  attributes: readonly string[] = [],
  excluded: readonly string[] = [],
): Selection {
  if (attributes.length === 0 && excluded.length === 0) {
    let selection = defaults.get(resource)
    if (!selection) {
      selection = compile(resource, buildPlan(resource, [], []))
      defaults.set(resource, selection)
    }
    return selection
  }
  return compile(resource, buildPlan(resource, attributes, excluded))
}

/** Splits a comma-separated query parameter value into attribute names. */
export function splitAttributeList(value: string | null | undefined): string[] {
  if (!value) return []
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}
