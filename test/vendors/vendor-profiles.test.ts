import { describe, expect, it } from 'vitest'
import { DEFAULT_CAPABILITIES, mergeCapabilities } from '../../src/scim/capabilities.ts'
import {
  deactivationLosesData,
  integrationOverrides,
  isProtectedGroup,
  isVendorName,
  UnknownVendorError,
  VENDOR_NAMES,
  vendorProfile,
} from '../../src/vendors/index.ts'

const capabilitiesOf = (name: string) =>
  mergeCapabilities(DEFAULT_CAPABILITIES, vendorProfile(name).capabilities)

describe('vendor profiles', () => {
  it.each(VENDOR_NAMES)('%s merges onto the default capabilities and is self-consistent', (name) => {
    const profile = vendorProfile(name)
    expect(profile.name).toBe(name)
    const merged = capabilitiesOf(name)
    // Every capability section is still complete after the merge.
    expect(Object.keys(merged).sort()).toEqual(Object.keys(DEFAULT_CAPABILITIES).sort())
    for (const section of ['bulk', 'filter', 'pagination', 'discoveryPaths'] as const) {
      expect(Object.keys(merged[section]).sort()).toEqual(Object.keys(DEFAULT_CAPABILITIES[section]).sort())
    }
    expect(merged.groups).toBe(profile.groups)
    expect(merged.pagination.pageSize).toBeLessThanOrEqual(merged.pagination.maxPageSize)
    expect(profile.identity.matchable.length).toBeGreaterThan(0)
    expect(profile.observedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(profile.sources.length).toBeGreaterThan(0)
    for (const line of profile.sources) expect(line).toMatch(/^[\w./ ]+: .+\[(doc|code|3p|inf|unknown)\]/)
    if (profile.identity.userNameEqualsEmail) expect(profile.identity.userNameMustBeEmail).toBe(true)
  })

  it('generic is the RFC defaults, untouched', () => {
    expect(capabilitiesOf('generic')).toEqual(DEFAULT_CAPABILITIES)
    expect(vendorProfile('generic').identity.duplicateCreate).toBe('unknown')
  })

  it('atlassian: single eq filter, no sort, pages of 100, no bulk, no renames, protected admin groups', () => {
    const caps = capabilitiesOf('atlassian')
    expect(caps.filter).toMatchObject({ operators: ['eq'], logical: false })
    expect(caps.sort).toBe(false)
    expect(caps.pagination).toMatchObject({ pageSize: 100, maxPageSize: 100, cursor: false })
    expect(caps.bulk.supported).toBe(false)
    const profile = vendorProfile('atlassian')
    expect(profile.identity.matchable).toEqual(['userName', 'externalId'])
    expect(profile.identity.duplicateCreate).toBe('conflict')
    expect(profile.groupRules.renameAllowed).toBe(false)
    expect(profile.deprovision).toMatchObject({ delete: 'unlink', recordReadableAfterDelete: false })
    expect(isProtectedGroup(profile, 'site-admins')).toBe(true)
    expect(isProtectedGroup(profile, 'Org-Admins')).toBe(true)
    expect(isProtectedGroup(profile, 'jira-admins-acme')).toBe(true)
    expect(isProtectedGroup(profile, 'engineering')).toBe(false)
  })

  it('harness: lower-case ops, filter-path removal, unreliable totals, pages of 20, upsert, destructive deactivation', () => {
    const caps = capabilitiesOf('harness')
    expect(caps.patchOpCasing).toBe('lower')
    expect(caps.memberRemoval).toBe('filter-path')
    expect(caps.pagination).toMatchObject({ pageSize: 20, totalResultsReliable: false })
    expect(caps.filter).toMatchObject({ operators: ['eq'], logical: false })
    const profile = vendorProfile('harness')
    expect(profile.identity.duplicateCreate).toBe('upsert')
    expect(profile.deprovision).toMatchObject({
      deactivate: 'remove-from-account',
      reactivation: false,
      defaultMode: 'deactivate',
    })
    expect(deactivationLosesData(profile)).toBe(true)
    expect(profile.warnings.join(' ')).toMatch(/not achievable without data loss/)
  })

  it('twingate: 25 rps, no sort, no attributes parameter, no /.search, no bulk, externalId required', () => {
    const caps = capabilitiesOf('twingate')
    expect(caps).toMatchObject({ sort: false, attributeSelection: false, search: false })
    expect(caps.bulk.supported).toBe(false)
    const profile = vendorProfile('twingate')
    expect(profile.rateLimit).toEqual({ requestsPerSecond: 25 })
    expect(profile.identity).toMatchObject({ externalIdRequired: true, singleEmail: true })
    expect(profile.groupRules.displayNameUnique).toBe(false)
    expect(profile.deprovision.delete).toBe('hard-delete')
  })

  it('thousandeyes: users only, lookups by externalId and userName, a single email', () => {
    expect(capabilitiesOf('thousandeyes').groups).toBe(false)
    const profile = vendorProfile('thousandeyes')
    expect(profile.groups).toBe(false)
    expect([...profile.identity.matchable].sort()).toEqual(['externalId', 'userName'])
    expect(profile.identity.singleEmail).toBe(true)
  })

  it('zapier: pages of 50, sorting, 409 on duplicates, userName is an email', () => {
    const caps = capabilitiesOf('zapier')
    expect(caps.pagination.pageSize).toBe(50)
    expect(caps.sort).toBe(true)
    const profile = vendorProfile('zapier')
    expect(profile.identity).toMatchObject({ duplicateCreate: 'conflict', userNameMustBeEmail: true })
  })

  it('fivetran: userName equals the email; deactivation is a soft delete', () => {
    const profile = vendorProfile('fivetran')
    expect(profile.identity).toMatchObject({ userNameEqualsEmail: true, userNameMustBeEmail: true })
    expect(profile.deprovision.deactivate).toBe('soft-delete')
    expect(deactivationLosesData(profile)).toBe(false)
  })

  it.each(['sigma', 'egnyte'])('%s: generic capabilities, with warnings and unknowns stated', (name) => {
    expect(capabilitiesOf(name)).toEqual(DEFAULT_CAPABILITIES)
    const profile = vendorProfile(name)
    expect(profile.warnings.length).toBeGreaterThan(0)
    expect(profile.sources.some((line) => line.includes('[unknown]'))).toBe(true)
  })

  it('profiles are deeply frozen', () => {
    for (const name of VENDOR_NAMES) {
      const profile = vendorProfile(name)
      expect(Object.isFrozen(profile)).toBe(true)
      expect(Object.isFrozen(profile.capabilities)).toBe(true)
      expect(Object.isFrozen(profile.deprovision)).toBe(true)
      expect(Object.isFrozen(profile.identity.matchable)).toBe(true)
      expect(Object.isFrozen(profile.warnings)).toBe(true)
    }
    const atlassian = vendorProfile('atlassian')
    expect(Object.isFrozen(atlassian.capabilities.filter)).toBe(true)
    expect(() => {
      ;(atlassian.groupRules as { renameAllowed: boolean }).renameAllowed = true
    }).toThrow(TypeError)
  })

  it('the registry names every vendor and refuses unknown ones with the list', () => {
    expect(VENDOR_NAMES).toEqual([
      'generic',
      'atlassian',
      'egnyte',
      'sigma',
      'fivetran',
      'harness',
      'zapier',
      'twingate',
      'thousandeyes',
    ])
    expect(isVendorName('okta')).toBe(false)
    expect(isVendorName('toString')).toBe(false)
    expect(() => vendorProfile('okta')).toThrow(UnknownVendorError)
    expect(() => vendorProfile('okta')).toThrow(
      'Unknown vendor "okta"; known vendors: generic, atlassian, egnyte, sigma, fivetran, harness, zapier, twingate, thousandeyes',
    )
    expect(() => vendorProfile('constructor')).toThrow(UnknownVendorError)
  })

  it('integrationOverrides puts the configuration over the profile, section by section', () => {
    const merged = integrationOverrides(vendorProfile('atlassian'), {
      pagination: { pageSize: 50 },
      etag: true,
    })
    expect(merged.pagination).toEqual({ cursor: false, pageSize: 50, maxPageSize: 100 })
    expect(merged.filter).toEqual({ operators: ['eq'], logical: false })
    expect(merged.etag).toBe(true)
    expect(integrationOverrides(vendorProfile('generic'))).toEqual({})
  })
})
