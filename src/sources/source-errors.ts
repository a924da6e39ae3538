/** Named errors of the sources layer; each carries its facts, never a secret. */

/** Why a whole read was refused: the previous snapshot stays in force. */
export type RefusalCode =
  /** The file is missing, unreadable or too large. */
  | 'unreadable'
  /** The file is not CSV or JSON of the expected shape (a stray quote, a syntax error, no array). */
  | 'malformed_file'
  /** Not valid text in the configured encoding: every name with an accent would change. */
  | 'invalid_encoding'
  /** The header has no column for the key attribute. */
  | 'missing_key_column'
  /** Two columns end up with one attribute name. */
  | 'duplicate_column'
  /** No record at all: taking it would make everyone a leaver. */
  | 'empty'
  /** Records, but none usable. */
  | 'no_valid_rows'
  /** The SCIM service could not be read to the end. */
  | 'read_failed'
  /** A webhook source is pushed to, never read. */
  | 'not_readable'

/** A read the state must not follow; the snapshot is refused as a whole. */
export class SourceRefusedError extends Error {
  readonly source: string
  readonly code: RefusalCode
  /** The reason alone, without the source and file the message starts with. */
  readonly reason: string
  readonly file: string | undefined
  readonly line: number | undefined

  constructor(facts: {
    source: string
    code: RefusalCode
    reason: string
    file?: string | undefined
    line?: number | undefined
    cause?: unknown
  }) {
    const where =
      facts.file === undefined ? '' : ` ${facts.file}${facts.line === undefined ? '' : `:${facts.line}`}`
    super(
      `source ${facts.source}${where}: ${facts.reason}`,
      facts.cause === undefined ? undefined : { cause: facts.cause },
    )
    this.name = new.target.name
    this.source = facts.source
    this.code = facts.code
    this.reason = facts.reason
    this.file = facts.file
    this.line = facts.line
  }

  /** The facts as stored with a refused snapshot. */
  toJSON(): { code: RefusalCode; reason: string; file?: string; line?: number } {
    return {
      code: this.code,
      reason: this.reason,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
    }
  }
}

/** A webhook delivery that cannot be applied as a whole (bad JSON, a record without key…). */
export class WebhookPayloadError extends Error {
  readonly source: string
  /** Each item at fault, with its index in the delivery. */
  readonly problems: readonly { readonly index?: number | undefined; readonly reason: string }[]

  constructor(source: string, problems: readonly { index?: number | undefined; reason: string }[]) {
    const first = problems[0]
    const at = first?.index === undefined ? '' : `item ${first.index}: `
    super(
      `source ${source}: delivery refused: ${at}${first?.reason ?? 'invalid'}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    )
    this.name = new.target.name
    this.source = source
    this.problems = problems
  }
}

/** Why a file cannot be opened, in words; the path itself is in the error's file field. */
export function fileError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  return `cannot be read (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)})`
}
