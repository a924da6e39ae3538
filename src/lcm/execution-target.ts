/**
 * What executing an operation works with: the integration's client, profile and look-ups; what a
 * performed operation reports; and which failures leave it unknown whether the target did the work.
 */
import type { Kysely } from 'kysely'
import type { IntegrationConfig } from '../config/index.ts'
import type { AttributeIndex } from '../graph/reverse-index.ts'
import {
  type ScimClient,
  ScimMalformedResponseError,
  ScimNetworkError,
  ScimResponseError,
} from '../scim/index.ts'
import type { Database } from '../store/index.ts'
import type { VendorProfile } from '../vendors/index.ts'
import type { ResourceLookup } from './user-lookup.ts'

/** What an executor needs of one integration. */
export interface ExecutionTarget {
  config: IntegrationConfig
  profile: VendorProfile
  client: ScimClient
  index: AttributeIndex
  lookup: ResourceLookup
}

/** How an operation ended well, and what the graph learns from it. */
export interface Performed {
  outcome: string
  responseStatus: number
  resultId?: string
  graph?: (trx: Kysely<Database>) => Promise<void>
}

export interface PerformContext {
  runId: string
  now: () => string
  /** The operation was being sent when its run stopped: its effect may already be there. */
  verifying: boolean
}

/**
 * Attempts of a request whose outcome stayed unknown (answer lost, 5xx) after the transport's own
 * retries; between two, the target is read to learn whether the first one landed.
 */
export const UNKNOWN_OUTCOME_ATTEMPTS = 5

/** Whether an error leaves it unknown if the target did the work (the answer was lost or garbled). */
export function outcomeUnknown(error: unknown): boolean {
  if (error instanceof ScimNetworkError) return true
  if (error instanceof ScimMalformedResponseError)
    return error.status >= 200 && error.status < 300 ? true : error.status >= 500
  return error instanceof ScimResponseError && (error.status >= 500 || error.status === 408)
}
