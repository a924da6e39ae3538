/** Twingate SCIM (`https://{network}.twingate.com/api/scim/v2/`): vendors.md §7. */
import { GENERIC_DEPROVISION, GENERIC_MATCHABLE, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const twingate = defineProfile({
  name: 'twingate',
  displayName: 'Twingate',
  capabilities: {
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    sort: false,
    search: false,
    attributeSelection: false,
  },
  groups: true,
  deprovision: GENERIC_DEPROVISION,
  identity: {
    userNameMustBeEmail: false,
    userNameEqualsEmail: false,
    externalIdRequired: true,
    duplicateCreate: 'unknown',
    matchable: GENERIC_MATCHABLE,
    singleEmail: true,
  },
  groupRules: { renameAllowed: true, displayNameUnique: false, protectedGroups: [] },
  rateLimit: { requestsPerSecond: 25 },
  discoveryAvailable: true,
  warnings: [
    'Only the most recently generated Twingate SCIM token is valid: generating one for Provisio breaks any IdP sync using the old token.',
    'Twingate documents its SCIM API for its supported IdP integrations, not for self-serve use; Business or Enterprise tier only.',
    'Turning on an enterprise IdP deletes users who signed in with social logins.',
    'Group names are not unique: a group is matched by id or externalId, never by name alone.',
    'DELETE hard-deletes users and groups.',
    'The family name is documented as name.lastName (not name.familyName): check which one the tenant accepts.',
  ],
  sources: [
    'capabilities.search/bulk/sort/attributeSelection: /.search, /Bulk, /Me, sorting, attributes/excludedAttributes not supported [3p] digest of twingate.com/docs/scim-provisioning-api',
    'capabilities.filter/pagination/patch dialect/etag: unknown; generic defaults kept [unknown]',
    'rateLimit.requestsPerSecond: 25 requests per second per account [3p] same digest',
    'deprovision.delete: DELETE hard-deletes users and groups [doc] twingate.com/docs/scim-provisioning-api',
    'deprovision.deactivate/reactivation: active is a stored attribute; effect of false unknown, generic kept [unknown]',
    'identity.externalIdRequired: externalId required and unique [doc] same',
    'identity.singleEmail: one email only (primary=true, else type=work) [doc] same',
    'identity.duplicateCreate/matchable: unknown; generic defaults kept [unknown]',
    'groupRules.displayNameUnique: displayName required but not unique [doc] same (group section)',
    'groupRules.renameAllowed: full CRUD plus PATCH on groups [doc] same',
    'discoveryAvailable: unknown; probed [unknown]',
    'warnings: single-active token, tiers [doc] twingate.com/docs/okta-scim-configuration; social-login deletion [doc] twingate.com/docs/entra-id-configuration',
    'warnings: name.lastName [doc] twingate.com/docs/scim-provisioning-api',
  ],
  observedOn: RESEARCH_DATE,
})
