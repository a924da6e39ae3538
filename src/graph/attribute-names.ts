/**
 * The normalized names of core and enterprise attributes (DESIGN.md "Normalized attribute names"):
 * one frozen table from each short snake_case name to where the attribute lives in SCIM. Traits
 * (type, multiValued, mutability, caseExact) come from the RFC 7643 definitions in core-schemas.ts so
 * the two cannot drift; only the non-RFC group attributes state theirs here.
 */
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../scim/core-schemas.ts'
import type { AttributeDefinition, AttributeType, SchemaDefinition } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'

/** The resource types with a core normalized-name table. */
export type CoreResourceType = 'User' | 'Group'

export type Mutability = AttributeDefinition['mutability']

/** One normalized name and the SCIM attribute it stands for. */
export interface NormalizedAttribute {
  readonly name: string
  readonly resourceType: CoreResourceType
  /** Schema URN; values of an extension schema live under `resource[urn]`. */
  readonly urn: string
  /** Attribute name as RFC 7643 spells it, e.g. `name`, `emails`, `manager`. */
  readonly attribute: string
  /** Sub-attribute of a complex attribute, e.g. `givenName` of `name`. */
  readonly subAttribute?: string
  /** Value filter selecting one element of a multi-valued attribute: `primary eq true` for `email`. */
  readonly filter?: string
  /** SCIM attribute path relative to the schema: `userName`, `name.givenName`, `emails[primary eq true].value`. */
  readonly path: string
  readonly type: AttributeType
  readonly multiValued: boolean
  readonly mutability: Mutability
  readonly caseExact: boolean
  /**
   * Other top-level keys read when the attribute itself is absent. Only the non-RFC group attributes
   * have any: vendors spell a group's kind `groupType` or `type`.
   */
  readonly aliases?: readonly string[]
  /** False for attributes RFC 7643 does not define (`description`, `group_type`): vendors decide. */
  readonly standard: boolean
}

type Spec = readonly [name: string, urn: string, path: string]

const USER = SCHEMA.user
const ENTERPRISE = SCHEMA.enterpriseUser
const GROUP = SCHEMA.group

/**
 * User names. Beyond DESIGN.md's list: `honorific_prefix`, `honorific_suffix`, `entitlements`, `roles`
 * and `x509_certificates` so that the whole core schema is writable, and `manager_display_name`
 * (read-only) so the graph can show a manager without a join. `password` (write-only, never
 * returned) and `groups` (read-only, the memberships table holds it) have no name on purpose.
 */
const USER_SPECS: readonly Spec[] = [
  ['user_name', USER, 'userName'],
  ['display_name', USER, 'displayName'],
  ['external_id', USER, 'externalId'],
  ['active', USER, 'active'],
  ['email', USER, 'emails[primary eq true].value'],
  ['emails', USER, 'emails'],
  ['phone_numbers', USER, 'phoneNumbers'],
  ['addresses', USER, 'addresses'],
  ['ims', USER, 'ims'],
  ['photos', USER, 'photos'],
  ['entitlements', USER, 'entitlements'],
  ['roles', USER, 'roles'],
  ['x509_certificates', USER, 'x509Certificates'],
  ['given_name', USER, 'name.givenName'],
  ['family_name', USER, 'name.familyName'],
  ['middle_name', USER, 'name.middleName'],
  ['formatted_name', USER, 'name.formatted'],
  ['honorific_prefix', USER, 'name.honorificPrefix'],
  ['honorific_suffix', USER, 'name.honorificSuffix'],
  ['nick_name', USER, 'nickName'],
  ['title', USER, 'title'],
  ['user_type', USER, 'userType'],
  ['locale', USER, 'locale'],
  ['timezone', USER, 'timezone'],
  ['preferred_language', USER, 'preferredLanguage'],
  ['profile_url', USER, 'profileUrl'],
  ['created_at', USER, 'meta.created'],
  ['last_modified', USER, 'meta.lastModified'],
  ['employee_number', ENTERPRISE, 'employeeNumber'],
  ['cost_center', ENTERPRISE, 'costCenter'],
  ['organization', ENTERPRISE, 'organization'],
  ['division', ENTERPRISE, 'division'],
  ['department', ENTERPRISE, 'department'],
  ['manager', ENTERPRISE, 'manager.value'],
  ['manager_display_name', ENTERPRISE, 'manager.displayName'],
]

const GROUP_SPECS: readonly Spec[] = [
  ['display_name', GROUP, 'displayName'],
  ['external_id', GROUP, 'externalId'],
  ['members', GROUP, 'members'],
  ['created_at', GROUP, 'meta.created'],
  ['last_modified', GROUP, 'meta.lastModified'],
]

/**
 * `description` and `group_type` are not RFC 7643 Group attributes; vendors that have them send
 * top-level keys in the core Group (`description`; `groupType`, or `type`), which is also where a
 * write puts them. A target that declares them in an extension schema gets extension names instead.
 */
const NON_RFC_GROUP: readonly NormalizedAttribute[] = [
  nonStandard('description', 'description', []),
  nonStandard('group_type', 'groupType', ['type']),
]

function nonStandard(name: string, attribute: string, aliases: readonly string[]): NormalizedAttribute {
  return Object.freeze({
    name,
    resourceType: 'Group',
    urn: GROUP,
    attribute,
    path: attribute,
    type: 'string',
    multiValued: false,
    mutability: 'readWrite',
    caseExact: false,
    aliases: Object.freeze([...aliases]),
    standard: false,
  })
}

const RFC_SCHEMAS: ReadonlyMap<string, SchemaDefinition> = new Map(
  [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA].map((s) => [s.id, s]),
)

/** The RFC 7643 definition of a core or enterprise attribute, for its sub-attribute names. */
export function rfcAttributeDefinition(urn: string, attribute: string): AttributeDefinition | undefined {
  return RFC_SCHEMAS.get(urn)?.attributes.find((a) => a.name === attribute)
}

/** Splits `emails[primary eq true].value` into attribute, filter and sub-attribute. */
export function splitPath(path: string): { attribute: string; filter?: string; subAttribute?: string } {
  const match = /^([^.[]+)(?:\[([^\]]*)\])?(?:\.(.+))?$/.exec(path)
  if (!match?.[1]) throw new Error(`not an attribute path: ${path}`)
  return {
    attribute: match[1],
    ...(match[2] !== undefined ? { filter: match[2] } : {}),
    ...(match[3] !== undefined ? { subAttribute: match[3] } : {}),
  }
}

function fromSpec([name, urn, path]: Spec, resourceType: CoreResourceType): NormalizedAttribute {
  const { attribute, filter, subAttribute } = splitPath(path)
  const parent = RFC_SCHEMAS.get(urn)?.attributes.find((a) => a.name === attribute)
  const definition = subAttribute ? parent?.subAttributes?.find((a) => a.name === subAttribute) : parent
  if (!parent || !definition) throw new Error(`${urn} has no attribute ${path}`)
  return Object.freeze({
    name,
    resourceType,
    urn,
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
    ...(filter !== undefined ? { filter } : {}),
    path,
    type: definition.type,
    // A sub-attribute of a multi-valued attribute is single-valued only when a filter picks one element.
    multiValued: definition.multiValued || (subAttribute !== undefined && parent.multiValued && !filter),
    mutability: definition.mutability,
    caseExact: definition.caseExact,
    standard: true,
  })
}

/** Every core and enterprise normalized name, User rows first; frozen. */
export const NORMALIZED_ATTRIBUTES: readonly NormalizedAttribute[] = Object.freeze([
  ...USER_SPECS.map((spec) => fromSpec(spec, 'User')),
  ...GROUP_SPECS.map((spec) => fromSpec(spec, 'Group')),
  ...NON_RFC_GROUP,
])

/** The table rows of one resource type, in table order. */
export function coreAttributesOf(resourceType: CoreResourceType): readonly NormalizedAttribute[] {
  return resourceType === 'User' ? USER_ATTRIBUTES : GROUP_ATTRIBUTES
}

const USER_ATTRIBUTES = Object.freeze(NORMALIZED_ATTRIBUTES.filter((a) => a.resourceType === 'User'))
const GROUP_ATTRIBUTES = Object.freeze(NORMALIZED_ATTRIBUTES.filter((a) => a.resourceType === 'Group'))

const byName = new Map(NORMALIZED_ATTRIBUTES.map((a) => [`${a.resourceType}\u0000${a.name}`, a]))
const byPath = new Map(NORMALIZED_ATTRIBUTES.map((a) => [pathKey(a.urn, a.path), a]))

function pathKey(urn: string, path: string): string {
  // Schema URNs and attribute names are case-insensitive (RFC 7643 §2.1, RFC 7644 §3.10).
  return `${urn.toLowerCase()}\u0000${path.toLowerCase().replace(/\s+/g, ' ')}`
}

/** The SCIM location of a core or enterprise normalized name; `undefined` when it has none. */
export function scimPathOf(
  name: string,
  resourceType: CoreResourceType = 'User',
): NormalizedAttribute | undefined {
  return byName.get(`${resourceType}\u0000${name}`)
}

/** The normalized name of a core or enterprise attribute path (`name.givenName`), case-insensitive. */
export function normalizedNameOf(urn: string, path: string): string | undefined {
  return byPath.get(pathKey(urn, path))?.name
}

/** True for the URNs whose attributes the core table names (core User, core Group, enterprise User). */
export function isCoreSchema(urn: string): boolean {
  const lower = urn.toLowerCase()
  return lower === USER.toLowerCase() || lower === ENTERPRISE.toLowerCase() || lower === GROUP.toLowerCase()
}
