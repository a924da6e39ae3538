/** Zapier SCIM (groups are Teams workspaces): vendors.md §6. */
import { GENERIC_DEPROVISION, GENERIC_MATCHABLE, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const zapier = defineProfile({
  name: 'zapier',
  displayName: 'Zapier',
  capabilities: {
    sort: true,
    attributeSelection: true,
    // The documented default; a third party pages with 100, but the maximum is not published.
    pagination: { pageSize: 50 },
  },
  groups: true,
  deprovision: GENERIC_DEPROVISION,
  identity: {
    userNameMustBeEmail: true,
    userNameEqualsEmail: false,
    externalIdRequired: false,
    duplicateCreate: 'conflict',
    matchable: GENERIC_MATCHABLE,
    singleEmail: false,
  },
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'Regenerating the SCIM token invalidates the old one: the running sync breaks until every client has the new token.',
    'SCIM needs the Enterprise plan (and reportedly SAML SSO); users created over SCIM have their personal Zapier accounts hidden.',
    'Groups are Teams workspaces: provisioning a group creates a workspace.',
    'Two base URLs are in circulation (zapier.com/scim/v2 and scim.zapier.com/scim/v2): check which one the tenant answers on.',
  ],
  sources: [
    'capabilities.sort: sortBy and sortOrder supported [doc] help.zapier.com provision-user-accounts-with-scim',
    'capabilities.attributeSelection: the attributes parameter is supported [doc] same',
    'capabilities.pagination.pageSize: startIndex/count, default page 50 [doc] same; count=100 works [3p] Nango Zapier integration',
    'capabilities.filter: a documented subset of the grammar, not retrieved; generic default kept [unknown]',
    'capabilities.patch/put/bulk/etag: unknown; generic defaults kept [unknown]',
    'deprovision: what active=false and DELETE do is unknown; generic defaults kept [unknown]',
    'identity.userNameMustBeEmail: userName required and must be an email [doc] zapier.com/help provision-user-accounts-with-scim',
    'identity.duplicateCreate: a duplicate email returns 409 [doc] same',
    'identity.matchable/externalIdRequired: unknown; generic defaults kept [unknown]',
    'groups: Groups are Teams workspaces [doc] same',
    'groupRules: rename and name uniqueness unknown; generic defaults kept [unknown]',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: ServiceProviderConfig and Schemas exist [doc] same',
    'warnings: single-active token, Enterprise plan [doc] help.zapier.com; SAML prerequisite, second host [3p] stitchflow zapier api',
  ],
  observedOn: RESEARCH_DATE,
})
