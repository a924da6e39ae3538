/**
 * Rules spanning several keys of provisio.yaml. They run even when other parts of the file are
 * invalid (so every problem is reported at once), hence they read their input defensively.
 */
import type * as z from 'zod'
import { isVendorName, vendorProfile } from '../vendors/index.ts'
import type { MatchKey } from './config-types.ts'
import { endpointUrlProblem } from './url-rules.ts'

type Context = z.core.$RefinementCtx<unknown>

/** Normalized matching attributes and the SCIM attribute each one looks up. */
export const MATCH_ATTRIBUTES: Readonly<Record<MatchKey, string>> = Object.freeze({
  user_name: 'userName',
  external_id: 'externalId',
  email: 'emails.value',
  employee_number: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
})

export const MATCH_KEYS = Object.keys(MATCH_ATTRIBUTES) as [MatchKey, ...MatchKey[]]

/** An integration's URLs, matching attributes and deprovision mode against its vendor profile. */
export function checkIntegration(value: unknown, ctx: Context): void {
  if (!isRecord(value)) return
  const allowInsecure = value.allowInsecure === true
  if (typeof value.url === 'string') {
    const problem = endpointUrlProblem(value.url, allowInsecure)
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem })
  }
  const oauth2 = isRecord(value.auth) && isRecord(value.auth.oauth2) ? value.auth.oauth2 : undefined
  if (typeof oauth2?.tokenUrl === 'string') {
    const problem = endpointUrlProblem(oauth2.tokenUrl, allowInsecure)
    if (problem) ctx.addIssue({ code: 'custom', path: ['auth', 'oauth2', 'tokenUrl'], message: problem })
  }
  if (typeof value.vendor !== 'string' || !isVendorName(value.vendor)) return
  const profile = vendorProfile(value.vendor)
  if (Array.isArray(value.matching)) {
    value.matching.forEach((key: unknown, index) => {
      if (typeof key !== 'string' || !Object.hasOwn(MATCH_ATTRIBUTES, key)) return
      if (!profile.identity.matchable.includes(MATCH_ATTRIBUTES[key as MatchKey])) {
        ctx.addIssue({
          code: 'custom',
          path: ['matching', index],
          message: `${profile.displayName} cannot look users up by ${key}; it can by ${matchableKeys(profile.identity.matchable).join(', ')}`,
        })
      }
    })
  }
  const mode = value.deprovision
  const effect = mode === 'delete' ? profile.deprovision.delete : profile.deprovision.deactivate
  if ((mode === 'delete' || mode === 'deactivate') && effect === 'unsupported') {
    ctx.addIssue({
      code: 'custom',
      path: ['deprovision'],
      message: `${profile.displayName} cannot ${mode} users`,
    })
  }
}

/** The matching keys whose SCIM attribute is among `matchable`, in MATCH_KEYS order. */
export function matchableKeys(matchable: readonly string[]): MatchKey[] {
  return MATCH_KEYS.filter((key) => matchable.includes(MATCH_ATTRIBUTES[key]))
}

/** The secret key when credentials need it, and every reference between policies, sources and integrations. */
export function checkConfig(value: unknown, ctx: Context): void {
  if (!isRecord(value)) return
  const integrations = isRecord(value.integrations) ? value.integrations : {}
  if (value.secretKey === undefined) {
    const withCredentials = Object.keys(integrations).find((name) => {
      const entry = integrations[name]
      return isRecord(entry) && isRecord(entry.auth) && Object.keys(entry.auth).length > 0
    })
    if (withCredentials !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretKey'],
        message: `required because integration "${withCredentials}" has credentials, which are encrypted at rest with it; generate one with: openssl rand -hex 32`,
        params: { at: ['integrations', withCredentials, 'auth'] },
      })
    }
  }
  if (!Array.isArray(value.policies)) return
  const sources = isRecord(value.sources) ? Object.keys(value.sources) : []
  const seen = new Set<string>()
  value.policies.forEach((policy: unknown, p) => {
    if (!isRecord(policy)) return
    if (typeof policy.name === 'string') {
      if (seen.has(policy.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', p, 'name'],
          message: `another policy is named "${policy.name}"`,
        })
      }
      seen.add(policy.name)
    }
    if (typeof policy.source === 'string' && !sources.includes(policy.source)) {
      ctx.addIssue({
        code: 'custom',
        path: ['policies', p, 'source'],
        message: unknownName('source', policy.source, sources),
      })
    }
    checkActions(policy.workflows, ['policies', p, 'workflows'], Object.keys(integrations), ctx)
  })
}

function checkActions(
  workflows: unknown,
  path: (string | number)[],
  integrations: string[],
  ctx: Context,
): void {
  if (!Array.isArray(workflows)) return
  workflows.forEach((workflow: unknown, w) => {
    if (!isRecord(workflow) || !Array.isArray(workflow.actions)) return
    workflow.actions.forEach((action: unknown, a) => {
      if (!isRecord(action)) return
      for (const [name, body] of Object.entries(action)) {
        if (!isRecord(body) || typeof body.integration !== 'string') continue
        if (integrations.includes(body.integration)) continue
        ctx.addIssue({
          code: 'custom',
          path: [...path, w, 'actions', a, name, 'integration'],
          message: unknownName('integration', body.integration, integrations),
        })
      }
    })
  })
}

function unknownName(kind: string, name: string, known: string[]): string {
  const defined = known.length > 0 ? `defined ${kind}s: ${known.join(', ')}` : `no ${kind}s are defined`
  return `unknown ${kind} "${name}"; ${defined}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
