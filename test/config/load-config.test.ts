// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/config/config-resolve.ts'
import { ConfigError, configJsonSchema, loadConfig, parseConfig } from '../../src/config/index.ts'
import { issuesOf, SECRET_KEY, yaml } from './config-support.ts'

const EXAMPLE_ENV = {
  PROVISIO_SECRET_KEY: SECRET_KEY,
  JIRA_SCIM_TOKEN: 'jira-token',
  ZAPIER_SCIM_TOKEN: 'zapier-token',
  TWINGATE_SCIM_TOKEN: 'twingate-token',
  THOUSANDEYES_TOKEN: 'te-token',
}

describe('loadConfig', () => {
  it('loads the documented example', async () => {
    const config = await loadConfig('examples/provisio.yaml', EXAMPLE_ENV)
    expect(config.database.reveal()).toBe('sqlite:./provisio.db')
    expect(config.baseDir).toBe(resolve('examples'))
    expect(config.secretKey?.reveal()).toBe(SECRET_KEY)
    expect(config.extraction.interval).toBe(6 * 3_600_000)
    expect(Object.keys(config.integrations)).toEqual([
      'jira',
      'zapier',
      'twingate',
      'thousandeyes',
      'sandbox',
    ])
    expect(config.integrations.jira).toMatchObject({
      name: 'jira',
      vendor: 'atlassian',
      extensionSchemas: true,
      lifecycleManagement: true,
      extractionInterval: 3_600_000,
      deprovision: 'deactivate',
      rateLimit: { requestsPerSecond: 10, concurrency: 4 },
      // Atlassian cannot filter on emails, so email drops out of the default matching.
      matching: ['user_name', 'external_id'],
      capabilities: {},
    })
    expect(config.integrations.twingate).toMatchObject({
      rateLimit: { requestsPerSecond: 25 },
      matching: ['external_id', 'user_name'],
      extractionInterval: 6 * 3_600_000,
    })
    expect(config.integrations.thousandeyes?.deprovision).toBe('delete')
    expect(config.integrations.thousandeyes?.auth).toMatchObject({
      basic: { username: 'provisioning@example.com' },
    })
    expect(config.integrations.sandbox).toMatchObject({
      vendor: 'generic',
      url: 'http://127.0.0.1:8787/scim/v2',
    })
    expect(config.sources.hr).toEqual({
      name: 'hr',
      kind: 'csv',
      path: './hr/employees.csv',
      key: 'employee_id',
      leaver: 'status eq "terminated"',
      columns: {},
      delimiter: ',',
      encoding: 'utf8',
      pollInterval: 5 * 60_000,
    })
    const [policy] = config.policies
    expect(policy).toMatchObject({
      name: 'employees',
      source: 'hr',
      limits: { maxDeprovisions: 25, maxOperations: 2000 },
    })
    expect(policy?.workflows.map((workflow) => workflow.on)).toEqual([
      'joiner',
      'mover',
      'leaver',
      'reconcile',
    ])
    const first = policy?.workflows[0]?.actions[0]
    expect(first && 'sync_identity' in first ? first.sync_identity : undefined).toMatchObject({
      integration: 'jira',
      attributes: {
        display_name: '{first_name} {last_name}',
        employee_number: { value: '{employee_id}', sync: 'create', drift: 'revert' },
        scim_extension_atlassian_org_role: {
          value: '{org_role | default "member"}',
          sync: 'always',
          drift: 'report',
        },
      },
    })
  })

  it('reports a missing file as a ConfigError naming it', async () => {
    const missing = join(tmpdir(), 'provisio-no-such-dir', 'provisio.yaml')
    await expect(loadConfig(missing, {})).rejects.toThrow(ConfigError)
    await expect(loadConfig(missing, {})).rejects.toThrow(`${missing}: file not found`)
  })

  it('names the file it read in every issue', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provisio-config-'))
    const path = join(dir, 'provisio.yaml')
    await writeFile(path, yaml('extraction: { interval: 6 hours }'))
    await expect(loadConfig(path, {})).rejects.toThrow(
      `${path}:1:25 extraction.interval: "6 hours" is not a duration`,
    )
    await writeFile(path, yaml('database: sqlite:data/provisio.db'))
    const config = await loadConfig(path, {})
    expect(config.baseDir).toBe(dir)
  })
})

describe('parseConfig defaults', () => {
  it('an empty file is the embedded default', () => {
    const config = parseConfig('', 'provisio.yaml', {})
    expect(JSON.parse(JSON.stringify(config))).toEqual({
      baseDir: process.cwd(),
      database: '[redacted]',
      extraction: { interval: 21_600_000 },
      integrations: {},
      sources: {},
      policies: [],
    })
    expect(config.database.reveal()).toBe('sqlite:./provisio.db')
    expect('secretKey' in config).toBe(false)
  })

  it("limits layer key by key: the defaults, then the top-level limits, then the integration's own", () => {
    const config = parseConfig(
      yaml(
        'limits: { window: 12h, deactivations: { perRun: 5 } }',
        'integrations:',
        '  a: { url: "https://a.example", limits: { maxOperations: 50, deactivations: { perWindow: 9 } } }',
        '  b: { url: "https://b.example" }',
      ),
      'provisio.yaml',
      {},
    )
    expect(config.integrations.a?.limits).toEqual({
      ...DEFAULT_LIMITS,
      window: 12 * 3_600_000,
      maxOperations: 50,
      deactivations: { ...DEFAULT_LIMITS.deactivations, perRun: 5, perWindow: 9 },
    })
    expect(config.integrations.b?.limits.deactivations.perRun).toBe(5)
    expect(config.integrations.b?.limits.maxOperations).toBe(DEFAULT_LIMITS.maxOperations)
  })

  it('rejects a limit that is not a count, naming where', () => {
    expect(() =>
      parseConfig(
        yaml('integrations:', '  a: { url: "https://a.example", limits: { deletions: { perRun: -1 } } }'),
        'provisio.yaml',
        {},
      ),
    ).toThrow(/integrations\.a\.limits\.deletions\.perRun: must be at least 0/)
  })

  it('an integration takes its defaults from the schema and its vendor profile', () => {
    const config = parseConfig(
      yaml(
        'integrations:',
        '  plain: { url: "https://a.example" }',
        '  harness: { vendor: harness, url: "https://app.harness.io/gateway/ng/api/scim/account/x" }',
        '  tuned:',
        '    vendor: twingate',
        '    url: https://acme.twingate.com/api/scim/v2',
        '    rateLimit: { concurrency: 2 }',
        '    capabilities: { pagination: { pageSize: 25 }, filter: { operators: [eq, sw] } }',
      ),
      'provisio.yaml',
      {},
    )
    expect(config.integrations.plain).toEqual({
      name: 'plain',
      vendor: 'generic',
      url: 'https://a.example',
      auth: { none: true },
      extensionSchemas: false,
      lifecycleManagement: false,
      extractionInterval: 21_600_000,
      deprovision: 'deactivate',
      rateLimit: {},
      allowInsecure: false,
      matching: ['user_name', 'external_id', 'email'],
      capabilities: {},
      limits: DEFAULT_LIMITS,
    })
    // Harness looks users up by email only; its default deprovision stays "deactivate" (flagged destructive by the profile).
    expect(config.integrations.harness).toMatchObject({ matching: ['email'], deprovision: 'deactivate' })
    expect(config.integrations.tuned).toMatchObject({
      rateLimit: { requestsPerSecond: 25, concurrency: 2 },
      capabilities: { pagination: { pageSize: 25 }, filter: { operators: ['eq', 'sw'] } },
    })
  })

  it('accepts the database forms the store accepts, and refuses the others at their position', () => {
    for (const url of ['sqlite::memory:', 'sqlite:///var/lib/provisio.db', 'postgresql://u:p@db/provisio']) {
      expect(parseConfig(`database: "${url}"`, 'p.yaml', {}).database.reveal()).toBe(url)
    }
    expect(
      issuesOf(yaml('secretKey: ${KEY}', 'database: mysql://u:hunter2@db/x'), { KEY: SECRET_KEY }),
    ).toEqual([
      {
        path: 'database',
        line: 2,
        column: 11,
        message: expect.stringMatching(
          /^database "mysql:\/\/u:\*\*\*@db\/x" uses the unsupported scheme "mysql:"/,
        ),
      },
    ])
  })

  it('refuses unknown keys in policies and workflows, and bad templates and conditions, at their paths', () => {
    const issues = issuesOf(
      yaml(
        'sources:',
        '  hr: { kind: webhook, key: id, secret: 0123456789abcdef }',
        'integrations:',
        '  app: { url: "https://a.example" }',
        'policies:',
        '  - name: p',
        '    source: hr',
        '    owner: it-ops',
        '    workflows:',
        '      - on: joiner',
        "        when: 'department eq'",
        '        actions:',
        '          - sync_identity: { integration: app, attributes: { user_name: "{email | lowr}" } }',
        '          - manage_relationships: { integration: app, grups: [a] }',
      ),
    )
    expect(issues.map((i) => i.path)).toEqual([
      'policies[0].owner',
      'policies[0].workflows[0].when',
      'policies[0].workflows[0].actions[0].sync_identity.attributes.user_name',
      'policies[0].workflows[0].actions[1].manage_relationships.grups',
    ])
    expect(issues[2]?.message).toContain('unknown function "lowr" (did you mean "lower"?)')
    expect(issues[3]?.message).toBe('unknown key "grups" (did you mean "groups"?)')
  })
})

describe('configJsonSchema', () => {
  it('describes the file for editors, with defaults and no extra keys', () => {
    const schema = configJsonSchema() as {
      type: string
      additionalProperties: boolean
      properties: Record<string, { default?: unknown; additionalProperties?: unknown }>
    }
    expect(schema.type).toBe('object')
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.properties)).toEqual([
      'database',
      'secretKey',
      'extraction',
      'limits',
      'integrations',
      'sources',
      'policies',
    ])
    expect(schema.properties.database?.default).toBe('sqlite:./provisio.db')
    const integration = schema.properties.integrations?.additionalProperties as {
      properties: Record<string, { enum?: string[]; default?: unknown }>
    }
    expect(integration.properties.vendor?.enum).toContain('twingate')
    expect(integration.properties.vendor?.default).toBe('generic')
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema)
  })
})
