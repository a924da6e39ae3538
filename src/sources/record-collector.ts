/**
 * Gathers the records of one read and decides what is kept: a row without key is reported and
 * left out; rows sharing a key are all left out and the key is held (its stored state stays as it
 * is, since nobody can tell which row is right); a read with no usable record is refused.
 */
import { SourceRefusedError } from './source-errors.ts'
import type {
  IdentityRecord,
  ProblemCode,
  SourceAttributes,
  SourceProblem,
  SourceRead,
} from './source-types.ts'

/** A key value as text: strings trimmed, finite numbers written out; anything else is no key. */
export function keyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

export class RecordCollector {
  readonly #source: string
  readonly #file: string | undefined
  readonly #records = new Map<string, IdentityRecord>()
  readonly #held = new Set<string>()
  readonly problems: SourceProblem[] = []
  /** Rows offered, usable or not. */
  #rows = 0

  constructor(source: string, file?: string) {
    this.#source = source
    this.#file = file
  }

  /** Offers one record whose key attribute holds `rawKey`; a key that is not text or a number is malformed. */
  add(rawKey: unknown, attributes: SourceAttributes, line?: number, keyName = 'key'): void {
    this.#rows += 1
    const key = keyText(rawKey)
    if (key === undefined) {
      const malformed = rawKey !== undefined && rawKey !== null && typeof rawKey !== 'string'
      this.problem(
        malformed ? 'malformed_record' : 'missing_key',
        malformed
          ? `the key attribute "${keyName}" is ${Array.isArray(rawKey) ? 'a list' : typeof rawKey}, not text or a number; row skipped`
          : `no value for the key attribute "${keyName}"; row skipped`,
        line,
      )
      return
    }
    const first = this.#records.get(key)
    if (first !== undefined || this.#held.has(key)) {
      const firstLine = first?.line === undefined ? '' : ` (first on line ${first.line})`
      this.problem(
        'duplicate_key',
        `key "${key}" appears more than once${firstLine}; every row with it is skipped and the identity keeps its previous state`,
        line,
        key,
      )
      this.#records.delete(key)
      this.#held.add(key)
      return
    }
    this.#records.set(key, line === undefined ? { key, attributes } : { key, attributes, line })
  }

  /** Counts a row that is not a record; `key`, when it can be read, is held rather than made a leaver. */
  reject(code: ProblemCode, reason: string, line?: number, key?: string): void {
    this.#rows += 1
    this.problem(code, reason, line, key)
    if (key !== undefined) {
      this.#records.delete(key)
      this.#held.add(key)
    }
  }

  /** Records a problem that concerns no row in particular (a missing renamed column, say). */
  problem(code: ProblemCode, reason: string, line?: number, key?: string): void {
    this.problems.push({
      source: this.#source,
      ...(this.#file === undefined ? {} : { file: this.#file }),
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
      code,
      reason,
    })
  }

  /** The read: refused when it has no usable record, since everyone would then be a leaver. */
  finish(): SourceRead {
    if (this.#records.size === 0) {
      const empty = this.#rows === 0
      return this.refuse(
        empty ? 'empty' : 'no_valid_rows',
        empty
          ? 'no records; an empty read would make every identity a leaver'
          : `none of the ${this.#rows} records is usable; an empty read would make every identity a leaver`,
      )
    }
    return {
      status: 'ok',
      source: this.#source,
      records: [...this.#records.values()],
      heldKeys: [...this.#held],
      problems: this.problems,
    }
  }

  /** A refused read carrying the problems met so far. */
  refuse(code: SourceRefusedError['code'], reason: string, line?: number, cause?: unknown): SourceRead {
    const error = new SourceRefusedError({
      source: this.#source,
      code,
      reason,
      file: this.#file,
      line,
      cause,
    })
    return { status: 'refused', source: this.#source, error, problems: this.problems }
  }
}
