// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/config/index.ts'
import { issuesOf, SECRET_KEY, yaml } from './config-support.ts'

const integration = (...extra: string[]) =>
  yaml('integrations:', '  jira:', '    url: https://example.com/scim/v2', ...extra)

describe('configuration errors carry their path and line:column', () => {
  it('an unknown key, at the key, with a suggestion', () => {
    expect(issuesOf(integration('    extentionSchemas: true'))).toEqual([
      {
        path: 'integrations.jira.extentionSchemas',
        line: 4,
        column: 5,
        message: 'unknown key "extentionSchemas" (did you mean "extensionSchemas"?)',
      },
    ])
    const [issue] = issuesOf(yaml('extraction:', '  interval: 6h', '  color: blue'))
    expect(issue).toMatchObject({ path: 'extraction.color', line: 3, column: 3 })
    expect(issue?.message).toBe('unknown key "color"; expected one of interval')
    expect(issuesOf(yaml('databse: sqlite:x.db'))[0]?.message).toBe(
      'unknown key "databse" (did you mean "database"?)',
    )
  })

  it('a missing required key, at the mapping it belongs in', () => {
    expect(issuesOf(yaml('integrations:', '  jira:', '    vendor: zapier'))).toEqual([
      { path: 'integrations.jira.url', line: 2, column: 3, message: 'required' },
    ])
  })

  it('a value of the wrong type', () => {
    expect(issuesOf(integration('    extensionSchemas: yes please'))).toEqual([
      {
        path: 'integrations.jira.extensionSchemas',
        line: 4,
        column: 23,
        message: 'expected a boolean, got the string "yes please"',
      },
    ])
    expect(issuesOf(integration('    rateLimit: { concurrency: 0 }'))[0]).toMatchObject({
      path: 'integrations.jira.rateLimit.concurrency',
      line: 4,
      column: 31,
      message: 'must be more than 0',
    })
  })

  it('an unknown vendor, listing the known ones', () => {
    expect(issuesOf(integration('    vendor: jira'))).toEqual([
      {
        path: 'integrations.jira.vendor',
        line: 4,
        column: 13,
        message:
          'unknown vendor "jira"; known vendors: generic, atlassian, egnyte, sigma, fivetran, harness, zapier, twingate, thousandeyes',
      },
    ])
  })

  it('a bad enum value and a bad integration name', () => {
    expect(issuesOf(integration('    deprovision: archive'))[0]).toMatchObject({
      path: 'integrations.jira.deprovision',
      line: 4,
      column: 18,
      message: 'expected one of "deactivate", "delete"',
    })
    expect(issuesOf(yaml('integrations:', '  my.app:', '    url: https://x.example'))[0]).toMatchObject({
      path: 'integrations["my.app"]',
      line: 2,
      column: 3,
    })
  })

  it('an auth block with no or several methods', () => {
    expect(issuesOf(integration('    auth: {}'), {})).toContainEqual({
      path: 'integrations.jira.auth',
      line: 4,
      column: 11,
      message: 'give one of bearer, basic, oauth2',
    })
    const both = integration('    auth:', '      bearer: a', '      basic: { username: u, password: p }')
    expect(issuesOf(`secretKey: ${SECRET_KEY}\n${both}`)).toEqual([
      { path: 'integrations.jira.auth', line: 6, column: 7, message: 'give only one of bearer, basic' },
    ])
  })

  it('a missing secretKey when an integration has credentials, at that integration', () => {
    const [issue] = issuesOf(integration('    auth:', '      bearer: token'))
    expect(issue).toMatchObject({ path: 'secretKey', line: 4, column: 5 })
    expect(issue?.message).toMatch(/integration "jira" has credentials/)
    expect(issue?.message).toMatch(/openssl rand -hex 32/)
    expect(issuesOf(yaml('secretKey: tooshort'))[0]).toMatchObject({
      path: 'secretKey',
      line: 1,
      column: 12,
      message: 'must be at least 16 characters; generate a random key with: openssl rand -hex 32',
    })
  })

  it('a matching attribute the vendor cannot look up, and references to undefined names', () => {
    const text = yaml(
      'integrations:',
      '  te:',
      '    vendor: thousandeyes',
      '    url: https://api.thousandeyes.com/scim/v2',
      '    matching: [user_name, email]',
      'sources:',
      '  hr: { kind: csv, path: ./hr.csv, key: id }',
      'policies:',
      '  - name: p',
      '    source: people',
      '    workflows:',
      '      - on: leaver',
      '        actions:',
      '          - deprovision_identity: { integration: jira }',
      '          - archive_identity: { integration: te }',
    )
    expect(issuesOf(text)).toEqual([
      {
        path: 'integrations.te.matching[1]',
        line: 5,
        column: 27,
        message: 'ThousandEyes cannot look users up by email; it can by user_name, external_id',
      },
      {
        path: 'policies[0].source',
        line: 10,
        column: 13,
        message: 'unknown source "people"; defined sources: hr',
      },
      {
        path: 'policies[0].workflows[0].actions[0].deprovision_identity.integration',
        line: 14,
        column: 50,
        message: 'unknown integration "jira"; defined integrations: te',
      },
      {
        path: 'policies[0].workflows[0].actions[1].archive_identity',
        line: 15,
        column: 13,
        message:
          'unknown action "archive_identity"; expected one of sync_identity, manage_relationships, deprovision_identity, create_entitlement, notify',
      },
    ])
  })

  it('YAML syntax errors, with line:column', () => {
    expect(issuesOf(yaml('integrations:', '  jira:', '    url: [https://x', 'sources: {}'))[0]).toMatchObject(
      {
        path: '',
        line: 4,
      },
    )
    expect(issuesOf(yaml('database: sqlite:a.db', 'database: sqlite:b.db'))).toEqual([
      { path: '', line: 2, column: 1, message: 'YAML syntax: Map keys must be unique' },
    ])
    expect(
      issuesOf(yaml('integrations:', '  jira:', '    auth: { bearer: ${TOKEN} }'), { TOKEN: 't' }),
    ).toEqual([
      {
        path: '',
        line: 3,
        column: 21,
        message:
          "a ${…} placeholder inside { } or [ ] must be quoted, e.g. '${TOKEN}' (YAML reads its braces as syntax)",
      },
    ])
  })

  it('reports every problem at once, sorted, in a readable message', () => {
    const text = yaml(
      'extraction: { interval: 6 hours }',
      'integrations:',
      '  jira:',
      '    vendor: atlasian',
      '    url: http://jira.example.com/scim',
      '    auth: { bearer: t }',
    )
    let error: unknown
    try {
      parseConfig(text, 'conf/provisio.yaml', {})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const configError = error as ConfigError
    expect(configError.source).toBe('conf/provisio.yaml')
    expect(configError.issues.map((issue) => issue.path)).toEqual([
      'extraction.interval',
      'integrations.jira.vendor',
      'integrations.jira.url',
      'secretKey',
    ])
    expect(configError.message.split('\n')).toEqual([
      'conf/provisio.yaml: 4 problems in the configuration',
      'conf/provisio.yaml:1:25 extraction.interval: "6 hours" is not a duration; write a number and a unit (ms, s, m, h, d) with no space, e.g. 30s, 15m, 6h, 1d or 1h30m',
      'conf/provisio.yaml:4:13 integrations.jira.vendor: unknown vendor "atlasian"; known vendors: generic, atlassian, egnyte, sigma, fivetran, harness, zapier, twingate, thousandeyes',
      'conf/provisio.yaml:5:10 integrations.jira.url: must be https (plain http only for loopback addresses or with allowInsecure: true)',
      `conf/provisio.yaml:6:5 secretKey: ${configError.issues[3]?.message}`,
    ])
  })

  it('a single problem is a single line', () => {
    expect(() => parseConfig(yaml('extraction: { interval: 0s }'), 'provisio.yaml', {})).toThrow(
      /^provisio\.yaml:1:25 extraction\.interval: must be longer than zero$/,
    )
  })
})

describe('hostile documents', () => {
  it('refuses exponential alias expansion instead of hanging', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 12; i++) {
      const refs = Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')
      lines.push(`a${i}: &a${i} [${refs}]`)
    }
    const [issue] = issuesOf(yaml(...lines))
    expect(issue).toMatchObject({ path: '', line: 0, column: 0 })
    expect(issue?.message).toMatch(/alias/i)
  })
})
