/**
 * Reads a JSON source: an array of objects, or an object holding that array under `records` (or
 * the member the source names). Members are attributes, renamed by `columns`; `null` means
 * unassigned and is left out, other values are kept as they are.
 */
import { readFile, stat } from 'node:fs/promises'
import type { JsonSourceConfig } from '../config/config-types.ts'
import { arrayElementLines } from './json-lines.ts'
import { RecordCollector } from './record-collector.ts'
import { fileError } from './source-errors.ts'
import type { SourceRead } from './source-types.ts'

/** JSON is parsed whole; a file larger than this is refused rather than risk the process's memory. */
export const MAX_JSON_BYTES = 512 * 1024 * 1024

/** Reads the JSON file at `file` (already resolved against the configuration's directory). */
export async function readJsonSource(source: JsonSourceConfig, file: string): Promise<SourceRead> {
  const collector = new RecordCollector(source.name, file)
  let text: string
  try {
    const size = (await stat(file)).size
    if (size > MAX_JSON_BYTES) {
      return collector.refuse('unreadable', `${size} bytes; JSON sources are limited to ${MAX_JSON_BYTES}`)
    }
    text = await readFile(file, 'utf8')
  } catch (error) {
    return collector.refuse('unreadable', fileError(error), undefined, error)
  }
  if (text.includes('\uFFFD')) {
    return collector.refuse(
      'invalid_encoding',
      'not valid UTF-8 (JSON files are UTF-8)',
      lineAt(text, text.indexOf('\uFFFD')),
    )
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(message)?.[1]
    const line = position === undefined ? undefined : lineAt(text, Number(position))
    return collector.refuse('malformed_file', `not valid JSON: ${message}`, line, error)
  }
  let items: unknown
  let lines: number[]
  if (Array.isArray(document)) {
    items = document
    lines = arrayElementLines(text)
  } else if (isObject(document) && Array.isArray(document[source.records])) {
    items = document[source.records]
    lines = arrayElementLines(text, source.records)
  } else {
    return collector.refuse(
      'malformed_file',
      `expected an array of records, or an object with the array under "${source.records}"`,
    )
  }
  for (const [index, item] of (items as unknown[]).entries()) addItem(collector, source, item, lines[index])
  return collector.finish()
}

function addItem(
  collector: RecordCollector,
  source: JsonSourceConfig,
  item: unknown,
  line: number | undefined,
): void {
  if (!isObject(item)) {
    collector.reject(
      'malformed_record',
      `${describe(item)} where a record (an object) was expected; skipped`,
      line,
    )
    return
  }
  const attributes: Record<string, unknown> = {}
  for (const [member, value] of Object.entries(item)) {
    const name = source.columns[member] ?? member
    if (value === null || value === undefined) continue
    if (Object.hasOwn(attributes, name)) {
      const key = typeof item[source.key] === 'string' ? (item[source.key] as string).trim() : undefined
      collector.reject(
        'malformed_record',
        `two members give attribute "${name}" (after columns: renames); skipped`,
        line,
        key || undefined,
      )
      return
    }
    attributes[name] = value
  }
  collector.add(attributes[source.key], attributes, line, source.key)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return `a ${typeof value}`
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line += 1
  return line
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
