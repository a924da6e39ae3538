/** A resource type's schemas as the sandbox knows them, and attribute lookup by path. */

import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './core-schemas.ts'
import type { AttributePath } from './filter/filter-ast.ts'
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './resources.ts'

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

/**
 * ResourceSchemas for User and Group: the RFC 7643 definitions, or what a target's discovery
 * documents describe when they are given (its own endpoints, extensions and attribute traits).
 */
export function coreResourceSchemas(
  resourceTypes?: readonly ResourceTypeDefinition[],
  schemas?: readonly SchemaDefinition[],
): ResourceSchema[] {
  const rfc: ResourceSchema[] = [
    { name: 'User', endpoint: '/Users', core: USER_SCHEMA, extensions: [ENTERPRISE_USER_SCHEMA] },
    { name: 'Group', endpoint: '/Groups', core: GROUP_SCHEMA, extensions: [] },
  ]
  if (!resourceTypes || !schemas) return rfc
  const byId = new Map(schemas.map((schema) => [lower(schema.id), schema]))
  const discovered = resourceTypes.flatMap((type): ResourceSchema[] => {
    const core = byId.get(lower(type.schema))
    if (!core) return []
    const extensions = (type.schemaExtensions ?? []).flatMap((ref) => byId.get(lower(ref.schema)) ?? [])
    return [{ name: type.name, endpoint: type.endpoint, core, extensions }]
  })
  const endpoints = new Set(discovered.map((schema) => lower(schema.endpoint)))
  return [...discovered, ...rfc.filter((schema) => !endpoints.has(lower(schema.endpoint)))]
}

/** The schema of the resource type served at an endpoint; a bare RFC User schema when unknown. */
export function resourceSchemaFor(schemas: readonly ResourceSchema[], endpoint: string): ResourceSchema {
  const wanted = lower(endpoint.replace(/\/+$/, ''))
  return (
    schemas.find((schema) => lower(schema.endpoint) === wanted) ?? {
      name: endpoint,
      endpoint,
      core: { id: 'urn:unknown', attributes: [] },
      extensions: [],
    }
  )
}
