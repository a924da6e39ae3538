/**
 * Rules of a `sources:` entry that depend on its kind: which keys a kind takes and needs, the SCIM
 * source's URL and filter, the webhook secret's strength, column renames. Like config-rules.ts
 * they run even when other parts of the entry are invalid, so they read their input defensively.
 */
import type * as z from 'zod'
import { parseFilter } from '../scim/filter/filter-parser.ts'
import { endpointUrlProblem } from './url-rules.ts'

type Context = z.core.$RefinementCtx<unknown>

export const SOURCE_KINDS = ['csv', 'json', 'scim', 'webhook'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]

export const CSV_ENCODINGS = ['utf8', 'utf16le', 'latin1'] as const

/** A webhook secret shorter than this could be guessed from a signed request offline. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16

/** The keys each kind takes, and which of them it needs. */
const KIND_KEYS: Readonly<Record<SourceKind, { takes: readonly string[]; needs: readonly string[] }>> = {
  csv: {
    takes: ['kind', 'path', 'key', 'columns', 'delimiter', 'encoding', 'leaver', 'pollInterval'],
    needs: ['path', 'key'],
  },
  json: {
    takes: ['kind', 'path', 'key', 'columns', 'records', 'leaver', 'pollInterval'],
    needs: ['path', 'key'],
  },
  scim: {
    takes: ['kind', 'url', 'auth', 'allowInsecure', 'key', 'filter', 'leaver', 'pollInterval'],
    needs: ['url'],
  },
  webhook: { takes: ['kind', 'secret', 'key', 'leaver'], needs: ['secret', 'key'] },
}

/** The keys a kind of source takes, for messages and documentation. */
export function sourceKeysOf(kind: SourceKind): readonly string[] {
  return KIND_KEYS[kind].takes
}

/** Checks one `sources:` entry against the rules of its kind. */
export function checkSource(value: unknown, ctx: Context): void {
  if (!isRecord(value)) return
  const kind = value.kind
  if (typeof kind !== 'string' || !(SOURCE_KINDS as readonly string[]).includes(kind)) return
  const { takes, needs } = KIND_KEYS[kind as SourceKind]
  for (const key of Object.keys(value)) {
    // Keys no kind takes are already reported as unknown by the strict schema.
    if (takes.includes(key) || !isKnownKey(key)) continue
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `"${key}" does not apply to a ${kind} source; it takes ${takes.filter((k) => k !== 'kind').join(', ')}`,
      params: { atKey: true },
    })
  }
  for (const key of needs) {
    if (value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required' })
  }
  if (kind === 'scim') checkScimSource(value, ctx)
  if (kind === 'webhook' && typeof value.secret === 'string') {
    if ([...value.secret].length < MIN_WEBHOOK_SECRET_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters; generate one with: openssl rand -hex 32`,
      })
    }
  }
  if (isRecord(value.columns)) checkColumns(value.columns, ctx)
}

function checkScimSource(value: Record<string, unknown>, ctx: Context): void {
  if (typeof value.url === 'string') {
    const problem = endpointUrlProblem(value.url, value.allowInsecure === true)
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem })
  }
  const oauth2 = isRecord(value.auth) && isRecord(value.auth.oauth2) ? value.auth.oauth2 : undefined
  if (typeof oauth2?.tokenUrl === 'string') {
    const problem = endpointUrlProblem(oauth2.tokenUrl, value.allowInsecure === true)
    if (problem) ctx.addIssue({ code: 'custom', path: ['auth', 'oauth2', 'tokenUrl'], message: problem })
  }
  if (typeof value.filter === 'string') {
    try {
      parseFilter(value.filter)
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['filter'],
        message: `not a SCIM filter: ${error instanceof Error ? error.message : String(error)}`,
      })
    }
  }
}

/** Two columns renamed to one attribute would make one of them silently win. */
function checkColumns(columns: Record<string, unknown>, ctx: Context): void {
  const seen = new Map<string, string>()
  for (const [column, name] of Object.entries(columns)) {
    if (typeof name !== 'string') continue
    const other = seen.get(name)
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns', column],
        message: `"${other}" is renamed to "${name}" too; each attribute can come from one column only`,
      })
    }
    seen.set(name, column)
  }
}

function isKnownKey(key: string): boolean {
  return Object.values(KIND_KEYS).some(({ takes }) => takes.includes(key))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
