/** The full User of RFC 7643 §8.2 with the enterprise extension of §8.3, and traits from its schema (§8.7.1). */
import type { AttributePath } from '../../../src/scim/filter/filter-ast.ts'
import type { AttributeTraits } from '../../../src/scim/filter/filter-evaluator.ts'

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** A fresh copy per call, so no test sees another's edits. */
export function bjensen(): Record<string, unknown> {
  return {
    schemas: [CORE, ENTERPRISE],
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
      {
        value: '71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7',
        $ref: 'https://example.com/v2/Groups/71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7',
        display: 'US Employees',
      },
    ],
    x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
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
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"3694e05e9dff591"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  }
}

const t = (type: AttributeTraits['type'], caseExact = false, multiValued = false): AttributeTraits => ({
  type,
  caseExact,
  multiValued,
})

/** Traits of RFC 7643 §8.7.1 (a subset), keyed by lower-cased `[uri|]name[.sub]`. */
const TRAITS: Record<string, AttributeTraits> = {
  id: t('string', true),
  username: t('string'),
  'name.familyname': t('string'),
  title: t('string'),
  active: t('boolean'),
  emails: t('complex', false, true),
  'emails.value': t('string'),
  'emails.type': t('string'),
  'emails.primary': t('boolean'),
  name: t('complex'),
  'meta.lastmodified': t('dateTime'),
  'x509certificates.value': t('binary', true),
  [`${ENTERPRISE}|employeenumber`.toLowerCase()]: t('string'),
  [`${ENTERPRISE}|manager.value`.toLowerCase()]: t('string'),
  logincount: t('integer'),
}

/** A `traitsOf` for EvaluationOptions; URN-qualified core paths resolve as unqualified ones. */
export function userTraits(path: AttributePath): AttributeTraits | undefined {
  const uri = path.uri === undefined || path.uri.toLowerCase() === CORE.toLowerCase() ? '' : `${path.uri}|`
  const key = `${uri}${path.name}${path.subAttribute === undefined ? '' : `.${path.subAttribute}`}`
  const lower = key.toLowerCase()
  return Object.hasOwn(TRAITS, lower) ? TRAITS[lower] : undefined
}
