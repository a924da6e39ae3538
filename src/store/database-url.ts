/** Parsing of the `database` setting into what each driver needs, and masking of passwords in it. */
import { isAbsolute, resolve } from 'node:path'
import { StoreConfigError } from './errors.ts'

/** Where the data lives, as parsed from the `database` setting; a SQLite filename is absolute or `:memory:`. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string }

/** The forms `database` accepts, quoted in every error about it. */
export const ACCEPTED_DATABASE_FORMS =
  'sqlite:./relative/path.db, sqlite:/absolute/path.db, sqlite::memory:, ' +
  'postgres://user:password@host:5432/database (or postgresql://…)'

/** Masks the password of a URL (`user:***@`, and a `password=` query parameter) for errors and logs. */
export function redactDatabaseUrl(url: string): string {
  let out = url
  // The last '@' ends the user info even when an unencoded '@' sits in the password; without
  // `://` (a typo'd scheme) everything from the first ':' to that '@' is masked, erring on safety.
  const scheme = out.indexOf('://')
  const start = scheme >= 0 ? scheme + 3 : 0
  const at = out.lastIndexOf('@')
  const colon = out.indexOf(':', start)
  if (at > start && colon >= 0 && colon < at) out = `${out.slice(0, colon + 1)}***${out.slice(at)}`
  return out.replace(/([?&]password=)[^&#]*/gi, '$1***')
}

function configError(value: string, problem: string): StoreConfigError {
  return new StoreConfigError(
    `database "${redactDatabaseUrl(value)}" ${problem}; accepted forms: ${ACCEPTED_DATABASE_FORMS}`,
  )
}

function parseSqlite(value: string, rest: string, baseDir: string): DatabaseTarget {
  if (rest === ':memory:') return { dialect: 'sqlite', filename: ':memory:' }
  let path = rest
  if (path.startsWith('//')) {
    // `sqlite:///abs.db` is the familiar URL spelling of an absolute path; `sqlite://x.db` would
    // silently mean a file at the root of the disk, so it is refused rather than guessed.
    if (!path.startsWith('///')) throw configError(value, 'has a host part, which SQLite has no use for')
    path = path.slice(2)
  }
  if (path.trim() === '') throw configError(value, 'names no file')
  if (path.includes('\0')) throw configError(value, 'contains a NUL character')
  return { dialect: 'sqlite', filename: isAbsolute(path) ? path : resolve(baseDir, path) }
}

function parsePostgres(value: string): DatabaseTarget {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw configError(value, 'is not a valid URL')
  }
  if (url.hostname === '' && !url.searchParams.has('host')) throw configError(value, 'names no host')
  return { dialect: 'postgres', connectionString: value }
}

/**
 * Parses the `database` setting. Relative SQLite paths are resolved against `baseDir` (the
 * directory of the configuration file, so the file does not move with the working directory).
 */
export function parseDatabaseUrl(value: string, baseDir: string = process.cwd()): DatabaseTarget {
  const trimmed = value.trim()
  const lower = trimmed.toLowerCase()
  if (lower.startsWith('sqlite:')) return parseSqlite(value, trimmed.slice('sqlite:'.length), baseDir)
  if (lower.startsWith('postgres://') || lower.startsWith('postgresql://')) return parsePostgres(trimmed)
  if (lower.startsWith('file:')) {
    // SQLite's own `file:` URIs carry options (`?mode=ro`) this parser would silently drop.
    throw configError(value, 'uses file:, which is ambiguous; write sqlite:<path> instead')
  }
  if (trimmed === '') throw configError(value, 'is empty')
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]
  throw configError(value, scheme ? `uses the unsupported scheme "${scheme}:"` : 'has no scheme')
}
