/**
 * Reads a CSV source: RFC 4180 (quoted fields with delimiters, quotes and line breaks), a header
 * row, a UTF-8 or UTF-16 byte order mark, streamed so memory holds records, not the file text.
 *
 * Quoting is strict: an unclosed quote, text after a closing quote or a quote inside an unquoted
 * field refuses the whole read. Past such a point the parser can no longer tell where rows begin,
 * and rows swallowed by a runaway quoted field would silently turn into leavers.
 */
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import type { CsvSourceConfig } from '../config/config-types.ts'
import { RecordCollector } from './record-collector.ts'
import { fileError } from './source-errors.ts'
import type { SourceRead } from './source-types.ts'

/** A record longer than this (in characters) is a runaway quoted field, not an identity. */
const MAX_RECORD_CHARS = 1_000_000

interface CsvChunk {
  record: string[]
  raw: string
}

/** Reads the CSV file at `file` (already resolved against the configuration's directory). */
export async function readCsvSource(source: CsvSourceConfig, file: string): Promise<SourceRead> {
  const collector = new RecordCollector(source.name, file)
  const parser = parse({
    bom: true,
    delimiter: source.delimiter,
    raw: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
  })
  // Decoded by the file stream rather than by the parser, whose raw record text (read for line
  // numbers) is only right for UTF-8. pipeline destroys the parser when the file cannot be opened
  // or read, so the loop below ends with that error.
  pipeline(createReadStream(file, { encoding: source.encoding }), parser, () => undefined)
  let header: Header | undefined
  let line = 1
  try {
    for await (const chunk of parser as AsyncIterable<CsvChunk>) {
      const start = line
      line += lineBreaks(chunk.raw)
      if (source.encoding === 'utf8' && chunk.raw.includes('\uFFFD')) {
        return collector.refuse(
          'invalid_encoding',
          'not valid UTF-8; if the file was saved in another encoding, set encoding: latin1 or utf16le',
          start,
        )
      }
      if (header === undefined) {
        const built = buildHeader(source, chunk.record)
        if (typeof built === 'string') {
          const code = built.startsWith('no column') ? 'missing_key_column' : 'duplicate_column'
          return collector.refuse(code, built, start)
        }
        header = built
        for (const missing of header.missingRenames) {
          collector.problem(
            'missing_column',
            `column "${missing}" named under columns: is not in the header`,
            1,
          )
        }
        continue
      }
      addRow(collector, source, header, chunk.record, start)
    }
  } catch (error) {
    if (!(error instanceof CsvError))
      return collector.refuse('unreadable', fileError(error), undefined, error)
    return collector.refuse('malformed_file', csvErrorReason(error), csvErrorLine(error), error)
  }
  if (header === undefined) return collector.refuse('empty', 'the file is empty: no header, no records')
  return collector.finish()
}

interface Header {
  /** Attribute name per field index; '' for a column without a name, which is not read. */
  names: string[]
  keyIndex: number
  missingRenames: string[]
}

/** The header's attribute names, or why the file cannot be read with it. */
function buildHeader(source: CsvSourceConfig, fields: readonly string[]): Header | string {
  const names = fields.map((field) => {
    const column = field.trim()
    return source.columns[column] ?? column
  })
  const seen = new Set<string>()
  for (const name of names) {
    if (name === '') continue
    if (seen.has(name))
      return `two columns are named "${name}" (after columns: renames); the file is ambiguous`
    seen.add(name)
  }
  const keyIndex = names.indexOf(source.key)
  if (keyIndex < 0) {
    const found = names.filter((name) => name !== '').join(', ')
    return `no column "${source.key}" (the key) in the header; columns: ${found || 'none'}`
  }
  const present = new Set(fields.map((field) => field.trim()))
  const missingRenames = Object.keys(source.columns).filter((column) => !present.has(column))
  return { names, keyIndex, missingRenames }
}

function addRow(
  collector: RecordCollector,
  source: CsvSourceConfig,
  header: Header,
  record: readonly string[],
  line: number,
): void {
  if (record.every((field) => field.trim() === '')) return // a blank line, or one of bare delimiters
  if (record.length !== header.names.length) {
    const key = record[header.keyIndex]?.trim() || undefined
    collector.reject(
      'malformed_record',
      `${record.length} fields where the header has ${header.names.length}; row skipped${key === undefined ? '' : ' and the identity keeps its previous state'}`,
      line,
      key,
    )
    return
  }
  const attributes: Record<string, string> = {}
  for (let i = 0; i < record.length; i++) {
    const name = header.names[i] as string
    // Empty cells are left out: CSV cannot tell empty from absent, and SCIM treats both as unassigned.
    const value = (record[i] as string).trim()
    if (name !== '' && value !== '') attributes[name] = value
  }
  collector.add(attributes[source.key], attributes, line, source.key)
}

/** Line breaks in a record's raw text (`\r\n`, `\n` or `\r`), to number the lines records start on. */
function lineBreaks(raw: string): number {
  let count = 0
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i)
    if (code === 10) count += 1
    else if (code === 13) {
      count += 1
      if (raw.charCodeAt(i + 1) === 10) i += 1
    }
  }
  return count
}

function csvErrorReason(error: CsvError): string {
  const code: string = error.code
  if (code === 'CSV_QUOTE_NOT_CLOSED')
    return 'a quoted field is never closed; the rest of the file would be one field'
  if (code === 'CSV_INVALID_CLOSING_QUOTE')
    return 'text follows a closing quote; quote the whole field and double the quotes inside it'
  if (code === 'INVALID_OPENING_QUOTE' || code === 'CSV_INVALID_OPENING_QUOTE')
    return 'a quote inside an unquoted field; quote the whole field and double the quotes inside it'
  if (code === 'CSV_MAX_RECORD_SIZE') return `a record is longer than ${MAX_RECORD_CHARS} characters`
  return `not readable as CSV: ${error.message}`
}

function csvErrorLine(error: CsvError): number | undefined {
  const lines = error.lines
  return typeof lines === 'number' ? lines : undefined
}
