/** The discovery documents (RFC 7644 §4): what the sandbox says about itself is what it does. */

import type { ResourceSchema } from '../scim/resource-schema.ts'
import type {
  ListResponse,
  ResourceTypeDefinition,
  SchemaDefinition,
  ScimResource,
  ServiceProviderConfig,
} from '../scim/resources.ts'
import { MESSAGE, SCHEMA } from '../scim/schemas.ts'
import { ALL_SCHEMAS, GROUP_RESOURCE, USER_RESOURCE } from './schema-definitions.ts'

/** The limits the sandbox enforces and therefore announces. */
export interface ServiceLimits {
  maxResults: number
  defaultPageSize: number
  bulkMaxOperations: number
  bulkMaxPayloadSize: number
}

/** `GET /ServiceProviderConfig`. */
export function serviceProviderConfig(baseUrl: string, limits: ServiceLimits): ServiceProviderConfig {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: {
      supported: true,
      maxOperations: limits.bulkMaxOperations,
      maxPayloadSize: limits.bulkMaxPayloadSize,
    },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: limits.defaultPageSize,
      maxPageSize: limits.maxResults,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token in the Authorization header',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  }
}

/** The resource types the sandbox serves. */
export const RESOURCE_TYPES: readonly ResourceSchema[] = [USER_RESOURCE, GROUP_RESOURCE]

/** One `ResourceType` document. */
export function resourceTypeDocument(baseUrl: string, resource: ResourceSchema): ResourceTypeDefinition {
  return {
    schemas: [SCHEMA.resourceType],
    id: resource.name,
    name: resource.name,
    description: resource.core.description ?? resource.name,
    endpoint: resource.endpoint,
    schema: resource.core.id,
    schemaExtensions: resource.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${resource.name}` },
  }
}

/** One `Schema` document. */
export function schemaDocument(baseUrl: string, schema: SchemaDefinition): SchemaDefinition {
  return {
    schemas: [SCHEMA.schema],
    ...schema,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  }
}

/** A ListResponse holding all of `resources`, as discovery endpoints answer. */
export function listOf<T extends object>(resources: T[]): ListResponse {
  return {
    schemas: [MESSAGE.listResponse],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources as unknown as ScimResource[],
  }
}

/** The schema with this URN, compared case-insensitively. */
export function findSchema(urn: string): SchemaDefinition | undefined {
  const lower = urn.toLowerCase()
  return ALL_SCHEMAS.find((s) => s.id.toLowerCase() === lower)
}

/** The resource type with this name, compared case-insensitively. */
export function findResourceType(name: string): ResourceSchema | undefined {
  const lower = name.toLowerCase()
  return RESOURCE_TYPES.find((r) => r.name.toLowerCase() === lower)
}
