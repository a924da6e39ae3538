/** The vendor profiles Provisio knows, by the name written after `vendor:` in provisio.yaml. */
import { type CapabilityOverrides, mergeOverrides } from '../scim/capabilities.ts'
import { atlassian } from './atlassian.ts'
import { egnyte } from './egnyte.ts'
import { fivetran } from './fivetran.ts'
import { generic } from './generic.ts'
import { harness } from './harness.ts'
import { sigma } from './sigma.ts'
import { thousandeyes } from './thousandeyes.ts'
import { twingate } from './twingate.ts'
import type { VendorProfile } from './vendor-profile.ts'
import { zapier } from './zapier.ts'

export type * from './vendor-profile.ts'
export { deactivationLosesData, isProtectedGroup } from './vendor-profile.ts'

/** Every known profile name, `generic` first. */
export const VENDOR_NAMES = [
  'generic',
  'atlassian',
  'egnyte',
  'sigma',
  'fivetran',
  'harness',
  'zapier',
  'twingate',
  'thousandeyes',
] as const

export type VendorName = (typeof VENDOR_NAMES)[number]

const PROFILES: Readonly<Record<VendorName, VendorProfile>> = Object.freeze({
  generic,
  atlassian,
  egnyte,
  sigma,
  fivetran,
  harness,
  zapier,
  twingate,
  thousandeyes,
})

/** Thrown for a vendor name no profile answers to; the message lists the known names. */
export class UnknownVendorError extends Error {
  override name = 'UnknownVendorError'
  readonly vendor: string

  constructor(vendor: string) {
    super(`Unknown vendor ${JSON.stringify(vendor)}; known vendors: ${VENDOR_NAMES.join(', ')}`)
    this.vendor = vendor
  }
}

/** Whether `name` is a known vendor profile name. */
export function isVendorName(name: string): name is VendorName {
  return Object.hasOwn(PROFILES, name)
}

/** The frozen profile of a vendor; throws UnknownVendorError for an unknown name. */
export function vendorProfile(name: string): VendorProfile {
  if (!isVendorName(name)) throw new UnknownVendorError(name)
  return PROFILES[name]
}

/**
 * The capability overrides of an integration: the profile's, then the configuration's on top,
 * section by section (as mergeCapabilities does), ready for the SCIM client's `overrides`.
 */
export function integrationOverrides(
  profile: VendorProfile,
  extra: CapabilityOverrides = {},
): CapabilityOverrides {
  return mergeOverrides(profile.capabilities, extra)
}
