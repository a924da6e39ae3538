/**
 * Every protocol choice the client makes comes from one capabilities object: discovery fills it
 * from `/ServiceProviderConfig`, vendor profiles adjust it. No vendor name appears in `src/scim/`.
 */
import type { CompareOperator } from './filter/filter-ast.ts'
import type { ServiceProviderConfig } from './resources.ts'

/** How a target wants group members removed in a PATCH (see vendors.md, "membership patch style"). */
export type MemberRemovalStyle =
  /** `remove` with path `members[value eq "id"]` (RFC 7644 §3.5.2.2, Okta, Entra compliant). */
  | 'filter-path'
  /** `remove` with path `members` and a value list of `{value}` (Entra legacy). */
  | 'value-list'
  /** `replace` of the whole member list. */
  | 'replace-all'

export interface ScimCapabilities {
  /** PATCH is supported; without it changes are made by GET + PUT. */
  patch: boolean
  /** PUT is supported. */
  put: boolean
  /** Casing of PATCH `op` values: RFC lower case, or `Add`/`Replace`/`Remove`. */
  patchOpCasing: 'lower' | 'capitalized'
  /** Name of the operations array in a PatchOp body. */
  patchOperationsKey: 'Operations' | 'operations'
  memberRemoval: MemberRemovalStyle
  /** Most members added or removed in one PATCH request. */
  maxMembersPerPatch: number
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number }
  /** ETags: versions are kept and sent as `If-Match`. */
  etag: boolean
  sort: boolean
  filter: {
    supported: boolean
    /** Most resources a filtered query returns. */
    maxResults: number
    /** Operators the target evaluates; anything else is filtered on the client. */
    operators: readonly CompareOperator[]
    /** Whether `and`/`or`/`not` may combine clauses. */
    logical: boolean
  }
  pagination: {
    /** RFC 9865 cursor pagination. */
    cursor: boolean
    /** Page size asked for when listing. */
    pageSize: number
    /** Largest page the server serves; asking for more is pointless. */
    maxPageSize: number
    /** Whether `totalResults` may be trusted to end paging. */
    totalResultsReliable: boolean
  }
  /** `POST /.search` (RFC 7644 §3.4.3). */
  search: boolean
  /** The `attributes` / `excludedAttributes` query parameters. */
  attributeSelection: boolean
  /** The target has a `/Groups` endpoint. */
  groups: boolean
  /** Spelling of the discovery endpoints. */
  discoveryPaths: { serviceProviderConfig: string; resourceTypes: string; schemas: string }
}

const ALL_OPERATORS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']

/** What the client assumes of a target it knows nothing about: RFC behaviour, cautious sizes. */
export const DEFAULT_CAPABILITIES: Readonly<ScimCapabilities> = Object.freeze({
  patch: true,
  put: true,
  patchOpCasing: 'lower',
  patchOperationsKey: 'Operations',
  memberRemoval: 'filter-path',
  maxMembersPerPatch: 1000,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  etag: false,
  sort: false,
  filter: { supported: true, maxResults: 1000, operators: ALL_OPERATORS, logical: true },
  pagination: { cursor: false, pageSize: 100, maxPageSize: 1000, totalResultsReliable: true },
  search: false,
  attributeSelection: true,
  groups: true,
  discoveryPaths: {
    serviceProviderConfig: '/ServiceProviderConfig',
    resourceTypes: '/ResourceTypes',
    schemas: '/Schemas',
  },
})

/** Deep partial of the capabilities, as vendor profiles and configuration give them. */
export type CapabilityOverrides = {
  [K in keyof ScimCapabilities]?: ScimCapabilities[K] extends readonly unknown[]
    ? ScimCapabilities[K]
    : ScimCapabilities[K] extends object
      ? Partial<ScimCapabilities[K]>
      : ScimCapabilities[K]
}

/** Applies overrides on top of a capabilities object, section by section. */
export function mergeCapabilities(base: ScimCapabilities, overrides: CapabilityOverrides): ScimCapabilities {
  return mergeSections(base, overrides) as unknown as ScimCapabilities
}

/** Stacks two sets of overrides, the second winning, section by section as mergeCapabilities does. */
export function mergeOverrides(base: CapabilityOverrides, extra: CapabilityOverrides): CapabilityOverrides {
  return mergeSections(base, extra) as CapabilityOverrides
}

function mergeSections(base: object, overrides: object): Record<string, unknown> {
  const merged = { ...base } as Record<string, unknown>
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue
    const current = merged[key]
    merged[key] =
      current && typeof current === 'object' && !Array.isArray(current) && typeof value === 'object'
        ? { ...(current as object), ...(value as object) }
        : value
  }
  return merged
}

/** Capabilities stated by a target's `/ServiceProviderConfig`. */
export function capabilitiesFromServiceProviderConfig(
  config: ServiceProviderConfig,
  base: ScimCapabilities = DEFAULT_CAPABILITIES,
): ScimCapabilities {
  const pageCap = positive(config.pagination?.maxPageSize) ?? positive(config.filter?.maxResults)
  const maxPageSize = pageCap ?? base.pagination.maxPageSize
  const defaultSize = positive(config.pagination?.defaultPageSize) ?? base.pagination.pageSize
  return mergeCapabilities(base, {
    patch: config.patch?.supported === true,
    bulk: {
      supported: config.bulk?.supported === true && (config.bulk.maxOperations ?? 0) > 0,
      maxOperations: config.bulk?.maxOperations ?? 0,
      maxPayloadSize: config.bulk?.maxPayloadSize ?? 0,
    },
    etag: config.etag?.supported === true,
    sort: config.sort?.supported === true,
    filter: {
      supported: config.filter?.supported !== false,
      maxResults: positive(config.filter?.maxResults) ?? base.filter.maxResults,
    },
    pagination: {
      cursor: config.pagination?.cursor === true,
      maxPageSize,
      pageSize: Math.min(Math.max(defaultSize, base.pagination.pageSize), maxPageSize),
    },
  })
}

function positive(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined
}
