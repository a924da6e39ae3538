/** Turns the parsed file into a ProvisioConfig: vendor defaults filled in, secrets wrapped, everything frozen. */
import type { AuthConfig } from '../scim/http/auth.ts'
import { vendorProfile } from '../vendors/index.ts'
import { toCapabilityOverrides } from './capabilities-schema.ts'
import { matchableKeys } from './config-rules.ts'
import type { ParsedConfig, ParsedIntegration, ParsedLimits, ParsedSource } from './config-schema.ts'
import type {
  IntegrationAuth,
  IntegrationConfig,
  LimitsConfig,
  MatchKey,
  PolicyConfig,
  ProvisioConfig,
  SourceConfig,
} from './config-types.ts'
import { Secret } from './secret.ts'

/** Matching order when an integration does not give one (limited to what its vendor can look up). */
export const DEFAULT_MATCHING: readonly MatchKey[] = ['user_name', 'external_id', 'email']

/** The resolved, deeply frozen configuration of a parsed file; `baseDir` is the file's directory. */
export function resolveConfig(parsed: ParsedConfig, baseDir: string): ProvisioConfig {
  const interval = parsed.extraction.interval
  const integrations = Object.fromEntries(
    Object.entries(parsed.integrations).map(([name, entry]) => [
      name,
      resolveIntegration(name, entry, interval, parsed.limits),
    ]),
  )
  return deepFreeze({
    baseDir,
    database: new Secret(parsed.database),
    ...(parsed.secretKey === undefined ? {} : { secretKey: new Secret(parsed.secretKey) }),
    extraction: { interval },
    integrations,
    sources: Object.fromEntries(
      Object.entries(parsed.sources).map(([name, entry]) => [name, resolveSource(name, entry)]),
    ),
    policies: parsed.policies as PolicyConfig[],
  })
}

/**
 * Limits when the file sets none: a run may deactivate up to 50 accounts (and 10% of them), delete
 * 10 (2%), remove 1000 memberships and delete 5 groups; four times that over 24 hours; 10,000
 * operations in all. Percentages apply from the 11th operation of a kind on, so that a small
 * directory can still lose one person.
 */
export const DEFAULT_LIMITS: LimitsConfig = {
  window: 24 * 3_600_000,
  maxOperations: 10_000,
  deactivations: { perRun: 50, perRunPercent: 10, perWindow: 200, perWindowPercent: 25 },
  deletions: { perRun: 10, perRunPercent: 2, perWindow: 40, perWindowPercent: 5 },
  membershipRemovals: { perRun: 1000, perWindow: 4000 },
  groupDeletions: { perRun: 5, perWindow: 20 },
}

function resolveLimits(...layers: Array<ParsedLimits | undefined>): LimitsConfig {
  let limits: LimitsConfig = DEFAULT_LIMITS
  for (const layer of layers) {
    if (!layer) continue
    limits = {
      window: layer.window ?? limits.window,
      maxOperations: layer.maxOperations ?? limits.maxOperations,
      deactivations: { ...limits.deactivations, ...layer.deactivations },
      deletions: { ...limits.deletions, ...layer.deletions },
      membershipRemovals: { ...limits.membershipRemovals, ...layer.membershipRemovals },
      groupDeletions: { ...limits.groupDeletions, ...layer.groupDeletions },
    }
  }
  return limits
}

function resolveIntegration(
  name: string,
  entry: ParsedIntegration,
  interval: number,
  globalLimits: ParsedLimits | undefined,
): IntegrationConfig {
  const profile = vendorProfile(entry.vendor)
  const rateLimit = { ...profile.rateLimit }
  if (entry.rateLimit?.requestsPerSecond !== undefined)
    rateLimit.requestsPerSecond = entry.rateLimit.requestsPerSecond
  if (entry.rateLimit?.concurrency !== undefined) rateLimit.concurrency = entry.rateLimit.concurrency
  return {
    name,
    vendor: entry.vendor,
    url: entry.url,
    auth: resolveAuth(entry.auth),
    extensionSchemas: entry.extensionSchemas,
    lifecycleManagement: entry.lifecycleManagement,
    extractionInterval: entry.extractionInterval ?? interval,
    deprovision: entry.deprovision ?? profile.deprovision.defaultMode,
    rateLimit,
    allowInsecure: entry.allowInsecure,
    matching:
      entry.matching ??
      DEFAULT_MATCHING.filter((key) => matchableKeys(profile.identity.matchable).includes(key)),
    capabilities: entry.capabilities ? toCapabilityOverrides(entry.capabilities) : {},
    limits: resolveLimits(globalLimits, entry.limits),
  }
}

/** Polling interval of csv, json and scim sources when the file gives none. */
export const DEFAULT_SOURCE_POLL_INTERVAL = 5 * 60_000

// checkSource has made sure each kind has the keys it needs, hence the `?? ''` never applies.
function resolveSource(name: string, entry: ParsedSource): SourceConfig {
  const common = {
    name,
    key: entry.key ?? (entry.kind === 'scim' ? 'user_name' : ''),
    ...(entry.leaver === undefined ? {} : { leaver: entry.leaver }),
  }
  const pollInterval = entry.pollInterval ?? DEFAULT_SOURCE_POLL_INTERVAL
  switch (entry.kind) {
    case 'csv':
      return {
        ...common,
        kind: 'csv',
        path: entry.path ?? '',
        columns: entry.columns ?? {},
        delimiter: entry.delimiter ?? ',',
        encoding: entry.encoding ?? 'utf8',
        pollInterval,
      }
    case 'json':
      return {
        ...common,
        kind: 'json',
        path: entry.path ?? '',
        columns: entry.columns ?? {},
        records: entry.records ?? 'records',
        pollInterval,
      }
    case 'scim':
      return {
        ...common,
        kind: 'scim',
        url: entry.url ?? '',
        auth: resolveAuth(entry.auth),
        allowInsecure: entry.allowInsecure ?? false,
        ...(entry.filter === undefined ? {} : { filter: entry.filter }),
        pollInterval,
      }
    case 'webhook':
      return { ...common, kind: 'webhook', secret: new Secret(entry.secret ?? '') }
  }
}

function resolveAuth(auth: ParsedIntegration['auth']): IntegrationAuth {
  if (auth?.bearer !== undefined) return { bearer: new Secret(auth.bearer) }
  if (auth?.basic)
    return { basic: { username: auth.basic.username, password: new Secret(auth.basic.password) } }
  if (auth?.oauth2) {
    const { tokenUrl, clientId, clientSecret, scope, audience } = auth.oauth2
    return {
      oauth2: {
        tokenUrl,
        clientId,
        clientSecret: new Secret(clientSecret),
        ...(scope === undefined ? {} : { scope }),
        ...(audience === undefined ? {} : { audience }),
      },
    }
  }
  return { none: true }
}

/** The transport's AuthConfig for an integration: the one place its secrets are revealed. */
export function authConfigOf(integration: Pick<IntegrationConfig, 'auth'>): AuthConfig {
  const { auth } = integration
  if ('bearer' in auth) return { bearer: auth.bearer.reveal() }
  if ('basic' in auth)
    return { basic: { username: auth.basic.username, password: auth.basic.password.reveal() } }
  if ('oauth2' in auth) {
    const { clientSecret, ...rest } = auth.oauth2
    return { oauth2: { ...rest, clientSecret: clientSecret.reveal() } }
  }
  return { none: true }
}

function deepFreeze<T>(value: T): T {
  // Secrets freeze themselves, and their value is a private field anyway.
  if (value && typeof value === 'object' && !(value instanceof Secret)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
