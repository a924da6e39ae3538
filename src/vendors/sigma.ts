/** Sigma Computing SCIM (groups are Sigma Teams): vendors.md §3. No API reference found; mostly generic. */
import { GENERIC_DEPROVISION, GENERIC_IDENTITY, RESEARCH_DATE } from './generic.ts'
import { defineProfile } from './vendor-profile.ts'

export const sigma = defineProfile({
  name: 'sigma',
  displayName: 'Sigma Computing',
  capabilities: {},
  groups: true,
  deprovision: GENERIC_DEPROVISION,
  identity: GENERIC_IDENTITY,
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [
    'Most of Sigma\'s SCIM behaviour is undocumented: run "provisio doctor" and check a test user before the first run.',
    'Once SCIM is on, users and teams are read-only in Sigma and managed only over SCIM; do not provision the same user from several IdPs.',
    'SCIM needs the organization to use SAML only (not "Password" or "SAML or password") and an Admin token.',
    'Deactivating a user disables their API and embed credentials and transfers their documents to a new owner.',
    'Users created without an account type get the default "Lite" type.',
    'The SCIM host depends on the cloud the organization runs in (aws-api.sigmacomputing.com is only one of them).',
  ],
  sources: [
    'capabilities: PATCH, PUT, filter, pagination, Bulk, ETag unknown (no API reference found); generic defaults kept [unknown]',
    'groups: SCIM Groups are Sigma Teams [doc] help.sigmacomputing.com manage-users-and-teams-with-scim',
    'deprovision.deactivate: marks the user inactive (via Azure, archived after 30 days) [doc] help.sigmacomputing.com deactivate-users',
    'deprovision.reactivation: unknown, in particular after archiving; generic default kept [unknown]',
    'deprovision.delete: unknown; generic default kept [unknown]',
    'identity: userName rules, duplicate handling, filterable attributes unknown; generic defaults kept [unknown]',
    'groupRules: rename and name uniqueness of teams unknown; generic defaults kept [unknown]',
    'rateLimit: unknown [unknown]',
    'discoveryAvailable: unknown; probed [unknown]',
    'warnings: SAML and Admin prerequisites, read-only users and teams, several IdPs [doc] help.sigmacomputing.com manage-users-and-teams-with-scim(-and-okta)',
    'warnings: credentials disabled and documents transferred on deactivation [doc] help.sigmacomputing.com deactivate-users',
    'warnings: default Lite account type [doc] help.sigmacomputing.com Okta guide; region-specific host [inf] stitchflow sigma api',
  ],
  observedOn: RESEARCH_DATE,
})
