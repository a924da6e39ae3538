/**
 * A vendor profile is frozen data describing how one SCIM target really behaves (vendors.md).
 * Code asks a profile's flags, never a vendor's name, so a new vendor is a new data file.
 */
import type { CapabilityOverrides } from '../scim/capabilities.ts'

/** What `active: false` does on the target. */
export type DeactivateEffect =
  /** The account is disabled and kept, and can be re-enabled. */
  | 'disable'
  /** The account is marked deleted by the vendor but kept in some form (e.g. Fivetran). */
  | 'soft-delete'
  /** The account leaves the tenant: the same data loss as a delete (e.g. Harness). */
  | 'remove-from-account'
  /** The target has no way to deactivate. */
  | 'unsupported'

/** What `DELETE /Users/{id}` does on the target. */
export type DeleteEffect =
  /** The account and its data are gone. */
  | 'hard-delete'
  /** The SCIM record is removed and the account detached (and possibly deactivated), e.g. Atlassian. */
  | 'unlink'
  | 'unsupported'

/** How the target answers a create for a user that already exists. */
export type DuplicateCreate =
  /** 409 Conflict, as RFC 7644 §3.3 says. */
  | 'conflict'
  /** Updates the existing user and answers 2xx (e.g. Harness: 201). */
  | 'upsert'
  /** Attaches the SCIM record to an existing vendor account. */
  | 'link'
  /** Not known: the executor must look the user up first and never rely on the answer. */
  | 'unknown'

export interface VendorProfile {
  /** Registry key, as written after `vendor:` in provisio.yaml. */
  readonly name: string
  readonly displayName: string
  /** Capability overrides applied after discovery: the vendor's real behaviour wins over what it says. */
  readonly capabilities: CapabilityOverrides
  /** Users only when false (ThousandEyes). */
  readonly groups: boolean
  /**
   * What `active=false` and DELETE do on this target, whether reversible, and the default deprovision
   * mode. When `deactivate` is neither `disable` nor `soft-delete`, "deactivate and keep the account
   * for audit" is not achievable without data loss: `deactivationLosesData` says so, and
   * DEPROVISION_IDENTITY must refuse or ask for confirmation rather than silently delete.
   */
  readonly deprovision: {
    readonly deactivate: DeactivateEffect
    readonly delete: DeleteEffect
    /** `active: true` brings a deactivated account back. */
    readonly reactivation: boolean
    /** A GET by id still answers after DELETE (false: 404 afterwards). */
    readonly recordReadableAfterDelete: boolean
    readonly defaultMode: 'deactivate' | 'delete'
  }
  readonly identity: {
    /** `userName` must be an email address. */
    readonly userNameMustBeEmail: boolean
    /** `userName` must be the same value as the (primary) email. */
    readonly userNameEqualsEmail: boolean
    readonly externalIdRequired: boolean
    readonly duplicateCreate: DuplicateCreate
    /** SCIM attribute paths a user can be looked up by with an `eq` filter. */
    readonly matchable: readonly string[]
    /** Only one email is stored (the primary one, else the first); others are dropped. */
    readonly singleEmail: boolean
  }
  readonly groupRules: {
    readonly renameAllowed: boolean
    /** Two groups cannot share a `displayName`, so a group may be looked up by it. */
    readonly displayNameUnique: boolean
    /** Groups SCIM cannot manage: exact names, or patterns where `*` matches any run of characters. */
    readonly protectedGroups: readonly string[]
  }
  /** Known limits of the target; absent means unpublished (the client backs off adaptively). */
  readonly rateLimit?: { readonly requestsPerSecond?: number; readonly concurrency?: number }
  /** `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas` are worth asking for. */
  readonly discoveryAvailable: boolean
  /** Warnings to show before the first write (ownership lock-in, single-active token, …). */
  readonly warnings: readonly string[]
  /** Where each fact comes from: `field: fact [doc|code|3p|inf|unknown] reference`, one line per fact. */
  readonly sources: readonly string[]
  /** Date of the research the profile is built from (YYYY-MM-DD). */
  readonly observedOn: string
}

/** Freezes a profile and everything in it, so no caller can bend a vendor's facts at run time. */
export function defineProfile(profile: VendorProfile): VendorProfile {
  return deepFreeze(profile)
}

/** Whether deactivating on this target destroys what a deprovision should keep (the account). */
export function deactivationLosesData(profile: VendorProfile): boolean {
  const effect = profile.deprovision.deactivate
  return effect !== 'disable' && effect !== 'soft-delete'
}

/** Whether a group of this name is out of SCIM's reach on this target (case-insensitive). */
export function isProtectedGroup(profile: VendorProfile, displayName: string): boolean {
  const name = displayName.toLowerCase()
  return profile.groupRules.protectedGroups.some((pattern) => globToRegExp(pattern).test(name))
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${escaped}$`)
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
