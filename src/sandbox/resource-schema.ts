/** A resource type's schemas as the sandbox knows them, and attribute lookup by path. */
import type { AttributePath } from '../scim/filter/filter-ast.ts'
import type { AttributeDefinition, SchemaDefinition } from '../scim/resources.ts'

/** The core schema of a resource type and its extension schemas. */
export interface ResourceSchema {
  /** Resource type name, e.g. `User`. */
  name: string
  /** Endpoint, e.g. `/Users`. */
  endpoint: string
  core: SchemaDefinition
  extensions: SchemaDefinition[]
}

/** Which schema a path lives in and its attribute definition (sub-attribute resolved when given). */
export interface ResolvedAttribute {
  schema: SchemaDefinition
  /** True when the schema is an extension: values live under `resource[schema.id]`. */
  extension: boolean
  attribute: AttributeDefinition
  /** The sub-attribute's definition when the path names one. */
  subAttribute?: AttributeDefinition
}

const lower = (s: string): string => s.toLowerCase()

/** Finds an attribute by path: names case-insensitive, `uri` selects the schema (core when absent). */
export function resolveAttribute(schema: ResourceSchema, path: AttributePath): ResolvedAttribute | undefined {
  const uri = path.uri ? lower(path.uri) : undefined
  const candidates =
    uri === undefined || uri === lower(schema.core.id)
      ? [{ schema: schema.core, extension: false }]
      : schema.extensions.filter((s) => lower(s.id) === uri).map((s) => ({ schema: s, extension: true }))
  for (const candidate of candidates) {
    const attribute = candidate.schema.attributes.find((a) => lower(a.name) === lower(path.name))
    if (!attribute) continue
    if (path.subAttribute === undefined) return { ...candidate, attribute }
    const sub = attribute.subAttributes?.find((a) => lower(a.name) === lower(path.subAttribute ?? ''))
    if (!sub) return undefined
    return { ...candidate, attribute, subAttribute: sub }
  }
  return undefined
}
