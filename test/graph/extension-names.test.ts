import { describe, expect, it } from 'vitest'
import {
  assignExtensionNames,
  discriminator,
  extensionAttributeName,
  extensionVendorOf,
  snakeCase,
} from '../../src/graph/extension-names.ts'

// Kept in step with the examples of docs/attribute-names.md.
const EXAMPLES: Array<[urn: string, path: string, name: string]> = [
  ['urn:ietf:params:scim:schemas:extension:acme:2.0:User', 'badgeColor', 'scim_extension_acme_badge_color'],
  [
    'urn:ietf:params:scim:schemas:extension:atlassian-external:1.0',
    'orgRole',
    'scim_extension_atlassian_external_org_role',
  ],
  [
    'urn:scim:schemas:extension:atlassian-external:1.0',
    'atlassianAccountId',
    'scim_extension_atlassian_external_atlassian_account_id',
  ],
  ['urn:acme:scim:schemas:custom:User', 'URLPath', 'scim_extension_acme_custom_url_path'],
  [
    'urn:ietf:params:scim:schemas:extension:provisio:2.0:User',
    'manager.value',
    'scim_extension_provisio_manager_value',
  ],
  [
    'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User',
    'employeeID',
    'scim_extension_custom_extension_name_employee_id',
  ],
  ['urn:scim:schemas:extension:slack:guest:1.0', 'expiration', 'scim_extension_slack_guest_expiration'],
  [
    'urn:scim:schemas:extension:cisco:webexidentity:2.0:User',
    'sipAddresses.value',
    'scim_extension_cisco_webexidentity_sip_addresses_value',
  ],
  [
    'urn:salesforce:schemas:extension:18.0',
    'FederationIdentifier',
    'scim_extension_salesforce_federation_identifier',
  ],
  ['urn:okta:myApp:1.0:user:custom', 'x509Thumbprint', 'scim_extension_okta_my_app_custom_x509_thumbprint'],
  [
    'urn:ietf:params:scim:schemas:extension:2.0:User',
    'department_code',
    'scim_extension_custom_department_code',
  ],
  ['https://example.com/scim/hr/v2', 'costCenter.$ref', 'scim_extension_example_com_hr_cost_center_ref'],
  [
    'urn:ietf:params:scim:schemas:extension:société:1.0:User',
    'numéroBadge',
    'scim_extension_societe_numero_badge',
  ],
  [
    'urn:ietf:params:scim:schemas:extension:acme:2.0:Group',
    'HTTPServer2FA',
    'scim_extension_acme_http_server2_fa',
  ],
  [
    'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
    'badge--color__x',
    'scim_extension_acme_badge_color_x',
  ],
]

const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User'

describe('extension attribute names', () => {
  it.each(EXAMPLES)('%s %s → %s', (urn, path, name) => {
    expect(extensionAttributeName(urn, path)).toBe(name)
    // Deterministic: the same input always gives the same name, whatever came before.
    expect(assignExtensionNames([{ urn, path }])).toEqual([name])
  })

  it('converts camelCase, acronyms, digits and punctuation to lower snake case', () => {
    expect(snakeCase('badgeColor')).toBe('badge_color')
    expect(snakeCase('orgRole')).toBe('org_role')
    expect(snakeCase('URLPath')).toBe('url_path')
    expect(snakeCase('x509Certificates')).toBe('x509_certificates')
    expect(snakeCase('$ref')).toBe('ref')
    expect(snakeCase('already_snake')).toBe('already_snake')
    expect(snakeCase('  Two  words ')).toBe('two_words')
  })

  it('derives the vendor from the URN without generic words, versions and resource type names', () => {
    expect(extensionVendorOf('urn:ietf:params:scim:schemas:extension:acme:2.0:User')).toBe('acme')
    expect(extensionVendorOf('urn:ietf:params:scim:schemas:extension:acme:2.0:Group')).toBe('acme')
    expect(extensionVendorOf('URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ACME:V2:USER')).toBe('acme')
    expect(extensionVendorOf('urn:ietf:params:scim:schemas:extension:2.0')).toBe('custom')
  })

  it('keeps a readable name for attributes with no ASCII letters', () => {
    const name = extensionAttributeName(ACME, '部署')
    expect(name).toBe(`scim_extension_acme_attr_${discriminator('', '部署')}`)
    expect(name).not.toBe(extensionAttributeName(ACME, '役職'))
  })
})

describe('extension name collisions', () => {
  const inUserSchema = { urn: ACME, path: 'badgeColor' }
  const inOtherSchema = { urn: 'urn:acme:scim:schemas:2.0:User', path: 'badgeColor' }
  const snakeSpelled = { urn: ACME, path: 'badge_color' }
  const unrelated = { urn: ACME, path: 'orgRole' }

  it('suffixes every colliding name with its discriminator and leaves the others alone', () => {
    const names = assignExtensionNames([inUserSchema, unrelated, inOtherSchema, snakeSpelled])
    expect(names).toEqual([
      `scim_extension_acme_badge_color_${discriminator(ACME, 'badgeColor')}`,
      'scim_extension_acme_org_role',
      `scim_extension_acme_badge_color_${discriminator(inOtherSchema.urn, 'badgeColor')}`,
      `scim_extension_acme_badge_color_${discriminator(ACME, 'badge_color')}`,
    ])
    expect(new Set(names).size).toBe(4)
    for (const name of [names[0], names[2], names[3]]) expect(name).toMatch(/_[0-9a-f]{6}$/)
  })

  it('gives names that do not depend on discovery order', () => {
    const forward = assignExtensionNames([inUserSchema, inOtherSchema, unrelated])
    const backward = assignExtensionNames([unrelated, inOtherSchema, inUserSchema])
    expect(backward).toEqual([forward[2], forward[1], forward[0]])
  })

  it('treats the same pair twice, in any case, as one attribute', () => {
    const shared = assignExtensionNames([
      inUserSchema,
      inUserSchema,
      { urn: ACME.toUpperCase(), path: 'BADGECOLOR' },
    ])
    expect(shared).toEqual([
      'scim_extension_acme_badge_color',
      'scim_extension_acme_badge_color',
      'scim_extension_acme_badge_color',
    ])
    expect(discriminator(ACME, 'badgeColor')).toBe(discriminator(ACME.toUpperCase(), 'BADGECOLOR'))
    const reversed = assignExtensionNames([{ urn: ACME.toUpperCase(), path: 'BADGECOLOR' }, inUserSchema])
    expect(reversed).toEqual(['scim_extension_acme_badge_color', 'scim_extension_acme_badge_color'])
  })

  it('separates an attribute from a sub-attribute spelled the same', () => {
    const [flat, nested] = assignExtensionNames([
      { urn: ACME, path: 'managerValue' },
      { urn: ACME, path: 'manager.value' },
    ])
    expect(flat).toMatch(/^scim_extension_acme_manager_value_[0-9a-f]{6}$/)
    expect(nested).toMatch(/^scim_extension_acme_manager_value_[0-9a-f]{6}$/)
    expect(flat).not.toBe(nested)
  })
})
