/** The `capabilities:` block of an integration (advanced): overrides of what discovery and the vendor profile say. */
import * as z from 'zod'
import type { CapabilityOverrides, ScimCapabilities } from '../scim/capabilities.ts'

const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const
const count = z.int().nonnegative()
const positive = z.int().positive()

// Keyed by ScimCapabilities so a capability added there fails to compile here until it is configurable.
const shape = {
  patch: z.boolean().optional(),
  put: z.boolean().optional(),
  patchOpCasing: z.enum(['lower', 'capitalized']).optional(),
  patchOperationsKey: z.enum(['Operations', 'operations']).optional(),
  memberRemoval: z.enum(['filter-path', 'value-list', 'replace-all']).optional(),
  maxMembersPerPatch: positive.optional(),
  bulk: z
    .strictObject({
      supported: z.boolean().optional(),
      maxOperations: count.optional(),
      maxPayloadSize: count.optional(),
    })
    .optional(),
  etag: z.boolean().optional(),
  sort: z.boolean().optional(),
  filter: z
    .strictObject({
      supported: z.boolean().optional(),
      maxResults: positive.optional(),
      operators: z.array(z.enum(OPERATORS)).optional(),
      logical: z.boolean().optional(),
    })
    .optional(),
  pagination: z
    .strictObject({
      cursor: z.boolean().optional(),
      pageSize: positive.optional(),
      maxPageSize: positive.optional(),
      totalResultsReliable: z.boolean().optional(),
    })
    .optional(),
  search: z.boolean().optional(),
  attributeSelection: z.boolean().optional(),
  groups: z.boolean().optional(),
  discoveryPaths: z
    .strictObject({
      serviceProviderConfig: z.string().startsWith('/').optional(),
      resourceTypes: z.string().startsWith('/').optional(),
      schemas: z.string().startsWith('/').optional(),
    })
    .optional(),
} satisfies Record<keyof ScimCapabilities, z.ZodType>

/** Zod schema of capability overrides, as written in provisio.yaml. */
export const capabilityOverridesSchema = z
  .strictObject(shape)
  .describe(
    'Advanced: overrides of the capabilities discovery and the vendor profile give (see src/scim/capabilities.ts)',
  )

/** Drops the keys zod leaves as `undefined`, giving the exact CapabilityOverrides shape. */
export function toCapabilityOverrides(
  parsed: z.output<typeof capabilityOverridesSchema>,
): CapabilityOverrides {
  return withoutUndefined(parsed) as CapabilityOverrides
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value).filter(([, item]) => item !== undefined)
  return Object.fromEntries(entries.map(([key, item]) => [key, withoutUndefined(item)]))
}
