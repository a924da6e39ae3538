/** Harness NextGen SCIM (`io.harness.ng.scim`): vendors.md §5, mostly read from Harness's own code. */
import { RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const harness = defineProfile({
  name: 'harness',
  displayName: 'Harness',
  capabilities: {
    // Ops are matched case-sensitively (add/Add only): `REPLACE` would be silently ignored.
    patchOpCasing: 'lower',
    // Parsed by splitting on ` eq ` and trimming quotes: only the exact `members[value eq "<id>"]` works.
    memberRemoval: 'filter-path',
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    // meta.version is an empty string.
    etag: false,
    // The value of a single `<anything> eq "<v>"` is used; the attribute name is ignored.
    filter: { operators: ['eq'], logical: false },
    // totalResults is the size of the returned page; and asking 20 (the group default) keeps
    // "a short page ends the listing" true if larger counts are silently cut down.
    pagination: { pageSize: 20, totalResultsReliable: false },
  },
  groups: true,
  deprovision: {
    deactivate: 'remove-from-account',
    delete: 'hard-delete',
    reactivation: false,
    recordReadableAfterDelete: false,
    // Kept as "deactivate" so the operator's intent is recorded; the planner must treat it as
    // destructive (deactivationLosesData) and refuse or ask for confirmation.
    defaultMode: 'deactivate',
  },
  identity: {
    userNameMustBeEmail: false,
    userNameEqualsEmail: false,
    externalIdRequired: false,
    duplicateCreate: 'upsert',
    matchable: ['emails.value'],
    singleEmail: false,
  },
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'Deactivation removes the user from the Harness account (active=false does what DELETE does): "deactivate and keep the account" is not achievable without data loss, and it cannot be undone by reactivating.',
    'Creating a user who already belongs to the account updates that user and answers 201; creating an existing group adopts it.',
    'PATCH on a user only honours displayName, active and userName; other attributes are ignored without an error.',
    'Only groups created over SCIM are listed; same-named native groups are kept side by side, and SCIM groups are locked in the Harness UI.',
    'totalResults is the size of the page, not a total; a missing group may answer with an authorization error rather than 404.',
    'Behaviour varies with per-account feature flags (PL_USER_DELETION_V2, PL_NEW_SCIM_STANDARDS).',
    'The API key needs admin role bindings, or all permissions on Users and User Groups.',
  ],
  sources: [
    'capabilities.patchOpCasing: group ops matched case-sensitively against add/Add, remove/Remove, replace/Replace [code] NGScimGroupServiceImpl',
    'capabilities.memberRemoval: filter form parsed by splitting on " eq " — only members[value eq "<id>"] works; value-list also accepted [code] NGScimGroupServiceImpl',
    'capabilities.filter: users filter goes to an email search; groups filter parsed as <anything> eq "<name>" [code] NGScimUserServiceImpl, NGScimGroupServiceImpl',
    'capabilities.pagination.totalResultsReliable: totalResults reset to the page size [code] NGScimUserServiceImpl, NGScimGroupServiceImpl',
    'capabilities.pagination.pageSize: group list default count 20; maximum unknown [code] NGScimGroupServiceImpl',
    'capabilities.bulk: none seen [inf]',
    'capabilities.etag: meta.version is an empty string [code]',
    'capabilities.sort/attributeSelection/patchOperationsKey/maxMembersPerPatch: unknown; generic defaults kept [unknown]',
    'deprovision.deactivate: PATCH or PUT active=false calls the same removal as DELETE (PL_USER_DELETION_V2) [code] NGScimUserServiceImpl',
    'deprovision.reactivation: the user is gone from the account; a create re-invites [inf]',
    'deprovision.delete: DELETE removes the user from the account [code] NGScimUserServiceImpl',
    'identity.duplicateCreate: existing account member is updated and 201 returned, never 409 [code] NGScimUserServiceImpl',
    'identity.matchable: lookups search by email whatever the attribute [code] NGScimUserServiceImpl',
    'identity.userNameMustBeEmail: email is the identity key; userName rule itself not stated [code]; [doc] developer.harness.io FirstGen Azure',
    'groupRules.renameAllowed: replace on displayName (or an Okta-style value object) renames [code] NGScimGroupServiceImpl',
    'groupRules.displayNameUnique: the group identifier is derived from displayName; create returns the existing group [code] NGScimGroupServiceImpl',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: discovery endpoints unknown; probed [unknown]',
    'warnings: UI lock of SCIM groups [doc] developer.harness.io provision-users-with-okta-scim; API key rights [doc] developer.harness.io provision-users-and-groups-using-azure-ad-scim',
    'warnings: PATCH user paths, missing-group status, feature flags [code] NGScimUserServiceImpl, NGScimGroupServiceImpl',
  ],
  observedOn: RESEARCH_DATE,
})
