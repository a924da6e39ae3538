/** ThousandEyes SCIM 2.0 (`https://api.thousandeyes.com/scim/v2`), users only: vendors.md §8. */
import { GENERIC_DEPROVISION, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const thousandeyes = defineProfile({
  name: 'thousandeyes',
  displayName: 'ThousandEyes',
  capabilities: {
    groups: false,
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  },
  groups: false,
  deprovision: GENERIC_DEPROVISION,
  identity: {
    userNameMustBeEmail: false,
    userNameEqualsEmail: false,
    externalIdRequired: false,
    duplicateCreate: 'unknown',
    matchable: ['externalId', 'userName'],
    singleEmail: true,
  },
  groupRules: { renameAllowed: false, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'ThousandEyes has no SCIM groups: account groups and roles are managed through its admin API, outside Provisio.',
    'Only the name and one email are stored; new users get the default role configured in the SCIM settings ("Regular User").',
    'What active=false does is undocumented: check that a deactivated test user loses access, or deprovision with delete.',
    'The API user needs the View Users, Edit Users and API Access permissions, and the right to grant the configured default roles.',
  ],
  sources: [
    'groups: no SCIM group support; /Groups does nothing [doc] docs.thousandeyes.com thousandeyes-support-for-scim; how-to-configure-scim-with-okta',
    'capabilities.bulk: not supported [doc] same',
    'capabilities.filter: only externalId and userName are filterable; operators unknown, generic kept [doc] same',
    'capabilities.discoveryPaths: v1 spells /ServiceProviderConfigs; v2 unknown, generic kept [doc] same',
    'capabilities.pagination/etag/patch dialect: unknown; generic defaults kept [unknown]',
    'deprovision.delete: DELETE removes the user [doc] same',
    'deprovision.deactivate/reactivation: effect of active=false unknown; generic kept [unknown]',
    'identity.matchable: filter on externalId and userName only [doc] same',
    'identity.singleEmail: email from the primary (or first) emails entry, else userName; mandatory and unique [doc] same',
    'identity.duplicateCreate/externalIdRequired: unknown; generic defaults kept [unknown]',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: v1 documents /Schemas and /ServiceProviderConfigs; v2 unknown, probed [doc] same',
    'warnings: default role and API user permissions [doc] same',
  ],
  observedOn: RESEARCH_DATE,
})
