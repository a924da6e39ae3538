/** The profile of a SCIM target we know nothing about: RFC behaviour, the safest choice where unsure. */
import { defineProfile, type VendorProfile } from './vendor-profile.ts'

/** Date of the vendor research (../shared/research/vendors.md) every profile is built from. */
export const RESEARCH_DATE = '2026-11-29'

/** The attributes RFC 7644 lets any target be filtered on, as the generic lookups use them. */
export const GENERIC_MATCHABLE: readonly string[] = [
  'userName',
  'externalId',
  'emails.value',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
]

/** What active=false and DELETE do on an RFC-behaving target; vendors that document nothing else keep it. */
export const GENERIC_DEPROVISION: VendorProfile['deprovision'] = {
  deactivate: 'disable',
  delete: 'hard-delete',
  reactivation: true,
  recordReadableAfterDelete: false,
  defaultMode: 'deactivate',
}

/** Identity rules assumed of a target that documents none. */
export const GENERIC_IDENTITY: VendorProfile['identity'] = {
  userNameMustBeEmail: false,
  userNameEqualsEmail: false,
  externalIdRequired: false,
  duplicateCreate: 'unknown',
  matchable: GENERIC_MATCHABLE,
  singleEmail: false,
}

export const generic = defineProfile({
  name: 'generic',
  displayName: 'Generic SCIM 2.0 service',
  // Discovery fills in the rest; DEFAULT_CAPABILITIES already holds the cautious assumptions.
  capabilities: {},
  groups: true,
  deprovision: GENERIC_DEPROVISION,
  identity: GENERIC_IDENTITY,
  groupRules: { renameAllowed: true, displayNameUnique: true, protectedGroups: [] },
  discoveryAvailable: true,
  warnings: [],
  sources: [
    'capabilities: RFC 7644 defaults, refined by /ServiceProviderConfig at discovery [doc] RFC 7644 §5',
    'deprovision.deactivate: active=false disables and keeps the account (RFC 7643 §4.1.1 "active") [doc] RFC 7643',
    'deprovision.delete: DELETE removes the resource; later GETs answer 404 [doc] RFC 7644 §3.6',
    'identity.duplicateCreate: RFC says 409 uniqueness, but servers differ; the executor looks up first [inf]',
    'groupRules.displayNameUnique: not required by the RFC; assumed because Provisio keys groups by it [inf]',
    'rateLimit: unpublished for an unknown target; adaptive backoff on 429 [inf]',
    'discoveryAvailable: optional endpoints; a 404 is read as "not offered" [inf]',
  ],
  observedOn: RESEARCH_DATE,
})
