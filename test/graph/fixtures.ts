/** Resources and schemas shared by the graph tests: the RFC 7643 §8 examples and an Atlassian-like target. */
import { attr } from '../../src/scim/core-schemas.ts'
import type { SchemaDefinition, ScimGroup, ScimUser } from '../../src/scim/resources.ts'

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const ATLASSIAN = 'urn:scim:schemas:extension:atlassian-external:1.0'

const CERTIFICATE = 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx'

/** RFC 7643 §8.2 "Full User Representation" (the certificate shortened). */
export function bjensen(): ScimUser {
  return {
    schemas: [USER],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: {
      formatted: 'Ms. Barbara J Jensen, III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      middleName: 'Jane',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    profileUrl: 'https://login.example.com/bjensen',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: '100 Universal City Plaza',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
        primary: true,
      },
      {
        type: 'home',
        streetAddress: '456 Hollywood Blvd',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA',
      },
    ],
    phoneNumbers: [
      { value: '555-555-5555', type: 'work' },
      { value: '555-555-4444', type: 'mobile' },
    ],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    photos: [
      { value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' },
      { value: 'https://photos.example.com/profilephoto/72930000000Ccne/T', type: 'thumbnail' },
    ],
    userType: 'Employee',
    title: 'Tour Guide',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: true,
    password: 't1meMa$heen',
    groups: [
      {
        value: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
        $ref: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a',
        display: 'Tour Guides',
      },
      {
        value: 'fc348aa8-3835-40eb-a20b-c726e15c55b5',
        $ref: 'https://example.com/v2/Groups/fc348aa8-3835-40eb-a20b-c726e15c55b5',
        display: 'Employees',
      },
    ],
    x509Certificates: [{ value: CERTIFICATE }],
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"a330bc54f0671c9"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  }
}

/** The normalized form of {@link bjensen}: no password, no groups, no id. */
export function bjensenNormalized(): Record<string, unknown> {
  const user = bjensen()
  return {
    user_name: 'bjensen@example.com',
    display_name: 'Babs Jensen',
    external_id: '701984',
    active: true,
    email: 'bjensen@example.com',
    emails: user.emails,
    phone_numbers: user.phoneNumbers,
    addresses: user.addresses,
    ims: user.ims,
    photos: user.photos,
    x509_certificates: [{ value: CERTIFICATE }],
    given_name: 'Barbara',
    family_name: 'Jensen',
    middle_name: 'Jane',
    formatted_name: 'Ms. Barbara J Jensen, III',
    honorific_prefix: 'Ms.',
    honorific_suffix: 'III',
    nick_name: 'Babs',
    title: 'Tour Guide',
    user_type: 'Employee',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    preferred_language: 'en-US',
    profile_url: 'https://login.example.com/bjensen',
    created_at: '2010-01-23T04:56:22Z',
    last_modified: '2011-05-13T04:42:34Z',
  }
}

/** RFC 7643 §8.3 "Enterprise User Extension Representation". */
export function bjensenEnterprise(): ScimUser {
  return {
    ...bjensen(),
    schemas: [USER, ENTERPRISE],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: {
        value: '26118915-6090-4610-87e4-49d8ca9f808d',
        $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d',
        displayName: 'John Smith',
      },
    },
  }
}

/** RFC 7643 §8.4 group, with the non-RFC `description` and `groupType` some vendors add. */
export function tourGuides(): ScimGroup {
  return {
    schemas: [GROUP],
    id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
    displayName: 'Tour Guides',
    description: 'Guides of the studio tour',
    groupType: 'security',
    members: [
      {
        value: '2819c223-7f76-453a-919d-413861904646',
        $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
        display: 'Babs Jensen',
      },
      {
        value: '902c246b-6245-4190-8e05-00816be7344a',
        $ref: 'https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a',
        display: 'Mandy Pepperidge',
      },
    ],
    meta: {
      resourceType: 'Group',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"3694e05e9dff592"',
      location: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a',
    },
  }
}

/** The Atlassian-like extension a target publishes at `/Schemas` (no `:User` suffix on its id). */
export const ATLASSIAN_SCHEMA: SchemaDefinition = {
  id: ATLASSIAN,
  name: 'AtlassianExternalUser',
  attributes: [
    attr('atlassianAccountId', 'string', 'The Atlassian account id.', {
      mutability: 'readOnly',
      caseExact: true,
    }),
    attr('orgRole', 'string', 'Role in the organization.'),
    attr('productAccess', 'complex', 'Products the user can use.', {
      multiValued: true,
      subAttributes: [attr('product', 'string', 'Product key.'), attr('role', 'string', 'Role in it.')],
    }),
    attr('licence', 'complex', 'Licence of the user.', {
      subAttributes: [attr('tier', 'string', 'Tier.'), attr('seats', 'integer', 'Seats.')],
    }),
  ],
}

/** A user as an Atlassian-like target returns it. */
export function atlassianUser(): ScimUser {
  return {
    schemas: [USER, ENTERPRISE, ATLASSIAN],
    id: 'f6a1c3d2-0000-4000-8000-000000000001',
    userName: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    active: true,
    // Not an attribute of any schema: ignored.
    organizationId: 'org-1',
    [ENTERPRISE]: { department: 'R&D', manager: { value: 'b0b' } },
    [ATLASSIAN]: {
      atlassianAccountId: '5b10ac8d82e05b22cc7d4ef5',
      orgRole: 'admin',
      productAccess: [
        { product: 'jira', role: 'user' },
        { product: 'confluence', role: 'admin' },
      ],
      licence: { tier: 'premium', seats: 3 },
      unknownThing: 'ignored',
    },
    meta: {
      resourceType: 'User',
      created: '2024-02-01T09:00:00.000+01:00',
      lastModified: '2024-03-01T10:00:00Z',
    },
  }
}
