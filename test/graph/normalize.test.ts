import { describe, expect, it } from 'vitest'
import { normalizeGroup, normalizeUser } from '../../src/graph/normalize.ts'
import { buildAttributeIndex } from '../../src/graph/reverse-index.ts'
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/core-schemas.ts'
import type { MultiValue, ScimUser } from '../../src/scim/resources.ts'
import {
  ATLASSIAN,
  ATLASSIAN_SCHEMA,
  atlassianUser,
  bjensen,
  bjensenEnterprise,
  bjensenNormalized,
  ENTERPRISE,
  GROUP,
  tourGuides,
  USER,
} from './fixtures.ts'

function withEmails(emails: MultiValue[]): ScimUser {
  return { schemas: [USER], userName: 'u', emails }
}

describe('normalizeUser', () => {
  it('normalizes the RFC 7643 §8.2 full user exactly, without password, groups or id', () => {
    expect(normalizeUser(bjensen())).toStrictEqual(bjensenNormalized())
  })

  it('adds the §8.3 enterprise attributes, manager as the manager id', () => {
    expect(normalizeUser(bjensenEnterprise())).toStrictEqual({
      ...bjensenNormalized(),
      employee_number: '701984',
      cost_center: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: '26118915-6090-4610-87e4-49d8ca9f808d',
      manager_display_name: 'John Smith',
    })
  })

  it('matches attribute, sub-attribute and extension URN names case-insensitively', () => {
    const user = {
      SCHEMAS: [USER],
      UserName: 'Bjensen',
      NAME: { GivenName: 'Barbara', familyname: 'Jensen' },
      Emails: [{ VALUE: 'b@example.com', Primary: true, TYPE: 'work' }],
      Meta: { LASTMODIFIED: '2011-05-13T04:42:34Z' },
      [ENTERPRISE.toUpperCase()]: { DEPARTMENT: 'Tours', Manager: { VALUE: 'm1' } },
    } as unknown as ScimUser
    expect(normalizeUser(user)).toStrictEqual({
      user_name: 'Bjensen',
      given_name: 'Barbara',
      family_name: 'Jensen',
      email: 'b@example.com',
      // Known sub-attributes take their RFC spelling; values stay as sent.
      emails: [{ value: 'b@example.com', primary: true, type: 'work' }],
      last_modified: '2011-05-13T04:42:34Z',
      department: 'Tours',
      manager: 'm1',
    })
  })

  it('lets the last spelling win when a resource repeats a name in another case', () => {
    const user = { schemas: [USER], userName: 'first', USERNAME: 'last', title: 'kept', TITLE: null }
    expect(normalizeUser(user)).toStrictEqual({ user_name: 'last', title: 'kept' })
  })

  it('takes email from the primary entry, else the first work entry, else the first', () => {
    const primary = withEmails([
      { value: 'home@x.org', type: 'home' },
      { value: 'work@x.org', type: 'work' },
      { value: 'main@x.org', type: 'other', primary: true },
    ])
    expect(normalizeUser(primary).email).toBe('main@x.org')
    const work = withEmails([
      { value: 'home@x.org', type: 'home' },
      { value: 'work@x.org', type: 'Work' },
      { value: 'work2@x.org', type: 'work' },
    ])
    expect(normalizeUser(work).email).toBe('work@x.org')
    const first = withEmails([
      { value: 'a@x.org', type: 'home' },
      { value: 'b@x.org', type: 'other' },
    ])
    expect(normalizeUser(first).email).toBe('a@x.org')
    // An entry without a value is skipped even when primary; `primary: "true"` is not true.
    const empty = withEmails([
      { primary: true, type: 'work' },
      { value: 'string@x.org', primary: 'true' as unknown as boolean },
      { value: 'c@x.org', type: 'home' },
    ])
    expect(normalizeUser(empty).email).toBe('string@x.org')
    expect(normalizeUser(withEmails([]))).toStrictEqual({ user_name: 'u' })
  })

  it('keeps values as sent: no coercion, dateTimes untouched, numbers and numeric strings distinct', () => {
    const user = {
      schemas: [USER],
      userName: 'u',
      active: 'true',
      meta: { created: '2024-02-01T09:00:00.000+01:00' },
      [ENTERPRISE]: { employeeNumber: 42, costCenter: '0042' },
    } as unknown as ScimUser
    expect(normalizeUser(user)).toStrictEqual({
      user_name: 'u',
      active: 'true',
      created_at: '2024-02-01T09:00:00.000+01:00',
      employee_number: 42,
      cost_center: '0042',
    })
  })

  it('treats null and empty arrays as unassigned and wraps a single value of a multi-valued attribute', () => {
    const user = {
      schemas: [USER],
      userName: 'u',
      displayName: null,
      emails: { value: 'only@x.org' },
      phoneNumbers: [],
      ims: [null, { value: 'handle', type: null }],
      name: { givenName: null, familyName: 'F' },
    } as unknown as ScimUser
    expect(normalizeUser(user)).toStrictEqual({
      user_name: 'u',
      email: 'only@x.org',
      emails: [{ value: 'only@x.org' }],
      ims: [{ value: 'handle' }],
      family_name: 'F',
    })
  })

  it('reads a manager sent as a bare id', () => {
    const user = { schemas: [USER, ENTERPRISE], userName: 'u', [ENTERPRISE]: { manager: 'boss-id' } }
    expect(normalizeUser(user)).toStrictEqual({ user_name: 'u', manager: 'boss-id' })
  })

  it('ignores custom extensions without an index and unknown keys always', () => {
    const normalized = normalizeUser(atlassianUser())
    expect(normalized).toStrictEqual({
      user_name: 'ada@example.com',
      display_name: 'Ada Lovelace',
      active: true,
      email: 'ada@example.com',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      given_name: 'Ada',
      family_name: 'Lovelace',
      created_at: '2024-02-01T09:00:00.000+01:00',
      last_modified: '2024-03-01T10:00:00Z',
      department: 'R&D',
      manager: 'b0b',
    })
  })

  it('reads an Atlassian-like extension through the index built from /Schemas', () => {
    const index = buildAttributeIndex([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, ATLASSIAN_SCHEMA])
    const normalized = normalizeUser(atlassianUser(), index)
    expect(normalized).toStrictEqual({
      ...normalizeUser(atlassianUser()),
      scim_extension_atlassian_external_atlassian_account_id: '5b10ac8d82e05b22cc7d4ef5',
      scim_extension_atlassian_external_org_role: 'admin',
      scim_extension_atlassian_external_product_access: [
        { product: 'jira', role: 'user' },
        { product: 'confluence', role: 'admin' },
      ],
      // Sub-attributes of a multi-valued complex attribute: the values of every element.
      scim_extension_atlassian_external_product_access_product: ['jira', 'confluence'],
      scim_extension_atlassian_external_product_access_role: ['user', 'admin'],
      scim_extension_atlassian_external_licence: { tier: 'premium', seats: 3 },
      scim_extension_atlassian_external_licence_tier: 'premium',
      scim_extension_atlassian_external_licence_seats: 3,
    })
    // The extension object is found whatever the case of its URN key.
    const shouting = atlassianUser()
    shouting[ATLASSIAN.toUpperCase()] = shouting[ATLASSIAN]
    delete shouting[ATLASSIAN]
    expect(normalizeUser(shouting, index)).toStrictEqual(normalized)
  })

  it('never stores a write-only extension value a target wrongly returns', () => {
    const secretSchema = {
      id: 'urn:acme:2.0:User',
      attributes: [{ ...ATLASSIAN_SCHEMA.attributes[1]!, name: 'pin', mutability: 'writeOnly' as const }],
    }
    const index = buildAttributeIndex([secretSchema])
    expect(index.lookup('User', 'scim_extension_acme_pin')).toBeDefined()
    const user = { schemas: [USER], userName: 'u', 'urn:acme:2.0:User': { pin: '1234' } }
    expect(normalizeUser(user, index)).toStrictEqual({ user_name: 'u' })
  })
})

describe('normalizeGroup', () => {
  it('normalizes a group with members, description and groupType', () => {
    const group = tourGuides()
    expect(normalizeGroup(group)).toStrictEqual({
      display_name: 'Tour Guides',
      members: group.members,
      created_at: '2010-01-23T04:56:22Z',
      last_modified: '2011-05-13T04:42:34Z',
      description: 'Guides of the studio tour',
      group_type: 'security',
    })
  })

  it('takes group_type from `type` when there is no `groupType`', () => {
    const group = { schemas: [GROUP], displayName: 'g', Type: 'distribution', externalId: 'x1' }
    expect(normalizeGroup(group)).toStrictEqual({
      display_name: 'g',
      external_id: 'x1',
      group_type: 'distribution',
    })
    expect(normalizeGroup({ ...group, groupType: 'security' }).group_type).toBe('security')
  })

  it('reads group extensions through the index', () => {
    const schema = {
      id: 'urn:acme:scim:schemas:custom:Group',
      attributes: [{ ...ATLASSIAN_SCHEMA.attributes[1]!, name: 'costCode' }],
    }
    const index = buildAttributeIndex([schema])
    const group = { schemas: [GROUP], displayName: 'g', [schema.id]: { costCode: 'CC-7' } }
    expect(normalizeGroup(group, index)).toStrictEqual({
      display_name: 'g',
      scim_extension_acme_custom_cost_code: 'CC-7',
    })
    expect(normalizeUser({ ...group, schemas: [USER] }, index)).toStrictEqual({ display_name: 'g' })
  })
})
