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

/** Reads the CSV file at `file` (already resolved against the configuration's directory). */
export async function readCsvSource(source: CsvSourceConfig, file: string): Promise<SourceRead> {
  const collector = new RecordCollector(source.name, file)
  const parser = parse({
    bom: true,
    delimiter: source.delimiter,
    encoding: source.encoding,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
  })
  let header: Header | undefined
  let line = 1
  // Records are handled in the 'data' callback: iterating the stream with for-await costs a
  // promise per record, about half the time of a 100,000-row read.
  const outcome = await new Promise<SourceRead | undefined>((resolve) => {
    const stop = (read: SourceRead) => {
      parser.removeAllListeners('data')
      parser.destroy()
      resolve(read)
    }
    parser.on('data', (record: string[]) => {
      const start = line
      line += 1 + lineBreaksIn(record)
      if (source.encoding === 'utf8' && record.some((field) => field.includes('\uFFFD'))) {
        stop(
          collector.refuse(
            'invalid_encoding',
            'not valid UTF-8; if the file was saved in another encoding, set encoding: latin1 or utf16le',
            start,
          ),
        )
        return
      }
      if (header !== undefined) {
        addRow(collector, source, header, record, start)
        return
      }
      const built = buildHeader(source, record)
      if (typeof built === 'string') {
        stop(
          collector.refuse(
            built.startsWith('no column') ? 'missing_key_column' : 'duplicate_column',
            built,
            start,
          ),
        )
        return
      }
      header = built
      for (const missing of header.missingRenames) {
        collector.problem(
          'missing_column',
          `column "${missing}" named under columns: is not in the header`,
          1,
        )
      }
    })
    parser.once('end', () => resolve(undefined))
    // Bytes go to the parser, which decodes whole fields (a character split across chunks stays
    // whole). pipeline hands a failure to open or read the file to the callback.
    pipeline(createReadStream(file), parser, (error) => {
      if (error === undefined || error === null) return
      if (error instanceof CsvError)
        resolve(collector.refuse('malformed_file', csvErrorReason(error), csvErrorLine(error), error))
      else resolve(collector.refuse('unreadable', fileError(error), undefined, error))
    })
  })
  if (outcome !== undefined) return outcome
  if (header === undefined) return collector.refuse('empty', 'the file is empty: no header, no records')
  return collector.finish()
}

interface Header {
  /** Attribute name per field index; '' for a column without a name, which is not read. */
  names: string[]
  /** Indexes of the named fields, by attribute name in code-unit order. */
  order: number[]
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
  const order = names
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => name !== '')
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(({ index }) => index)
  return { names, order, keyIndex, missingRenames }
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
  // Filled in name order, so the attributes are already canonical JSON (see identity-codec.ts).
  for (const i of header.order) {
    // Empty cells are left out: CSV cannot tell empty from absent, and SCIM treats both as unassigned.
    const value = (record[i] as string).trim()
    if (value !== '') attributes[header.names[i] as string] = value
  }
  collector.add(attributes[source.key], attributes, line, source.key)
}

/** Line breaks inside a record's quoted fields (`\r\n`, `\n` or `\r`), to number the lines records start on. */
function lineBreaksIn(record: readonly string[]): number {
  let count = 0
  for (const field of record) {
    if (!field.includes('\n') && !field.includes('\r')) continue
    for (let i = 0; i < field.length; i++) {
      const code = field.charCodeAt(i)
      if (code === 10) count += 1
      else if (code === 13) {
        count += 1
        if (field.charCodeAt(i + 1) === 10) i += 1
      }
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
