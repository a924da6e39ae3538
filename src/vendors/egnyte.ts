/** Egnyte SCIM 2.0 (`/pubapi/scim/v2`): vendors.md §2. Little is documented; mostly generic. */
import { GENERIC_DEPROVISION, GENERIC_IDENTITY, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const egnyte = defineProfile({
  name: 'egnyte',
  displayName: 'Egnyte',
  capabilities: {},
  groups: true,
  deprovision: GENERIC_DEPROVISION,
  identity: GENERIC_IDENTITY,
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'Most of Egnyte\'s SCIM behaviour is undocumented: run "provisio doctor" and check a test user before the first run.',
    'Use the generic base URL https://{domain}.egnyte.com/pubapi/scim/v2; the /azure and /azure-connector URLs accept only Entra-shaped traffic.',
    'The token is minted at https://scim-20.egnyte.com (EgnyteGov: scim-20.egnytegov.com) by a domain admin; a service account is recommended.',
    'Group memberships only apply to users already provisioned to Egnyte.',
    "Egnyte's built-in default groups are not listed and cannot be managed.",
  ],
  sources: [
    'capabilities: PATCH, PUT, filter and pagination on /pubapi/scim/v2 unknown; generic defaults kept [unknown]',
    'capabilities.bulk/etag: unknown; generic defaults kept [unknown]',
    'deprovision.deactivate: under Okta deactivation only deactivates and can be reversed manually [doc] helpdesk.egnyte.com Okta SCIM configuration guide',
    'deprovision.reactivation: reactivation is manual in the Egnyte UI under Okta; over SCIM unknown, generic kept [unknown]',
    "deprovision.delete: unknown on SCIM (IBM Verify's non-SCIM connector deletes on deactivate); generic kept [unknown]",
    'identity.userNameMustBeEmail: a userName can be a bare login such as jmiller [inf] developers.egnyte.com User Management API sample',
    'identity.duplicateCreate/externalIdRequired/matchable: unknown; generic defaults kept [unknown]',
    'groupRules.protectedGroups: built-in default groups are never listed (REST /pubapi/v2); names unknown [doc] developers.egnyte.com Group_Management',
    'groupRules.renameAllowed/displayNameUnique: unknown; generic defaults kept [unknown]',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: Schemas, ServiceProviderConfig, ResourceTypes unknown; probed [unknown]',
    'warnings: IdP-specific tenant URLs, token portal [doc] helpdesk.egnyte.com Azure-AD-SCIM-integration-with-Egnyte',
    'warnings: memberships only for provisioned users [doc] helpdesk.egnyte.com Okta SCIM configuration guide',
  ],
  observedOn: RESEARCH_DATE,
})
