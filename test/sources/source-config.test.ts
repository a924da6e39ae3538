// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { authConfigOf, parseConfig, Secret } from '../../src/config/index.ts'
import { issuesOf, yaml } from '../config/config-support.ts'

const sources = (...lines: string[]) => yaml('sources:', ...lines)

describe('sources: in provisio.yaml', () => {
  it('resolves each kind with its defaults', () => {
    const config = parseConfig(
      sources(
        '  hr:',
        '    kind: csv',
        '    path: ./hr/people.csv',
        '    key: employee_id',
        '    columns: { "Employee ID": employee_id, Dept: department }',
        "    delimiter: ';'",
        '    encoding: latin1',
        '    leaver: status eq "terminated"',
        '    pollInterval: 1m',
        '  feed: { kind: json, path: feed.json, key: id }',
        '  directory:',
        '    kind: scim',
        '    url: https://directory.example.com/scim/v2',
        "    auth: { bearer: '${DIRECTORY_TOKEN}' }",
        '    filter: active eq true',
        '  pushed: { kind: webhook, key: id, secret: "${HOOK_SECRET}" }',
      ),
      '/etc/provisio/provisio.yaml',
      { DIRECTORY_TOKEN: 'directory-token-1', HOOK_SECRET: 'hook-secret-0123456789' },
    )
    expect(config.sources.hr).toEqual({
      name: 'hr',
      kind: 'csv',
      path: './hr/people.csv',
      key: 'employee_id',
      columns: { 'Employee ID': 'employee_id', Dept: 'department' },
      delimiter: ';',
      encoding: 'latin1',
      leaver: 'status eq "terminated"',
      pollInterval: 60_000,
    })
    expect(config.sources.feed).toEqual({
      name: 'feed',
      kind: 'json',
      path: 'feed.json',
      key: 'id',
      columns: {},
      records: 'records',
      pollInterval: 300_000,
    })
    const directory = config.sources.directory
    expect(directory).toMatchObject({ kind: 'scim', key: 'user_name', filter: 'active eq true' })
    if (directory?.kind !== 'scim') throw new Error('expected a scim source')
    expect(authConfigOf(directory)).toEqual({ bearer: 'directory-token-1' })
    const pushed = config.sources.pushed
    if (pushed?.kind !== 'webhook') throw new Error('expected a webhook source')
    expect(pushed.secret).toBeInstanceOf(Secret)
    expect(pushed.secret.reveal()).toBe('hook-secret-0123456789')
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })}`
    expect(printed).not.toContain('hook-secret-0123456789')
    expect(printed).not.toContain('directory-token-1')
  })

  it('reports keys a kind needs, at the source', () => {
    expect(issuesOf(sources('  hr:', '    kind: csv', '    key: id'))).toEqual([
      { path: 'sources.hr.path', line: 2, column: 3, message: 'required' },
    ])
    expect(issuesOf(sources('  hook: { kind: webhook }'))).toEqual([
      { path: 'sources.hook.secret', line: 2, column: 3, message: 'required' },
      { path: 'sources.hook.key', line: 2, column: 3, message: 'required' },
    ])
    expect(issuesOf(sources('  dir: { kind: scim }'))).toEqual([
      { path: 'sources.dir.url', line: 2, column: 3, message: 'required' },
    ])
  })

  it('reports keys of another kind at the key, and typos with a suggestion', () => {
    expect(
      issuesOf(sources('  hr:', '    kind: json', '    path: a.json', '    key: id', "    delimiter: ';'")),
    ).toEqual([
      {
        path: 'sources.hr.delimiter',
        line: 6,
        column: 5,
        message:
          '"delimiter" does not apply to a json source; it takes path, key, columns, records, leaver, pollInterval',
      },
    ])
    expect(
      issuesOf(sources('  hr:', '    kind: csv', '    path: a.csv', '    key: id', "    delimeter: ';'")),
    ).toEqual([
      {
        path: 'sources.hr.delimeter',
        line: 6,
        column: 5,
        message: 'unknown key "delimeter" (did you mean "delimiter"?)',
      },
    ])
    expect(
      issuesOf(sources('  hook: { kind: webhook, key: id, secret: 0123456789abcdef, pollInterval: 1m }')),
    ).toEqual([
      {
        path: 'sources.hook.pollInterval',
        line: 2,
        column: 61,
        message: '"pollInterval" does not apply to a webhook source; it takes secret, key, leaver',
      },
    ])
  })

  it('reports bad values with their position', () => {
    const text = sources(
      '  a: { kind: ldap, path: x, key: id }',
      '  b: { kind: csv, path: x, key: id, delimiter: ";;", pollInterval: soon }',
      '  c: { kind: csv, path: x, key: id, columns: { "First Name": first name, Given: given_name, Prénom: given_name } }',
      '  d: { kind: webhook, key: id, secret: short }',
      '  e: { kind: scim, url: "http://directory.example.com/scim", filter: "active eq" }',
      '  f: { kind: json, path: "", key: id }',
    )
    expect(issuesOf(text)).toEqual([
      {
        path: 'sources.a.kind',
        line: 2,
        column: 14,
        message: 'expected one of "csv", "json", "scim", "webhook"',
      },
      { path: 'sources.b.delimiter', line: 3, column: 48, message: 'must be one character' },
      {
        path: 'sources.b.pollInterval',
        line: 3,
        column: 68,
        message: expect.stringMatching(/^"soon" is not a duration/),
      },
      {
        path: 'sources.c.columns["First Name"]',
        line: 4,
        column: 62,
        message: 'attribute names start with a letter and use letters, digits, "-" and "_"',
      },
      {
        path: 'sources.c.columns["Prénom"]',
        line: 4,
        column: 101,
        message: '"Given" is renamed to "given_name" too; each attribute can come from one column only',
      },
      {
        path: 'sources.d.secret',
        line: 5,
        column: 40,
        message: 'must be at least 16 characters; generate one with: openssl rand -hex 32',
      },
      {
        path: 'sources.e.url',
        line: 6,
        column: 25,
        message: 'must be https (plain http only for loopback addresses or with allowInsecure: true)',
      },
      {
        path: 'sources.e.filter',
        line: 6,
        column: 70,
        message: expect.stringMatching(/^not a SCIM filter: /),
      },
      { path: 'sources.f.path', line: 7, column: 26, message: 'must not be empty' },
    ])
  })

  it('reports a scim source whose auth gives no or two methods', () => {
    const text = sources(
      '  dir:',
      '    kind: scim',
      '    url: https://directory.example.com/scim/v2',
      '    auth: { bearer: a, basic: { username: u, password: p } }',
    )
    expect(issuesOf(text)).toEqual([
      { path: 'sources.dir.auth', line: 5, column: 11, message: 'give only one of bearer, basic' },
    ])
  })
})
