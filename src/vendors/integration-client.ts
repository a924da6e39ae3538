/** A SCIM client for a configured integration: its URL and credentials, shaped by its vendor profile. */
import type { IntegrationConfig } from '../config/config-types.ts'
import { authConfigOf } from '../config/index.ts'
import { ScimClient } from '../scim/index.ts'
import { integrationOverrides, vendorProfile } from './index.ts'

/** Requests in flight to one integration when neither the file nor the vendor profile says. */
export const DEFAULT_CONCURRENCY = 8

/** How many requests may be in flight to an integration at once. */
export function integrationConcurrency(integration: Pick<IntegrationConfig, 'rateLimit'>): number {
  return integration.rateLimit.concurrency ?? DEFAULT_CONCURRENCY
}

/** Creates the client an integration's extraction and actions use. */
export function createIntegrationClient(integration: IntegrationConfig): ScimClient {
  const profile = vendorProfile(integration.vendor)
  return new ScimClient({
    baseUrl: integration.url,
    auth: authConfigOf(integration),
    integration: integration.name,
    overrides: integrationOverrides(profile, integration.capabilities),
    requestsPerSecond: integration.rateLimit.requestsPerSecond,
    concurrency: integrationConcurrency(integration),
  })
}
