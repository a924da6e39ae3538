/**
 * The reverse index of one integration: every normalized name back to its schema URN and attribute
 * path, so a transformer writing `scim_extension_acme_badge_color` knows to send
 * `{"urn:…:acme:2.0:User": {"badgeColor": …}}`. Built from the target's `/Schemas` and
 * `/ResourceTypes`; stored as `attribute_index` rows and rebuilt from them.
 */
import type {
  AttributeDefinition,
  AttributeType,
  ResourceTypeDefinition,
  SchemaDefinition,
} from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import type { AttributeIndexTable } from '../store/tables.ts'
import {
  coreAttributesOf,
  isCoreSchema,
  type Mutability,
  type NormalizedAttribute,
} from './attribute-names.ts'
import { assignExtensionNames, EXTENSION_PREFIX } from './extension-names.ts'

/** One row of the index. */
export interface IndexEntry {
  /** `User` or `Group` for the RFC resource types, whatever the target calls them; else its name. */
  readonly resourceType: string
  readonly name: string
  readonly urn: string
  /** Path within the schema: `badgeColor`, `manager.value`, `emails[primary eq true].value`. */
  readonly path: string
  readonly type: AttributeType
  /** For a sub-attribute of a multi-valued attribute: true, its normalized value is an array. */
  readonly multiValued: boolean
  readonly mutability: Mutability
  readonly caseExact: boolean
}

const lower = (s: string): string => s.toLowerCase()

/** A stored row; `integration` is ignored when rebuilding. */
export type AttributeIndexRow = Omit<AttributeIndexTable, 'integration'> & { integration?: string }

const TYPES = byLowerCase<AttributeType>([
  'string',
  'boolean',
  'decimal',
  'integer',
  'dateTime',
  'reference',
  'complex',
  'binary',
])
const MUTABILITIES = byLowerCase<Mutability>(['readOnly', 'readWrite', 'immutable', 'writeOnly'])

function byLowerCase<T extends string>(values: readonly T[]): ReadonlyMap<string, T> {
  return new Map(values.map((v) => [v.toLowerCase(), v]))
}

/** Every normalized name of an integration, by resource type. */
export class AttributeIndex {
  private readonly byKey = new Map<string, IndexEntry>()
  private readonly ordered: readonly IndexEntry[]

  constructor(entries: readonly IndexEntry[]) {
    const kept: IndexEntry[] = []
    for (const entry of entries) {
      const key = entryKey(entry.resourceType, entry.name)
      if (this.byKey.has(key)) continue
      const frozen = Object.freeze({ ...entry })
      this.byKey.set(key, frozen)
      kept.push(frozen)
    }
    this.ordered = Object.freeze(kept)
  }

  /** Rebuilds an index from `attribute_index` rows of one integration. */
  static fromRows(rows: readonly AttributeIndexRow[]): AttributeIndex {
    return new AttributeIndex(
      rows.map((row) => {
        const type = TYPES.get(lower(row.type))
        const mutability = MUTABILITIES.get(lower(row.mutability))
        // Rows are written by rows(); anything else means the table was edited or corrupted.
        if (!type || !mutability) {
          throw new Error(`attribute_index row ${row.normalized_name}: unknown type or mutability`)
        }
        return {
          resourceType: row.resource_type,
          name: row.normalized_name,
          urn: row.schema_urn,
          path: row.attribute_path,
          type,
          multiValued: row.multi_valued === 1,
          mutability,
          caseExact: row.case_exact === 1,
        }
      }),
    )
  }

  /** Where a normalized name lives for a resource type (`User`, `Group`; case-insensitive). */
  lookup(resourceType: string, name: string): IndexEntry | undefined {
    return this.byKey.get(entryKey(resourceType, name))
  }

  /** All entries, or those of one resource type, core names first, in a stable order. */
  entries(resourceType?: string): readonly IndexEntry[] {
    if (resourceType === undefined) return this.ordered
    const wanted = resourceType.toLowerCase()
    return this.ordered.filter((e) => e.resourceType.toLowerCase() === wanted)
  }

  /** The custom extension entries of a resource type (names starting `scim_extension_`). */
  extensionEntries(resourceType: string): readonly IndexEntry[] {
    return this.entries(resourceType).filter((e) => e.name.startsWith(EXTENSION_PREFIX))
  }

  /** Rows for the `attribute_index` table, in a stable order so unchanged indexes compare equal. */
  rows(integration: string): AttributeIndexTable[] {
    return this.ordered.map((e) => ({
      integration,
      resource_type: e.resourceType,
      normalized_name: e.name,
      schema_urn: e.urn,
      attribute_path: e.path,
      type: e.type,
      multi_valued: e.multiValued ? 1 : 0,
      mutability: e.mutability,
      case_exact: e.caseExact ? 1 : 0,
    }))
  }
}

function entryKey(resourceType: string, name: string): string {
  return `${resourceType.toLowerCase()}\u0000${name}`
}

const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:'

/**
 * The index of a target: core and enterprise names for User and Group (traits from the target's own
 * definitions when it publishes them, else RFC 7643), plus every attribute and sub-attribute of every
 * extension schema. Extensions go to the resource types whose `schemaExtensions` list them; a schema
 * no resource type lists (or every one, without `/ResourceTypes`) goes to Group when its id ends in
 * `:Group`, else to User.
 */
export function buildAttributeIndex(
  schemas: readonly SchemaDefinition[],
  resourceTypes?: readonly ResourceTypeDefinition[],
): AttributeIndex {
  const byUrn = new Map<string, SchemaDefinition>()
  for (const schema of schemas) {
    // `/Schemas` is target data: a document without an id cannot be referred to, so it is skipped.
    if (typeof schema.id === 'string' && !byUrn.has(lower(schema.id))) byUrn.set(lower(schema.id), schema)
  }

  const core: IndexEntry[] = [
    ...coreAttributesOf('User').map((a) => coreEntry(a, byUrn)),
    ...coreAttributesOf('Group').map((a) => coreEntry(a, byUrn)),
  ]
  const placements = extensionPlacements(byUrn, resourceTypes ?? [])
  const drafts = placements.flatMap(({ resourceType, schema }) => extensionDrafts(resourceType, schema))
  const names = assignExtensionNames(drafts)
  return new AttributeIndex([...core, ...drafts.map((draft, i) => ({ ...draft, name: names[i] ?? '' }))])
}

/** A core table entry with the target's traits when its `/Schemas` defines the attribute. */
function coreEntry(attribute: NormalizedAttribute, byUrn: ReadonlyMap<string, SchemaDefinition>): IndexEntry {
  const parent = findAttribute(byUrn.get(lower(attribute.urn))?.attributes, attribute.attribute)
  const declared = attribute.subAttribute
    ? findAttribute(parent?.subAttributes, attribute.subAttribute)
    : parent
  return {
    resourceType: attribute.resourceType,
    name: attribute.name,
    urn: attribute.urn,
    path: attribute.path,
    type: known(TYPES, declared?.type, attribute.type),
    // `email` stays single-valued whatever `emails` says: its filter picks one element.
    multiValued: attribute.filter ? false : flag(declared?.multiValued, attribute.multiValued),
    mutability: known(MUTABILITIES, declared?.mutability, attribute.mutability),
    caseExact: flag(declared?.caseExact, attribute.caseExact),
  }
}

function findAttribute(
  attributes: readonly AttributeDefinition[] | undefined,
  name: string,
): AttributeDefinition | undefined {
  const wanted = lower(name)
  return attributes?.find((a) => typeof a.name === 'string' && lower(a.name) === wanted)
}

interface Placement {
  resourceType: string
  schema: SchemaDefinition
}

/** Which custom schemas belong to which resource type. */
function extensionPlacements(
  byUrn: ReadonlyMap<string, SchemaDefinition>,
  resourceTypes: readonly ResourceTypeDefinition[],
): Placement[] {
  const placements: Placement[] = []
  const placed = new Set<string>()
  for (const resourceType of resourceTypes) {
    const name = resourceTypeKey(resourceType)
    for (const extension of resourceType.schemaExtensions ?? []) {
      const schema = typeof extension.schema === 'string' ? byUrn.get(lower(extension.schema)) : undefined
      if (!schema || !isCustom(schema.id)) continue
      placements.push({ resourceType: name, schema })
      placed.add(lower(schema.id))
    }
  }
  for (const [urn, schema] of byUrn) {
    if (placed.has(urn) || !isCustom(schema.id)) continue
    placements.push({ resourceType: urn.endsWith(':group') ? 'Group' : 'User', schema })
  }
  return placements
}

/** Core User and Group keep the names the core table uses, whatever a target calls its resource types. */
function resourceTypeKey(resourceType: ResourceTypeDefinition): string {
  const schema = typeof resourceType.schema === 'string' ? lower(resourceType.schema) : ''
  if (schema === lower(SCHEMA.user)) return 'User'
  if (schema === lower(SCHEMA.group)) return 'Group'
  return resourceType.name
}

/** Not core User, Group, enterprise, nor one of the RFC's own core schemas (ResourceType, Schema…). */
function isCustom(urn: string): boolean {
  return !isCoreSchema(urn) && !lower(urn).startsWith(CORE_PREFIX)
}

/** One entry per attribute and per sub-attribute of a schema, names still to be assigned. */
function extensionDrafts(resourceType: string, schema: SchemaDefinition): Array<Omit<IndexEntry, 'name'>> {
  const drafts: Array<Omit<IndexEntry, 'name'>> = []
  for (const attribute of schema.attributes ?? []) {
    if (typeof attribute.name !== 'string' || attribute.name === '') continue
    const multiValued = flag(attribute.multiValued, false)
    drafts.push(draft(resourceType, schema.id, attribute.name, attribute, multiValued))
    for (const sub of attribute.subAttributes ?? []) {
      if (typeof sub.name !== 'string' || sub.name === '') continue
      const path = `${attribute.name}.${sub.name}`
      drafts.push(draft(resourceType, schema.id, path, sub, multiValued || flag(sub.multiValued, false)))
    }
  }
  return drafts
}

function draft(
  resourceType: string,
  urn: string,
  path: string,
  definition: AttributeDefinition,
  multiValued: boolean,
): Omit<IndexEntry, 'name'> {
  return {
    resourceType,
    urn,
    path,
    type: known(TYPES, definition.type, 'string'),
    multiValued,
    mutability: known(MUTABILITIES, definition.mutability, 'readWrite'),
    caseExact: flag(definition.caseExact, false),
  }
}

/**
 * A trait as RFC 7643 spells it. `/Schemas` documents are target data: some spell `String` or omit
 * traits, and the RFC defaults (§2.2) stand in for what is missing or unknown.
 */
function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback
}

function known<T extends string>(values: ReadonlyMap<string, T>, value: unknown, fallback: T): T {
  return (typeof value === 'string' ? values.get(lower(value)) : undefined) ?? fallback
}
