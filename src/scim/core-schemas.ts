/**
 * The RFC 7643 schema definitions: §8.7.1 User and Group and the §4.3 Enterprise User extension.
 * Common attributes (id, externalId, meta) are listed in the core schemas so that filters, sorting
 * and attribute selection resolve them like any other attribute.
 */

import type { AttributeDefinition, AttributeType, SchemaDefinition } from './resources.ts'
import { SCHEMA } from './schemas.ts'

export type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type'>>

/** An attribute definition with the RFC 7643 §7 defaults. */
export function attr(
  name: string,
  type: AttributeType,
  description: string,
  options: AttributeOptions = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  }
}

function complex(
  name: string,
  description: string,
  subAttributes: AttributeDefinition[],
  options: AttributeOptions = {},
): AttributeDefinition {
  return attr(name, 'complex', description, { ...options, subAttributes })
}

/** The usual `value`/`display`/`type`/`primary` quartet of a multi-valued attribute. */
function multiValue(
  name: string,
  description: string,
  types: string[],
  valueType: AttributeType = 'string',
  valueOptions: AttributeOptions = {},
): AttributeDefinition {
  return complex(
    name,
    description,
    [
      attr('value', valueType, `The value of the ${name} entry.`, valueOptions),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr('type', 'string', `A label indicating the ${name} entry's function.`, {
        ...(types.length > 0 ? { canonicalValues: types } : {}),
      }),
      attr('primary', 'boolean', 'Whether this is the preferred value; true at most once.'),
    ],
    { multiValued: true },
  )
}

const ID = attr('id', 'string', 'Unique identifier assigned by the service provider.', {
  caseExact: true,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'server',
})

const EXTERNAL_ID = attr('externalId', 'string', 'Identifier of the resource as defined by the client.', {
  caseExact: true,
})

const META = complex(
  'meta',
  'Resource metadata maintained by the service provider.',
  [
    attr('resourceType', 'string', 'Name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
    attr('created', 'dateTime', 'When the resource was added.', { mutability: 'readOnly' }),
    attr('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
    attr('location', 'reference', 'URI of the resource.', {
      caseExact: true,
      mutability: 'readOnly',
      referenceTypes: ['uri'],
    }),
    attr('version', 'string', 'Weak entity tag of the current version.', {
      caseExact: true,
      mutability: 'readOnly',
    }),
  ],
  { mutability: 'readOnly' },
)

export const readOnly: AttributeOptions = { mutability: 'readOnly' }

/** RFC 7643 §8.7.1 core User schema. */
export const USER_SCHEMA: SchemaDefinition = {
  id: SCHEMA.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    ID,
    EXTERNAL_ID,
    META,
    attr('userName', 'string', 'Unique identifier for the User, used to authenticate.', {
      required: true,
      uniqueness: 'server',
    }),
    complex('name', "The components of the user's real name.", [
      attr('formatted', 'string', 'The full name, formatted for display.'),
      attr('familyName', 'string', 'The family name, or last name.'),
      attr('givenName', 'string', 'The given name, or first name.'),
      attr('middleName', 'string', 'The middle name(s).'),
      attr('honorificPrefix', 'string', 'The honorific prefix(es), e.g. "Ms.".'),
      attr('honorificSuffix', 'string', 'The honorific suffix(es), e.g. "III".'),
    ]),
    attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'string', 'The casual way to address the user.'),
    attr('profileUrl', 'reference', "A URI of the User's online profile.", { referenceTypes: ['external'] }),
    attr('title', 'string', 'The user\'s title, such as "Vice President".'),
    attr('userType', 'string', 'The relationship between the organization and the user.'),
    attr('preferredLanguage', 'string', "The User's preferred written or spoken language."),
    attr('locale', 'string', "The User's default location for localization."),
    attr('timezone', 'string', "The User's time zone in the IANA Time Zone database format."),
    attr('active', 'boolean', "The User's administrative status."),
    attr('password', 'string', "The User's cleartext password, never returned.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValue('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValue('phoneNumbers', 'Phone numbers for the User.', [
      'work',
      'home',
      'mobile',
      'fax',
      'pager',
      'other',
    ]),
    multiValue('ims', 'Instant messaging addresses for the User.', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    multiValue('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], 'reference', {
      referenceTypes: ['external'],
    }),
    complex(
      'addresses',
      'A physical mailing address for this User.',
      [
        attr('formatted', 'string', 'The full mailing address, formatted for display.'),
        attr('streetAddress', 'string', 'The full street address component.'),
        attr('locality', 'string', 'The city or locality component.'),
        attr('region', 'string', 'The state or region component.'),
        attr('postalCode', 'string', 'The zip code or postal code component.'),
        attr('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
        attr('type', 'string', "A label indicating the address's function.", {
          canonicalValues: ['work', 'home', 'other'],
        }),
        attr('primary', 'boolean', 'Whether this is the preferred address; true at most once.'),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      'The groups the user belongs to, directly or through nested groups.',
      [
        attr('value', 'string', 'The identifier of the Group.', readOnly),
        attr('$ref', 'reference', 'The URI of the Group.', {
          ...readOnly,
          referenceTypes: ['User', 'Group'],
        }),
        attr('display', 'string', 'The display name of the Group.', readOnly),
        attr('type', 'string', 'How the membership was derived.', {
          ...readOnly,
          canonicalValues: ['direct', 'indirect'],
        }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    multiValue('entitlements', 'Entitlements of the User.', []),
    multiValue('roles', 'Roles of the User.', []),
    multiValue('x509Certificates', 'DER-encoded X.509 certificates of the User.', [], 'binary'),
  ],
}

/** RFC 7643 §4.3 Enterprise User extension. */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: SCHEMA.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person.'),
    attr('costCenter', 'string', 'Identifies the name of a cost center.'),
    attr('organization', 'string', 'Identifies the name of an organization.'),
    attr('division', 'string', 'Identifies the name of a division.'),
    attr('department', 'string', 'Identifies the name of a department.'),
    complex('manager', "The User's manager.", [
      attr('value', 'string', 'The id of the SCIM resource representing the manager.'),
      attr('$ref', 'reference', 'The URI of the SCIM resource representing the manager.', {
        referenceTypes: ['User'],
      }),
      attr('displayName', 'string', "The displayName of the User's manager.", readOnly),
    ]),
  ],
}

/** RFC 7643 §8.7.1 core Group schema. */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: SCHEMA.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    ID,
    EXTERNAL_ID,
    META,
    attr('displayName', 'string', 'A human-readable name for the Group.', {
      required: true,
      uniqueness: 'server',
    }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attr('$ref', 'reference', 'The URI of the member resource.', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        attr('display', 'string', 'The display name of the member.'),
        attr('type', 'string', 'The type of the member.', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
      { multiValued: true },
    ),
  ],
}
