// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
import { describe, expect, it } from 'vitest'
import { endpointUrlProblem, isLoopbackHost, parseConfig } from '../../src/config/index.ts'
import { issuesOf, yaml } from './config-support.ts'

const HTTPS_ONLY = 'must be https (plain http only for loopback addresses or with allowInsecure: true)'

const withUrl = (url: string, ...extra: string[]) =>
  yaml('integrations:', '  app:', `    url: ${url}`, ...extra)

describe('integration URLs', () => {
  it.each([
    'http://localhost:8080/scim/v2',
    'http://127.0.0.1/scim',
    'http://127.9.8.7:1/scim',
    'http://[::1]:8080/scim',
    'http://127.1/scim',
    'http://LOCALHOST/scim',
  ])('accepts plain http on loopback: %s', (url) => {
    expect(endpointUrlProblem(url, false)).toBeUndefined()
    expect(parseConfig(withUrl(url), 'provisio.yaml', {}).integrations.app?.url).toBe(url)
  })

  it.each([
    'http://example.com/scim',
    'http://128.0.0.1/scim',
    'http://10.0.0.5/scim',
    'http://localhost.example.com/scim',
    'http://[::2]/scim',
  ])('refuses plain http elsewhere: %s', (url) => {
    expect(endpointUrlProblem(url, false)).toBe(HTTPS_ONLY)
    expect(issuesOf(withUrl(url))).toEqual([
      { path: 'integrations.app.url', line: 3, column: 10, message: HTTPS_ONLY },
    ])
  })

  it('accepts plain http anywhere with allowInsecure: true', () => {
    const config = parseConfig(
      withUrl('http://scim.internal/v2', '    allowInsecure: true'),
      'provisio.yaml',
      {},
    )
    expect(config.integrations.app).toMatchObject({ url: 'http://scim.internal/v2', allowInsecure: true })
  })

  it('refuses other schemes, relative URLs and credentials in the URL', () => {
    expect(issuesOf(withUrl('ftp://example.com/scim'))[0]?.message).toBe('must be an https URL')
    expect(issuesOf(withUrl('/scim/v2'))[0]?.message).toBe('"/scim/v2" is not an absolute URL')
    expect(issuesOf(withUrl('https://user:pw@example.com/scim'))[0]?.message).toBe(
      'must not contain credentials; put them under auth',
    )
  })

  it('holds the OAuth2 token URL to the same rule', () => {
    const text = yaml(
      'secretKey: ${KEY}',
      'integrations:',
      '  app:',
      '    url: https://example.com/scim',
      '    auth:',
      '      oauth2: { tokenUrl: "http://login.example.com/token", clientId: c, clientSecret: s }',
    )
    expect(issuesOf(text, { KEY: 'k'.repeat(32) })).toEqual([
      { path: 'integrations.app.auth.oauth2.tokenUrl', line: 6, column: 27, message: HTTPS_ONLY },
    ])
  })

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('0.0.0.0')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
  })
})
