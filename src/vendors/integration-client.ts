/** A SCIM client for a configured integration: its URL and credentials, shaped by its vendor profile. */
import type { IntegrationConfig } from '../config/config-types.ts'
import { authConfigOf } from '../config/index.ts'
import { ScimClient } from '../scim/index.ts'
import { integrationOverrides, vendorProfile } from './index.ts'

/** Creates the client an integration's extraction and actions use. */
export function createIntegrationClient(integration: IntegrationConfig): ScimClient {
  const profile = vendorProfile(integration.vendor)
  return new ScimClient({
    baseUrl: integration.url,
    auth: authConfigOf(integration),
    integration: integration.name,
    overrides: integrationOverrides(profile, integration.capabilities),
    requestsPerSecond: integration.rateLimit.requestsPerSecond,
    concurrency: integration.rateLimit.concurrency,
  })
}
