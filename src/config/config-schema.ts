// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
/**
 * The zod schema of provisio.yaml. Structure and defaults live here; rules spanning several keys are
 * in config-rules.ts, and turning the parsed file into a ProvisioConfig is config-resolve.ts.
 */
import * as z from 'zod'
import { parseDatabaseUrl } from '../store/database-url.ts'
import { StoreConfigError } from '../store/errors.ts'
import { MIN_PASSPHRASE_LENGTH } from '../store/secret-box.ts'
import { VENDOR_NAMES } from '../vendors/index.ts'
import { capabilityOverridesSchema } from './capabilities-schema.ts'
import { checkConfig, checkIntegration, MATCH_KEYS } from './config-rules.ts'
import { DurationError, parseDuration } from './durations.ts'
import { policySchema } from './policy-schema.ts'
import { CSV_ENCODINGS, checkSource, SOURCE_KINDS } from './source-rules.ts'

const always = { when: () => true }

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const nameOf = (what: string) =>
  z.string().regex(NAME, `${what} names use letters, digits, "-" and "_", and start with a letter or digit`)

/** A duration such as `30s`, `15m`, `6h`, `1d`, parsed to milliseconds. */
const duration = z
  .string({ error: 'expected a duration with a unit, e.g. 30s, 15m, 6h or 1d' })
  .transform((text, ctx) => {
    try {
      const ms = parseDuration(text)
      if (ms > 0) return ms
      ctx.addIssue({ code: 'custom', message: 'must be longer than zero' })
    } catch (error) {
      if (!(error instanceof DurationError)) throw error
      ctx.addIssue({ code: 'custom', message: error.message })
    }
    return z.NEVER
  })

/** A credential; wrapped in a Secret by config-resolve.ts. */
const secretText = z
  .string()
  .min(1, 'must not be empty')
  .refine((text) => !/[\r\n]/.test(text), 'must not contain a line break')

const database = z
  .string()
  .superRefine((text, ctx) => {
    try {
      // The store's own parser, so the file is refused here, with a position, for what the store would refuse.
      parseDatabaseUrl(text)
    } catch (error) {
      if (!(error instanceof StoreConfigError)) throw error
      ctx.addIssue({ code: 'custom', message: error.message })
    }
  })
  .describe(
    'sqlite:<file> for the embedded store (relative to this file), postgres://… to share it between machines',
  )

// Line breaks are fine here: the store trims the key, and it never goes into a header.
const secretKey = z
  .string()
  .refine(
    (text) => [...text.trim().normalize('NFC')].length >= MIN_PASSPHRASE_LENGTH,
    `must be at least ${MIN_PASSPHRASE_LENGTH} characters; generate a random key with: openssl rand -hex 32`,
  )
  .describe(
    'Encrypts stored credentials; usually ${PROVISIO_SECRET_KEY}. Generate with: openssl rand -hex 32',
  )

const auth = z
  .strictObject({
    bearer: secretText.optional().describe('Bearer token, e.g. ${JIRA_SCIM_TOKEN}'),
    basic: z
      .strictObject({ username: z.string().min(1, 'must not be empty'), password: secretText })
      .optional(),
    oauth2: z
      .strictObject({
        tokenUrl: z.string(),
        clientId: z.string().min(1, 'must not be empty'),
        clientSecret: secretText,
        scope: z.string().optional(),
        audience: z.string().optional(),
      })
      .optional()
      .describe('OAuth2 client credentials grant'),
  })
  .superRefine((value, ctx) => {
    const given = ['bearer', 'basic', 'oauth2'].filter((key) => key in value)
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0 ? 'give one of bearer, basic, oauth2' : `give only one of ${given.join(', ')}`,
      })
    }
  })
  .describe('Exactly one of bearer, basic, oauth2')

const thresholds = z
  .strictObject({
    perRun: z.int().nonnegative().optional().describe('Most such operations in one run'),
    perRunPercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe("Most in one run, as % of the integration's accounts"),
    perWindow: z.int().nonnegative().optional().describe('Most over the rolling window, this run included'),
    perWindowPercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Most over the window, as % of accounts'),
  })
  .describe('Thresholds above which a run waits for `provisio apply --approve RUN`')

/** Safety limits on destructive operations; integration values override the top-level ones key by key. */
const limits = z
  .strictObject({
    window: duration.optional().describe('The rolling window of the perWindow thresholds; default 24h'),
    maxOperations: z
      .int()
      .positive()
      .optional()
      .describe('Most operations of any kind in one run; default 10000'),
    deactivations: thresholds.optional(),
    deletions: thresholds.optional(),
    membershipRemovals: thresholds.optional(),
    groupDeletions: thresholds.optional(),
  })
  .describe('Safety limits: a run over any of them waits for approval')

const integration = z
  .strictObject({
    vendor: z
      .enum(VENDOR_NAMES, {
        error: (issue) =>
          `unknown vendor ${JSON.stringify(issue.input)}; known vendors: ${VENDOR_NAMES.join(', ')}`,
      })
      .default('generic')
      .describe('Vendor profile encoding how this target really behaves'),
    url: z.string().describe('SCIM base URL; https (plain http only for loopback or with allowInsecure)'),
    auth: auth.optional(),
    extensionSchemas: z
      .boolean()
      .default(false)
      .describe('Read /Schemas and handle custom extension attributes'),
    lifecycleManagement: z
      .boolean()
      .default(false)
      .describe('Allow lifecycle actions to write here (refused until one extraction has succeeded)'),
    extractionInterval: duration.optional().describe('Overrides extraction.interval for this integration'),
    deprovision: z
      .enum(['deactivate', 'delete'])
      .optional()
      .describe(
        "What deprovision_identity does; default: the vendor profile's (deactivate for all known vendors)",
      ),
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().positive().optional(),
        concurrency: z.int().positive().optional(),
      })
      .optional()
      .describe("Client-side pacing; default: the vendor profile's known limits"),
    allowInsecure: z.boolean().default(false).describe('Accept plain http on a non-loopback address'),
    matching: z
      .array(z.enum(MATCH_KEYS))
      .min(1, 'needs at least one attribute')
      .optional()
      .describe('Attributes existing accounts are matched by; default [user_name, external_id, email]'),
    capabilities: capabilityOverridesSchema.optional(),
    limits: limits.optional(),
  })
  .superRefine(checkIntegration, always)

/** An attribute name usable in templates and SCIM filters (RFC 7644 ATTRNAME). */
const attributeName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]*$/,
    'attribute names start with a letter and use letters, digits, "-" and "_"',
  )

// One object with every key of every kind rather than a union: errors then name the key at fault
// (with a suggestion for a typo) instead of "no union member matched"; checkSource does the rest.
const source = z
  .strictObject({
    kind: z.enum(SOURCE_KINDS).describe('csv | json | scim | webhook'),
    path: z
      .string()
      .min(1, 'must not be empty')
      .optional()
      .describe('csv, json: the file, relative to this one'),
    key: z.string().min(1, 'must not be empty').optional().describe('Attribute identifying an identity'),
    columns: z
      .record(z.string().min(1, 'must not be empty'), attributeName)
      .optional()
      .describe('csv, json: renames, file column → attribute name'),
    delimiter: z
      .string()
      .length(1, 'must be one character')
      .refine((text) => !/["\r\n]/.test(text), 'must not be a quote or a line break')
      .optional()
      .describe('csv: field delimiter; default ","'),
    encoding: z.enum(CSV_ENCODINGS).optional().describe('csv: character encoding; default utf8'),
    records: z.string().min(1, 'must not be empty').optional().describe('json: member holding the array'),
    url: z.string().optional().describe('scim: SCIM base URL of the authority'),
    auth: auth.optional(),
    allowInsecure: z.boolean().optional().describe('scim: accept plain http on a non-loopback address'),
    filter: z.string().optional().describe('scim: SCIM filter for the Users read'),
    secret: secretText.optional().describe('webhook: HMAC-SHA256 key of the signature header'),
    leaver: z.string().optional().describe('SCIM filter over source attributes marking leavers'),
    pollInterval: duration.optional().describe('How often the source is read; default 5m'),
  })
  .superRefine(checkSource, always)

/** The whole file, before resolution: defaults applied, secrets still plain strings. */
export const configSchema = z
  .strictObject({
    database: database.default('sqlite:./provisio.db'),
    secretKey: secretKey.optional(),
    extraction: z
      .strictObject({ interval: duration.prefault('6h').describe('How often integrations are extracted') })
      .prefault({}),
    limits: limits.optional(),
    integrations: z.record(nameOf('integration'), integration).default({}),
    sources: z.record(nameOf('source'), source).default({}),
    policies: z.array(policySchema).default([]),
  })
  .superRefine(checkConfig, always)

export type ParsedConfig = z.output<typeof configSchema>
export type ParsedIntegration = z.output<typeof integration>
export type ParsedSource = z.output<typeof source>
export type ParsedLimits = z.output<typeof limits>

/** JSON Schema of provisio.yaml, for editor completion (yaml-language-server). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
}
