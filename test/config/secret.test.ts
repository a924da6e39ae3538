// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { authConfigOf, loadConfig, parseConfig, Secret } from '../../src/config/index.ts'
import { SECRET_KEY, yaml } from './config-support.ts'

const SECRETS = {
  KEY: SECRET_KEY,
  BEARER: 'bearer-secret-1',
  PASSWORD: 'password-secret-2',
  CLIENT_SECRET: 'client-secret-3',
  PG_PASSWORD: 'pg-secret-4',
}

const text = yaml(
  'database: postgres://provisio:${PG_PASSWORD}@db.example.com/provisio',
  'secretKey: ${KEY}',
  'integrations:',
  '  a: { url: "https://a.example", auth: { bearer: "${BEARER}" } }',
  '  b: { url: "https://b.example", auth: { basic: { username: admin, password: "${PASSWORD}" } } }',
  '  c:',
  '    url: https://c.example',
  '    auth:',
  '      oauth2:',
  '        tokenUrl: https://login.example/token',
  '        clientId: provisio',
  '        clientSecret: ${CLIENT_SECRET}',
  '        scope: scim',
)

describe('Secret', () => {
  it('prints [redacted] every way it can be printed, and reveals on request', () => {
    const secret = new Secret('hunter2')
    expect(String(secret)).toBe('[redacted]')
    expect(`${secret}`).toBe('[redacted]')
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}')
    expect(inspect(secret)).toBe('[redacted]')
    expect(Object.keys(secret)).toEqual([])
    expect(secret.reveal()).toBe('hunter2')
    expect(Object.isFrozen(secret)).toBe(true)
  })

  it('no secret of a configuration shows in JSON, util.inspect or String', () => {
    const config = parseConfig(text, 'provisio.yaml', SECRETS)
    const printed = [
      JSON.stringify(config),
      inspect(config, { depth: null, showHidden: true }),
      String(config.secretKey),
      String(config.integrations.a?.auth && Object.values(config.integrations.a.auth)[0]),
    ]
    for (const output of printed) {
      for (const value of Object.values(SECRETS)) expect(output).not.toContain(value)
    }
    expect(JSON.stringify({ database: config.database })).toBe('{"database":"[redacted]"}')
  })

  it('authConfigOf reveals into the transport shape', () => {
    const config = parseConfig(text, 'provisio.yaml', SECRETS)
    const [a, b, c] = ['a', 'b', 'c'].map((name) => config.integrations[name])
    expect(a && authConfigOf(a)).toEqual({ bearer: 'bearer-secret-1' })
    expect(b && authConfigOf(b)).toEqual({ basic: { username: 'admin', password: 'password-secret-2' } })
    expect(c && authConfigOf(c)).toEqual({
      oauth2: {
        tokenUrl: 'https://login.example/token',
        clientId: 'provisio',
        clientSecret: 'client-secret-3',
        scope: 'scim',
      },
    })
    const open = parseConfig('integrations: { s: { url: "http://localhost:1/scim" } }', 'provisio.yaml', {})
    expect(open.integrations.s && authConfigOf(open.integrations.s)).toEqual({ none: true })
    expect(config.database.reveal()).toBe('postgres://provisio:pg-secret-4@db.example.com/provisio')
  })

  it('a secret with a line break is refused', () => {
    expect(() => parseConfig(text, 'provisio.yaml', { ...SECRETS, BEARER: 'abc\n' })).toThrow(
      /integrations\.a\.auth\.bearer: must not contain a line break/,
    )
  })
})

describe('the resolved configuration is deeply frozen', () => {
  it('at every level, sources and policies included', async () => {
    const config = await loadConfig('examples/provisio.yaml', {
      PROVISIO_SECRET_KEY: SECRET_KEY,
      JIRA_SCIM_TOKEN: 'j',
      ZAPIER_SCIM_TOKEN: 'z',
      TWINGATE_SCIM_TOKEN: 't',
      THOUSANDEYES_TOKEN: 'te',
    })
    const seen: unknown[] = []
    const walk = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return
      seen.push(value)
      expect(Object.isFrozen(value)).toBe(true)
      for (const child of Object.values(value)) walk(child)
    }
    walk(config)
    expect(seen.length).toBeGreaterThan(50)
    expect(() => {
      ;(config as { database: unknown }).database = 'sqlite::memory:'
    }).toThrow(TypeError)
    expect(() => {
      ;(config.integrations.jira!.matching as string[]).push('email')
    }).toThrow(TypeError)
  })
})
