/** Fivetran SCIM (groups are Fivetran Teams): vendors.md §4. */
import { GENERIC_MATCHABLE, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const fivetran = defineProfile({
  name: 'fivetran',
  displayName: 'Fivetran',
  capabilities: {},
  groups: true,
  deprovision: {
    deactivate: 'soft-delete',
    delete: 'hard-delete',
    reactivation: true,
    recordReadableAfterDelete: false,
    defaultMode: 'deactivate',
  },
  identity: {
    userNameMustBeEmail: true,
    userNameEqualsEmail: true,
    externalIdRequired: false,
    duplicateCreate: 'unknown',
    matchable: GENERIC_MATCHABLE,
    singleEmail: false,
  },
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'With SCIM on, Fivetran users are managed only over SCIM: adding an unprovisioned user or deleting a team no longer in the IdP means turning SCIM off and on again.',
    'Only account-level roles can be provisioned; team roles and destination or connector roles need the Fivetran REST API.',
    'SCIM needs an Enterprise or Business Critical plan and an Account Administrator token.',
  ],
  sources: [
    'capabilities: PATCH, PUT, filter, pagination, Bulk, ETag unknown; generic defaults kept [unknown]',
    'groups: SCIM Groups are Fivetran Teams; push can create, update and delete teams [doc] fivetran.com okta-scim; beta scim page',
    'deprovision.deactivate: deactivation is a soft delete [doc] fivetran.com okta-scim',
    'deprovision.reactivation: unknown after a soft delete; generic default kept [unknown]',
    'deprovision.delete: unknown; generic default kept [unknown]',
    'identity.userNameEqualsEmail: userName must equal the email [doc] beta.fivetran.com account-settings/scim',
    'identity.duplicateCreate/externalIdRequired/matchable: unknown; generic defaults kept [unknown]',
    'groupRules: team rename and name uniqueness unknown; generic defaults kept [unknown]',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: unknown; probed [unknown]',
    'warnings: ownership lock [doc] fivetran.com troubleshooting add-unprovisioned-users, delete-a-team-scim-enabled',
    'warnings: account-level roles only [doc] fivetran.com troubleshooting scim-connector-level-roles; plan [doc] entra-id-scim',
  ],
  observedOn: RESEARCH_DATE,
})
