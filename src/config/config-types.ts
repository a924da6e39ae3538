/** The validated, resolved and frozen configuration: what `loadConfig` returns. */
import type { CapabilityOverrides } from '../scim/capabilities.ts'
import type { VendorName } from '../vendors/index.ts'
import type { ParsedPolicy } from './policy-schema.ts'
import type { Secret } from './secret.ts'

/** Credentials of an integration; `none` when the file gives no `auth`. */
export type IntegrationAuth =
  | { readonly bearer: Secret }
  | { readonly basic: { readonly username: string; readonly password: Secret } }
  | {
      readonly oauth2: {
        readonly tokenUrl: string
        readonly clientId: string
        readonly clientSecret: Secret
        readonly scope?: string
        readonly audience?: string
      }
    }
  | { readonly none: true }

/** Normalized attributes an account can be matched by, tried in order. */
export type MatchKey = 'user_name' | 'external_id' | 'email' | 'employee_number'

/** Thresholds of one destructive kind; a run above any of them waits for approval. */
export interface LimitThresholds {
  readonly perRun?: number | undefined
  readonly perRunPercent?: number | undefined
  readonly perWindow?: number | undefined
  readonly perWindowPercent?: number | undefined
}

/** Safety limits of an integration: the defaults, the file's top-level `limits`, then its own. */
export interface LimitsConfig {
  /** Milliseconds of the rolling window. */
  readonly window: number
  readonly maxOperations: number
  readonly deactivations: LimitThresholds
  readonly deletions: LimitThresholds
  readonly membershipRemovals: LimitThresholds
  readonly groupDeletions: LimitThresholds
}

export interface IntegrationConfig {
  /** The key under `integrations:`. */
  readonly name: string
  readonly vendor: VendorName
  /** SCIM base URL; https unless loopback or `allowInsecure`. */
  readonly url: string
  readonly auth: IntegrationAuth
  /** Read `/Schemas` and make custom extension attributes extractable and writable. */
  readonly extensionSchemas: boolean
  /** Lifecycle actions may write to this integration (refused until one extraction has succeeded). */
  readonly lifecycleManagement: boolean
  /** Milliseconds between scheduled extractions: the integration's own, else `extraction.interval`. */
  readonly extractionInterval: number
  /** What deprovision_identity does; the vendor profile's default unless set. */
  readonly deprovision: 'deactivate' | 'delete'
  /** Client-side pacing: the file's values over the vendor profile's known limits. */
  readonly rateLimit: { readonly requestsPerSecond?: number; readonly concurrency?: number }
  readonly allowInsecure: boolean
  /** Attributes existing accounts are matched by, in order; limited to what the vendor can look up. */
  readonly matching: readonly MatchKey[]
  /** Overrides from the file only; combine with the profile's through `integrationOverrides`. */
  readonly capabilities: CapabilityOverrides
  readonly limits: LimitsConfig
}

/** What every kind of source has. */
interface SourceCommon {
  /** The key under `sources:`. */
  readonly name: string
  /** The attribute identifying an identity (after column renames). */
  readonly key: string
  /** SCIM filter over source attributes marking leavers; compiled by the policy layer. */
  readonly leaver?: string | undefined
}

/** Character encodings a csv source can be read in. */
export type CsvEncoding = 'utf8' | 'utf16le' | 'latin1'

/** A CSV file with a header row. */
export interface CsvSourceConfig extends SourceCommon {
  readonly kind: 'csv'
  /** As written in the file; relative paths start at `ProvisioConfig.baseDir`. */
  readonly path: string
  /** File column → attribute name; other columns keep their header as name. */
  readonly columns: { readonly [column: string]: string }
  /** One character; default `,`. */
  readonly delimiter: string
  readonly encoding: CsvEncoding
  /** Milliseconds between reads; default 5m. */
  readonly pollInterval: number
}

/** A JSON file: an array of objects, or an object holding that array under `records`. */
export interface JsonSourceConfig extends SourceCommon {
  readonly kind: 'json'
  readonly path: string
  readonly columns: { readonly [member: string]: string }
  /** Member of the top-level object holding the array; default `records`. */
  readonly records: string
  readonly pollInterval: number
}

/** Users of another SCIM service, read as the authority. */
export interface ScimSourceConfig extends SourceCommon {
  readonly kind: 'scim'
  readonly url: string
  readonly auth: IntegrationAuth
  readonly allowInsecure: boolean
  /** SCIM filter sent with the listing of Users. */
  readonly filter?: string | undefined
  readonly pollInterval: number
}

/** Identity records pushed to `POST /sources/<name>/events`, signed with HMAC-SHA256. */
export interface WebhookSourceConfig extends SourceCommon {
  readonly kind: 'webhook'
  readonly secret: Secret
}

/** A source of truth. */
export type SourceConfig = CsvSourceConfig | JsonSourceConfig | ScimSourceConfig | WebhookSourceConfig

/** A policy as validated: every template and condition compiled once at load (src/config/policy-schema.ts). */
export type PolicyConfig = ParsedPolicy
export type WorkflowConfig = PolicyConfig['workflows'][number]
export type WorkflowAction = WorkflowConfig['actions'][number]

export interface ProvisioConfig {
  /** Directory of the configuration file: relative paths in it (SQLite file, CSV sources) start here. */
  readonly baseDir: string
  /**
   * The `database` setting as written (default `sqlite:./provisio.db`), for the store's
   * `openDatabase(url, { baseDir })`; a Secret because a PostgreSQL URL may carry a password.
   */
  readonly database: Secret
  /** Encrypts stored credentials; required as soon as an integration has credentials. */
  readonly secretKey?: Secret
  readonly extraction: {
    /** Milliseconds between scheduled extractions; default 6h. */
    readonly interval: number
  }
  readonly integrations: { readonly [name: string]: IntegrationConfig }
  readonly sources: { readonly [name: string]: SourceConfig }
  readonly policies: readonly PolicyConfig[]
}
