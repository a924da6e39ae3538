import { describe, expect, it } from 'vitest'
import { discriminator } from '../../src/graph/extension-names.ts'
import { AttributeIndex, buildAttributeIndex } from '../../src/graph/reverse-index.ts'
import { ALL_SCHEMAS, PROVISIO_USER_EXTENSION } from '../../src/sandbox/schema-definitions.ts'
import { attr, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/core-schemas.ts'
import type { ResourceTypeDefinition, SchemaDefinition } from '../../src/scim/resources.ts'
import { ATLASSIAN, ATLASSIAN_SCHEMA, ENTERPRISE, GROUP, USER } from './fixtures.ts'

const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'

function resourceType(name: string, schema: string, extensions: string[]): ResourceTypeDefinition {
  return {
    schemas: [RESOURCE_TYPE],
    id: name,
    name,
    endpoint: `/${name}s`,
    schema,
    schemaExtensions: extensions.map((s) => ({ schema: s, required: false })),
  }
}

/** The sandbox's `/ResourceTypes`. */
const SANDBOX_TYPES = [
  resourceType('User', USER, [ENTERPRISE, PROVISIO_USER_EXTENSION]),
  resourceType('Group', GROUP, []),
]

describe('buildAttributeIndex', () => {
  const index = buildAttributeIndex([...ALL_SCHEMAS], SANDBOX_TYPES)

  it('indexes every attribute of the sandbox extension with its traits', () => {
    expect(index.extensionEntries('User').map((e) => e.name)).toEqual([
      'scim_extension_provisio_badge_color',
      'scim_extension_provisio_clearance_level',
      'scim_extension_provisio_hourly_rate',
      'scim_extension_provisio_remote',
      'scim_extension_provisio_start_date',
      'scim_extension_provisio_skills',
      'scim_extension_provisio_cost_code',
      'scim_extension_provisio_badge_id',
      'scim_extension_provisio_notes',
    ])
    expect(index.lookup('User', 'scim_extension_provisio_badge_color')).toEqual({
      resourceType: 'User',
      name: 'scim_extension_provisio_badge_color',
      urn: PROVISIO_USER_EXTENSION,
      path: 'badgeColor',
      type: 'string',
      multiValued: false,
      mutability: 'readWrite',
      caseExact: false,
    })
    expect(index.lookup('user', 'scim_extension_provisio_badge_id')).toMatchObject({
      mutability: 'immutable',
      caseExact: true,
    })
    expect(index.lookup('User', 'scim_extension_provisio_skills')).toMatchObject({ multiValued: true })
    expect(index.lookup('User', 'scim_extension_provisio_clearance_level')).toMatchObject({ type: 'integer' })
    expect(index.lookup('User', 'scim_extension_provisio_cost_code')).toMatchObject({
      mutability: 'readOnly',
    })
    expect(index.lookup('Group', 'scim_extension_provisio_badge_color')).toBeUndefined()
    expect(index.extensionEntries('Group')).toEqual([])
  })

  it('answers core and enterprise names too', () => {
    expect(index.lookup('User', 'user_name')).toMatchObject({ urn: USER, path: 'userName' })
    expect(index.lookup('User', 'email')).toMatchObject({
      path: 'emails[primary eq true].value',
      multiValued: false,
    })
    expect(index.lookup('User', 'manager')).toMatchObject({ urn: ENTERPRISE, path: 'manager.value' })
    expect(index.lookup('Group', 'display_name')).toMatchObject({ urn: GROUP, path: 'displayName' })
    expect(index.lookup('Group', 'group_type')).toMatchObject({ urn: GROUP, path: 'groupType' })
    // Also without /Schemas: the RFC table.
    expect(buildAttributeIndex([]).lookup('User', 'department')).toMatchObject({ urn: ENTERPRISE })
    expect(index.lookup('User', 'password')).toBeUndefined()
  })

  it('writes rows for the attribute_index table and rebuilds the same index from them', () => {
    const rows = index.rows('jira')
    expect(rows).toContainEqual({
      integration: 'jira',
      resource_type: 'User',
      normalized_name: 'scim_extension_provisio_badge_id',
      schema_urn: PROVISIO_USER_EXTENSION,
      attribute_path: 'badgeId',
      type: 'string',
      multi_valued: 0,
      mutability: 'immutable',
      case_exact: 1,
    })
    expect(rows.every((r) => r.integration === 'jira')).toBe(true)
    const rebuilt = AttributeIndex.fromRows(rows)
    expect(rebuilt.entries()).toEqual(index.entries())
    expect(rebuilt.rows('jira')).toEqual(rows)
    expect(rebuilt.lookup('User', 'scim_extension_provisio_skills')).toEqual(
      index.lookup('User', 'scim_extension_provisio_skills'),
    )
    expect(() => AttributeIndex.fromRows([{ ...rows[0]!, type: 'blob' }])).toThrow(/unknown type/)
  })

  it('indexes a complex attribute and each of its sub-attributes', () => {
    const atlassian = buildAttributeIndex([USER_SCHEMA, ATLASSIAN_SCHEMA])
    const paths = atlassian.extensionEntries('User').map((e) => [e.name, e.path, e.type, e.multiValued])
    expect(paths).toEqual([
      ['scim_extension_atlassian_external_atlassian_account_id', 'atlassianAccountId', 'string', false],
      ['scim_extension_atlassian_external_org_role', 'orgRole', 'string', false],
      ['scim_extension_atlassian_external_product_access', 'productAccess', 'complex', true],
      ['scim_extension_atlassian_external_product_access_product', 'productAccess.product', 'string', true],
      ['scim_extension_atlassian_external_product_access_role', 'productAccess.role', 'string', true],
      ['scim_extension_atlassian_external_licence', 'licence', 'complex', false],
      ['scim_extension_atlassian_external_licence_tier', 'licence.tier', 'string', false],
      ['scim_extension_atlassian_external_licence_seats', 'licence.seats', 'integer', false],
    ])
    expect(atlassian.lookup('User', 'scim_extension_atlassian_external_atlassian_account_id')).toMatchObject({
      urn: ATLASSIAN,
      mutability: 'readOnly',
      caseExact: true,
    })
  })

  it('places extensions by resource type, else by the `:Group` suffix, else on User', () => {
    const groupExtension: SchemaDefinition = {
      id: 'urn:acme:scim:schemas:custom:Group',
      attributes: [attr('costCode', 'string', 'Cost code.')],
    }
    const listedUnderGroup: SchemaDefinition = {
      id: 'urn:acme:teams',
      attributes: [attr('slack', 'string', 'Channel.')],
    }
    const schemas = [USER_SCHEMA, GROUP_SCHEMA, ATLASSIAN_SCHEMA, groupExtension, listedUnderGroup]

    const guessed = buildAttributeIndex(schemas)
    expect(guessed.lookup('Group', 'scim_extension_acme_custom_cost_code')).toBeDefined()
    expect(guessed.lookup('User', 'scim_extension_acme_custom_cost_code')).toBeUndefined()
    expect(guessed.lookup('User', 'scim_extension_atlassian_external_org_role')).toBeDefined()
    expect(guessed.lookup('User', 'scim_extension_acme_teams_slack')).toBeDefined()

    // A target calling its types `Users` and `Teams` still gets `User` and `Group` rows.
    const listed = buildAttributeIndex(schemas, [
      resourceType('Users', USER, [ATLASSIAN]),
      resourceType('Teams', GROUP, [listedUnderGroup.id.toUpperCase(), 'urn:not:published']),
    ])
    expect(listed.lookup('Group', 'scim_extension_acme_teams_slack')).toBeDefined()
    expect(listed.lookup('User', 'scim_extension_acme_teams_slack')).toBeUndefined()
    expect(listed.lookup('User', 'scim_extension_atlassian_external_org_role')).toBeDefined()
    // Listed by no resource type: placed by its suffix.
    expect(listed.lookup('Group', 'scim_extension_acme_custom_cost_code')).toBeDefined()
  })

  it("takes core traits from the target's own schema and tolerates sloppy definitions", () => {
    const strictTitle: SchemaDefinition = {
      ...USER_SCHEMA,
      attributes: USER_SCHEMA.attributes.map((a) =>
        a.name === 'title' ? { ...a, mutability: 'readOnly' } : a,
      ),
    }
    const sloppy = {
      id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      attributes: [{ name: 'badgeColor', type: 'String' }, { type: 'string' }],
    } as unknown as SchemaDefinition
    const meta: SchemaDefinition = {
      id: RESOURCE_TYPE,
      attributes: [attr('endpoint', 'reference', 'Endpoint.')],
    }
    const target = buildAttributeIndex([strictTitle, ENTERPRISE_USER_SCHEMA, sloppy, meta])
    expect(target.lookup('User', 'title')).toMatchObject({ mutability: 'readOnly' })
    expect(target.lookup('User', 'scim_extension_acme_badge_color')).toMatchObject({
      type: 'string',
      multiValued: false,
      mutability: 'readWrite',
      caseExact: false,
    })
    expect(() =>
      buildAttributeIndex([{ attributes: [] } as unknown as SchemaDefinition, sloppy]),
    ).not.toThrow()
    // RFC meta-schemas are not extensions.
    expect(target.extensionEntries('User').map((e) => e.name)).toEqual(['scim_extension_acme_badge_color'])
  })

  it('suffixes names that collide within the integration', () => {
    const a: SchemaDefinition = {
      id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      attributes: [attr('badgeColor', 'string', '')],
    }
    const b: SchemaDefinition = { id: 'urn:acme:2.0:User', attributes: [attr('badgeColor', 'string', '')] }
    const names = buildAttributeIndex([a, b])
      .extensionEntries('User')
      .map((e) => e.name)
    expect(names).toEqual([
      `scim_extension_acme_badge_color_${discriminator(a.id, 'badgeColor')}`,
      `scim_extension_acme_badge_color_${discriminator(b.id, 'badgeColor')}`,
    ])
    expect(names).toEqual(
      buildAttributeIndex([b, a])
        .extensionEntries('User')
        .map((e) => e.name)
        .reverse(),
    )
  })
})
