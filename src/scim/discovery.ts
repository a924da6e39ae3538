/** Reading a target's discovery endpoints (RFC 7644 §4) into typed documents. */
import type { ScimCapabilities } from './capabilities.ts'
import { ScimMalformedResponseError, ScimNotFoundError } from './errors.ts'
import type { ScimTransport } from './http/transport.ts'
import type { ResourceTypeDefinition, SchemaDefinition, ServiceProviderConfig } from './resources.ts'

/** What a target says about itself. Absent endpoints are `undefined`, not errors. */
export interface Discovery {
  serviceProviderConfig: ServiceProviderConfig | undefined
  resourceTypes: ResourceTypeDefinition[] | undefined
  schemas: SchemaDefinition[] | undefined
}

/** Reads `/ServiceProviderConfig`. A target without it answers undefined. */
export async function readServiceProviderConfig(
  transport: ScimTransport,
  capabilities: ScimCapabilities,
  integration?: string,
): Promise<ServiceProviderConfig | undefined> {
  const path = capabilities.discoveryPaths.serviceProviderConfig
  const body = await getOptional(transport, path)
  if (body === undefined) return undefined
  const config = body as Partial<ServiceProviderConfig>
  if (!isObject(body) || !isObject(config.patch) || !isObject(config.filter)) {
    throw malformed('a ServiceProviderConfig needs "patch" and "filter" objects', path, body, integration)
  }
  return {
    ...config,
    patch: config.patch,
    filter: config.filter,
    bulk: config.bulk ?? { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    changePassword: config.changePassword ?? { supported: false },
    sort: config.sort ?? { supported: false },
    etag: config.etag ?? { supported: false },
    authenticationSchemes: config.authenticationSchemes ?? [],
    schemas: config.schemas ?? [],
  }
}

/** Reads `/ResourceTypes` (a ListResponse, or a bare array as some servers send). */
export async function readResourceTypes(
  transport: ScimTransport,
  capabilities: ScimCapabilities,
  integration?: string,
): Promise<ResourceTypeDefinition[] | undefined> {
  const path = capabilities.discoveryPaths.resourceTypes
  const items = listItems(await getOptional(transport, path), path, integration)
  for (const item of items ?? []) {
    if (typeof item.endpoint !== 'string' || typeof item.schema !== 'string') {
      throw malformed('a ResourceType needs "endpoint" and "schema"', path, item, integration)
    }
  }
  return items as ResourceTypeDefinition[] | undefined
}

/** Reads `/Schemas` (a ListResponse, or a bare array). */
export async function readSchemas(
  transport: ScimTransport,
  capabilities: ScimCapabilities,
  integration?: string,
): Promise<SchemaDefinition[] | undefined> {
  const path = capabilities.discoveryPaths.schemas
  const items = listItems(await getOptional(transport, path), path, integration)
  for (const item of items ?? []) {
    if (typeof item.id !== 'string' || !Array.isArray(item.attributes)) {
      throw malformed('a Schema needs "id" and "attributes"', path, item, integration)
    }
  }
  return items as SchemaDefinition[] | undefined
}

async function getOptional(transport: ScimTransport, path: string): Promise<unknown> {
  try {
    return (await transport.request({ method: 'GET', path })).body
  } catch (error) {
    // Discovery endpoints are optional in practice (vendors.md): a 404 means "not offered".
    if (error instanceof ScimNotFoundError) return undefined
    throw error
  }
}

function listItems(
  body: unknown,
  path: string,
  integration?: string,
): Array<Record<string, unknown>> | undefined {
  if (body === undefined) return undefined
  const items = Array.isArray(body) ? body : isObject(body) ? (body.Resources ?? body.resources) : undefined
  if (!Array.isArray(items) || !items.every(isObject)) {
    throw malformed('expected a ListResponse or an array of objects', path, body, integration)
  }
  return items
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function malformed(
  problem: string,
  path: string,
  body: unknown,
  integration?: string,
): ScimMalformedResponseError {
  return new ScimMalformedResponseError(problem, {
    integration,
    request: { method: 'GET', url: path },
    status: 200,
    body: JSON.stringify(body) ?? '',
  })
}
