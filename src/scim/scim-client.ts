/** The SCIM 2.0 client: discovery, resources, bulk, all shaped by one capabilities object. */
import { type BulkOptions, type BulkResult, runBulk } from './bulk.ts'
import {
  type CapabilityOverrides,
  capabilitiesFromServiceProviderConfig,
  DEFAULT_CAPABILITIES,
  mergeCapabilities,
  type ScimCapabilities,
} from './capabilities.ts'
import { type Discovery, readResourceTypes, readSchemas, readServiceProviderConfig } from './discovery.ts'
import { ScimTransport, type TransportOptions } from './http/transport.ts'
import { applyPatchOperations } from './patch/patch-apply.ts'
import { addMembersOperations, removeMembersOperations } from './patch-builder.ts'
import { ResourceClient } from './resource-client.ts'
import { coreResourceSchemas, type ResourceSchema, resourceSchemaFor } from './resource-schema.ts'
import type { BulkOperation, ScimGroup, ScimUser } from './resources.ts'

export interface ScimClientOptions extends TransportOptions {
  /** Capabilities to start from; discovery and `overrides` refine them. */
  capabilities?: ScimCapabilities
  /** Applied after discovery, e.g. by a vendor profile: the target's real behaviour wins over what it says. */
  overrides?: CapabilityOverrides
}

/** A client for one SCIM service provider. */
export class ScimClient {
  readonly transport: ScimTransport
  readonly integration: string | undefined
  #capabilities: ScimCapabilities
  readonly #overrides: CapabilityOverrides
  #schemas: ResourceSchema[] = coreResourceSchemas()
  readonly users: ResourceClient<ScimUser>
  readonly groups: ResourceClient<ScimGroup>

  constructor(options: ScimClientOptions) {
    this.transport = new ScimTransport(options)
    this.integration = options.integration
    this.#overrides = options.overrides ?? {}
    this.#capabilities = mergeCapabilities(options.capabilities ?? DEFAULT_CAPABILITIES, this.#overrides)
    this.users = this.resource<ScimUser>('/Users')
    this.groups = this.resource<ScimGroup>('/Groups')
  }

  /** The capabilities every protocol choice is made from. */
  get capabilities(): ScimCapabilities {
    return this.#capabilities
  }

  /** A client for any resource endpoint, e.g. one found in `/ResourceTypes`. */
  resource<T extends ScimUser | ScimGroup | import('./resources.ts').ScimResource>(
    endpoint: string,
  ): ResourceClient<T> {
    return new ResourceClient<T>(endpoint, {
      transport: this.transport,
      capabilities: () => this.#capabilities,
      integration: this.integration,
      applyPatchLocally: (resource, operations, path) =>
        applyPatchOperations(resource, operations, resourceSchemaFor(this.#schemas, path)),
      resourceSchema: (path) => resourceSchemaFor(this.#schemas, path),
    })
  }

  /**
   * Reads `/ServiceProviderConfig`, `/ResourceTypes` and (unless `schemas: false`) `/Schemas`,
   * and refines the capabilities from them; vendor overrides still win.
   */
  async discover(options: { schemas?: boolean } = {}): Promise<Discovery> {
    const serviceProviderConfig = await readServiceProviderConfig(
      this.transport,
      this.#capabilities,
      this.integration,
    )
    const resourceTypes = await readResourceTypes(this.transport, this.#capabilities, this.integration)
    const schemas =
      options.schemas === false
        ? undefined
        : await readSchemas(this.transport, this.#capabilities, this.integration)
    if (serviceProviderConfig) {
      this.#capabilities = mergeCapabilities(
        capabilitiesFromServiceProviderConfig(serviceProviderConfig, this.#capabilities),
        this.#overrides,
      )
    }
    if (resourceTypes && schemas) this.#schemas = coreResourceSchemas(resourceTypes, schemas)
    return { serviceProviderConfig, resourceTypes, schemas }
  }

  /** Adds members to a group in as few PATCH requests as the target allows. */
  async addGroupMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    for (const operations of addMembersOperations(memberIds, this.#capabilities.maxMembersPerPatch)) {
      await this.groups.patch(groupId, operations)
    }
  }

  /**
   * Removes members from a group in the target's removal style. `replace-all` sends the list read
   * just before, conditional on that read's version where ETags are supported, so a member added
   * meanwhile is not silently dropped (the change fails with ScimVersionConflictError instead).
   */
  async removeGroupMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    const style = this.#capabilities.memberRemoval
    const group = style === 'replace-all' ? await this.groups.get(groupId) : undefined
    const current = (group?.members ?? []).flatMap((m) => m.value ?? [])
    const options = group?.meta?.version ? { ifMatch: group.meta.version } : {}
    for (const operations of removeMembersOperations(
      memberIds,
      style,
      this.#capabilities.maxMembersPerPatch,
      current,
    )) {
      await this.groups.patch(groupId, operations, options)
    }
  }

  /** Runs operations through SCIM Bulk, split to the target's limits; results in input order. */
  bulk(operations: readonly BulkOperation[], options: BulkOptions = {}): Promise<BulkResult[]> {
    return runBulk(this.transport, this.#capabilities, operations, {
      ...options,
      integration: this.integration,
    })
  }

  /** Closes the connection pool. */
  close(): Promise<void> {
    return this.transport.close()
  }
}
