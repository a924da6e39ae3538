/**
 * The schemas the sandbox serves: the RFC 7643 core schemas plus a Provisio test extension whose
 * attributes cover every type and mutability worth testing.
 */
import { attr, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, readOnly, USER_SCHEMA } from '../scim/core-schemas.ts'
import type { ResourceSchema } from '../scim/resource-schema.ts'
import type { SchemaDefinition } from '../scim/resources.ts'

/** URN of the sandbox's own User extension. */
export const PROVISIO_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:provisio:2.0:User'

/** The sandbox's own extension: one attribute per type and mutability the tests need. */
export const PROVISIO_USER_SCHEMA: SchemaDefinition = {
  id: PROVISIO_USER_EXTENSION,
  name: 'ProvisioUser',
  description: 'Provisio sandbox test attributes',
  attributes: [
    attr('badgeColor', 'string', 'Colour of the access badge.', {
      canonicalValues: ['red', 'green', 'blue', 'yellow'],
    }),
    attr('clearanceLevel', 'integer', 'Security clearance level, 0 to 5.'),
    attr('hourlyRate', 'decimal', 'Contractor hourly rate.'),
    attr('remote', 'boolean', 'Whether the user works remotely.'),
    attr('startDate', 'dateTime', 'First working day.'),
    attr('skills', 'string', 'Skills of the user.', { multiValued: true }),
    attr('costCode', 'string', 'Cost code assigned by the service provider.', readOnly),
    attr('badgeId', 'string', 'Badge number, set once.', { caseExact: true, mutability: 'immutable' }),
    attr('notes', 'string', 'Free-form notes, returned only when asked for.', { returned: 'request' }),
  ],
}

/** The User resource type as the sandbox serves it. */
export const USER_RESOURCE: ResourceSchema = {
  name: 'User',
  endpoint: '/Users',
  core: USER_SCHEMA,
  extensions: [ENTERPRISE_USER_SCHEMA, PROVISIO_USER_SCHEMA],
}

/** The Group resource type as the sandbox serves it. */
export const GROUP_RESOURCE: ResourceSchema = {
  name: 'Group',
  endpoint: '/Groups',
  core: GROUP_SCHEMA,
  extensions: [],
}

/** Every schema `/Schemas` lists. */
export const ALL_SCHEMAS: readonly SchemaDefinition[] = [
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  PROVISIO_USER_SCHEMA,
]
