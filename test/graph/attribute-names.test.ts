import { describe, expect, it } from 'vitest'
import {
  coreAttributesOf,
  NORMALIZED_ATTRIBUTES,
  normalizedNameOf,
  scimPathOf,
} from '../../src/graph/attribute-names.ts'
import { ENTERPRISE, GROUP, USER } from './fixtures.ts'

// The lists of DESIGN.md "Normalized attribute names".
const DESIGN_USER_NAMES = [
  'user_name',
  'display_name',
  'external_id',
  'active',
  'email',
  'emails',
  'phone_numbers',
  'addresses',
  'ims',
  'photos',
  'given_name',
  'family_name',
  'middle_name',
  'formatted_name',
  'nick_name',
  'title',
  'user_type',
  'locale',
  'timezone',
  'preferred_language',
  'profile_url',
  'created_at',
  'last_modified',
  'employee_number',
  'cost_center',
  'organization',
  'division',
  'department',
  'manager',
]
const DESIGN_GROUP_NAMES = ['display_name', 'external_id', 'group_type', 'description', 'members']

describe('normalized attribute names', () => {
  it('names every attribute DESIGN.md lists, for User and for Group', () => {
    const user = coreAttributesOf('User').map((a) => a.name)
    const group = coreAttributesOf('Group').map((a) => a.name)
    expect(user).toEqual(expect.arrayContaining(DESIGN_USER_NAMES))
    expect(group).toEqual(expect.arrayContaining(DESIGN_GROUP_NAMES))
    for (const names of [user, group]) {
      expect(new Set(names).size).toBe(names.length)
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/)
    }
  })

  it('is a frozen table', () => {
    expect(Object.isFrozen(NORMALIZED_ATTRIBUTES)).toBe(true)
    expect(NORMALIZED_ATTRIBUTES.every((a) => Object.isFrozen(a))).toBe(true)
  })

  it('maps names to SCIM paths with their RFC 7643 traits', () => {
    expect(scimPathOf('given_name')).toMatchObject({
      urn: USER,
      attribute: 'name',
      subAttribute: 'givenName',
      path: 'name.givenName',
      type: 'string',
      multiValued: false,
    })
    expect(scimPathOf('email')).toMatchObject({
      urn: USER,
      attribute: 'emails',
      subAttribute: 'value',
      filter: 'primary eq true',
      path: 'emails[primary eq true].value',
      multiValued: false,
    })
    expect(scimPathOf('emails')).toMatchObject({ type: 'complex', multiValued: true })
    expect(scimPathOf('active')).toMatchObject({ type: 'boolean', multiValued: false })
    expect(scimPathOf('profile_url')).toMatchObject({ type: 'reference' })
    expect(scimPathOf('created_at')).toMatchObject({
      path: 'meta.created',
      type: 'dateTime',
      mutability: 'readOnly',
    })
    expect(scimPathOf('external_id')).toMatchObject({ urn: USER, caseExact: true })
    expect(scimPathOf('manager')).toMatchObject({
      urn: ENTERPRISE,
      path: 'manager.value',
      mutability: 'readWrite',
    })
    expect(scimPathOf('manager_display_name')).toMatchObject({
      path: 'manager.displayName',
      mutability: 'readOnly',
    })
    expect(scimPathOf('display_name', 'Group')).toMatchObject({
      urn: GROUP,
      path: 'displayName',
      standard: true,
    })
    expect(scimPathOf('members', 'Group')).toMatchObject({ type: 'complex', multiValued: true })
    expect(scimPathOf('group_type', 'Group')).toMatchObject({
      urn: GROUP,
      path: 'groupType',
      aliases: ['type'],
      standard: false,
    })
    expect(scimPathOf('description', 'Group')).toMatchObject({ path: 'description', standard: false })
  })

  it('has no name for secrets, memberships of a user, or attributes of the other resource type', () => {
    expect(scimPathOf('password')).toBeUndefined()
    expect(scimPathOf('groups')).toBeUndefined()
    expect(scimPathOf('members')).toBeUndefined()
    expect(scimPathOf('user_name', 'Group')).toBeUndefined()
    expect(normalizedNameOf(USER, 'password')).toBeUndefined()
  })

  it('maps SCIM paths back to names, case-insensitively', () => {
    expect(normalizedNameOf(USER, 'userName')).toBe('user_name')
    expect(normalizedNameOf(USER.toUpperCase(), 'NAME.givenname')).toBe('given_name')
    expect(normalizedNameOf(ENTERPRISE, 'manager.value')).toBe('manager')
    expect(normalizedNameOf(GROUP, 'displayName')).toBe('display_name')
    expect(normalizedNameOf(USER, 'emails[primary eq true].value')).toBe('email')
    // Any email's value is not "the" email.
    expect(normalizedNameOf(USER, 'emails.value')).toBeUndefined()
    expect(normalizedNameOf(ENTERPRISE, 'userName')).toBeUndefined()
  })

  it('round-trips every entry', () => {
    for (const entry of NORMALIZED_ATTRIBUTES) {
      expect(normalizedNameOf(entry.urn, entry.path)).toBe(entry.name)
      expect(scimPathOf(entry.name, entry.resourceType)).toBe(entry)
    }
  })
})
