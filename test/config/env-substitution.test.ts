// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { describe, expect, it } from 'vitest'
import { expand } from '../../src/config/env-substitution.ts'
import { authConfigOf, parseConfig } from '../../src/config/index.ts'
import { issuesOf, SECRET_KEY, yaml } from './config-support.ts'

const bearerConfig = (value: string) =>
  yaml(
    'secretKey: ${KEY}',
    'integrations:',
    '  jira:',
    '    url: https://x.example/scim',
    '    auth:',
    `      bearer: ${value}`,
  )

describe('${VAR} substitution', () => {
  it('reads the environment into string values', () => {
    const config = parseConfig(bearerConfig('${TOKEN}'), 'provisio.yaml', { KEY: SECRET_KEY, TOKEN: 'abc' })
    const jira = config.integrations.jira
    expect(jira && authConfigOf(jira)).toEqual({ bearer: 'abc' })
    expect(config.secretKey?.reveal()).toBe(SECRET_KEY)
  })

  it('substitutes inside longer strings and several times', () => {
    expect(expand('https://${HOST}:${PORT}/scim', { HOST: 'h', PORT: '8443' })).toEqual({
      value: 'https://h:8443/scim',
      problems: [],
    })
  })

  it('uses ${VAR:-default} when the variable is unset or empty', () => {
    expect(expand('${A:-x}|${B:-y}|${C:-}', { B: '' }).value).toBe('x|y|')
    expect(expand('${A:-x}', { A: 'set' }).value).toBe('set')
    expect(expand('${A:-with spaces: and colons}', {}).value).toBe('with spaces: and colons')
  })

  it('writes a literal ${ for $${, and leaves other dollars alone', () => {
    expect(expand('$${HOME} costs $5 and $$ and ${X}', { X: 'x', HOME: '/root' })).toEqual({
      value: '${HOME} costs $5 and $$ and x',
      problems: [],
    })
  })

  it('a missing variable is an error naming it and the path where it is used', () => {
    expect(issuesOf(bearerConfig('${JIRA_SCIM_TOKEN}'), { KEY: SECRET_KEY })).toEqual([
      {
        path: 'integrations.jira.auth.bearer',
        line: 6,
        column: 15,
        message:
          'environment variable JIRA_SCIM_TOKEN is not set (write ${JIRA_SCIM_TOKEN:-default} to give a default)',
      },
    ])
  })

  it('reports every missing variable, and nothing else about the values they left empty', () => {
    const issues = issuesOf(bearerConfig('${TOKEN}'), {})
    expect(issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
      ['secretKey', 1, 12],
      ['integrations.jira.auth.bearer', 6, 15],
    ])
    expect(issues.every((issue) => /environment variable (KEY|TOKEN) is not set/.test(issue.message))).toBe(
      true,
    )
  })

  it('rejects malformed placeholders', () => {
    expect(expand('${not valid}', {}).problems).toEqual([
      '"${not valid}" is not a variable reference; write ${NAME} or ${NAME:-default}',
    ])
    expect(expand('abc ${OPEN', {}).problems).toEqual(['unterminated "${" (write $${ for a literal "${")'])
    expect(issuesOf(yaml('database: sqlite:${DIR'))[0]).toMatchObject({
      path: 'database',
      line: 1,
      column: 11,
    })
  })

  it('cannot inject YAML: a value stays one string', () => {
    const injected = 'x\nintegrations:\n  evil:\n    url: http://evil.example'
    const config = parseConfig(
      yaml(
        'secretKey: ${KEY}',
        'integrations:',
        '  jira:',
        '    url: https://x.example/scim',
        '    auth: { bearer: "${T}" }',
      ),
      'provisio.yaml',
      { KEY: SECRET_KEY, T: 'tok', INJECT: injected },
    )
    expect(Object.keys(config.integrations)).toEqual(['jira'])
    const sourced = parseConfig(
      yaml('sources:', '  hr: { kind: csv, key: id, path: "${INJECT}" }'),
      'provisio.yaml',
      { INJECT: injected },
    )
    expect(sourced.sources.hr).toMatchObject({ path: injected })
    expect(Object.keys(sourced.integrations)).toEqual([])
  })

  it('does not touch keys, and leaves non-string scalars as they are', () => {
    const text = yaml('sources:', '  hr:', '    kind: csv', '    ${KEY}: 1', '    path: x.csv', '    key: 3')
    expect(issuesOf(text, { KEY: 'path' })).toEqual([
      {
        path: 'sources.hr["${KEY}"]',
        line: 4,
        column: 5,
        message:
          'unknown key "${KEY}"; expected one of kind, path, key, columns, delimiter, encoding, records, url, auth, allowInsecure, filter, secret, leaver, pollInterval',
      },
      { path: 'sources.hr.key', line: 6, column: 10, message: 'expected a string, got number 3' },
    ])
  })
})
