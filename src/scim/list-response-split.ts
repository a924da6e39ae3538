/**
 * Reading a ListResponse body resource by resource. Decoded whole, a page is one string as large
 * as the page (a hundred users run to 200 KB, and V8 places strings over 128 KB in a space of their
 * own, allocated and released page by page at many times the cost per byte), and a caller keeping
 * each resource's JSON has to write it back out. Here the elements of `Resources` are found in the
 * bytes, and each is decoded and parsed alone, its text kept as the target sent it. JSON.parse still
 * validates every byte: the scan only decides where elements begin and end, and anything it does
 * not expect gives up, leaving the body to be parsed whole.
 *
 * The scan and the parsing are two steps: with cursor paging, the next page is asked for between
 * them, so the target works on it while this one is parsed (see pagination.ts).
 */

/**
 * A ListResponse whose structure is known and whose resources are still bytes: the envelope
 * (`nextCursor`, `totalResults`) can be acted on, the next page asked for, before the resources
 * are decoded and parsed.
 */
export interface ScannedListResponse {
  /** The members around the resources, as JSON.parse would give them, with the resources' array empty. */
  envelope: Record<string, unknown>
  /** How many resources the array holds. */
  count: number
  /**
   * Decodes and parses the resources into the envelope's array, giving the full response and each
   * resource's text as the target sent it (undefined for one written with white space between its
   * tokens, not worth keeping as it came); undefined when one is not valid JSON.
   */
  read(): SplitListResponse | undefined
}

/** A ListResponse read element by element. */
export interface SplitListResponse {
  /** The response as JSON.parse would give it. */
  body: Record<string, unknown>
  /** Each resource's JSON text, in the order of the resources (see `ScannedListResponse.read`). */
  texts: Array<string | undefined>
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COLON = 0x3a
const COMMA = 0x2c

/**
 * Finds the elements of a ListResponse whose `Resources` (or `resources`) is an array of objects;
 * undefined when the body is anything else or its envelope is not valid JSON, for the caller to
 * parse whole and report.
 */
export function scanListResponse(bytes: Buffer): ScannedListResponse | undefined {
  const start = hasByteOrderMark(bytes) ? 3 : 0
  let at = skipSpace(bytes, start)
  if (bytes[at] !== OPEN_OBJECT) return undefined
  at++
  // Members of the top-level object: a key, a colon, a value, until the key names the resources.
  for (;;) {
    at = skipSpace(bytes, at)
    if (bytes[at] !== QUOTE) return undefined
    const keyEnd = stringEnd(bytes, at)
    if (keyEnd < 0) return undefined
    const key = keyEnd - at === 11 ? bytes.toString('latin1', at + 1, keyEnd - 1) : ''
    at = skipSpace(bytes, keyEnd)
    if (bytes[at] !== COLON) return undefined
    at = skipSpace(bytes, at + 1)
    if ((key === 'Resources' || key === 'resources') && bytes[at] === OPEN_ARRAY) {
      return scanAt(bytes, start, key, at)
    }
    at = valueEnd(bytes, at)
    if (at < 0) return undefined
    at = skipSpace(bytes, at)
    if (bytes[at] !== COMMA) return undefined
    at++
  }
}

/** Finds the elements of the array opening at `open`, and parses the envelope around it (from `start`, after any byte order mark). */
function scanAt(bytes: Buffer, start: number, key: string, open: number): ScannedListResponse | undefined {
  // Each element as three numbers (start, end, 1 when spaced): no object per element.
  const elements: number[] = []
  let at = skipSpace(bytes, open + 1)
  if (bytes[at] !== CLOSE_ARRAY) {
    for (;;) {
      if (bytes[at] !== OPEN_OBJECT) return undefined
      const element = objectEnd(bytes, at)
      if (element.end < 0) return undefined
      elements.push(at, element.end, element.spaced ? 1 : 0)
      at = skipSpace(bytes, element.end)
      if (bytes[at] === CLOSE_ARRAY) break
      if (bytes[at] !== COMMA) return undefined
      at = skipSpace(bytes, at + 1)
    }
  }
  const record = envelope(bytes, start, key, open, at + 1)
  if (!record) return undefined
  return {
    envelope: record,
    count: elements.length / 3,
    read: () => readElements(bytes, elements, record, key),
  }
}

/** Parses each element into the envelope's array; undefined when one is not valid JSON. */
function readElements(
  bytes: Buffer,
  elements: readonly number[],
  record: Record<string, unknown>,
  key: string,
): SplitListResponse | undefined {
  const resources: unknown[] = []
  const texts: Array<string | undefined> = []
  for (let at = 0; at < elements.length; at += 3) {
    const text = bytes.toString('utf8', elements[at], elements[at + 1])
    try {
      resources.push(JSON.parse(text))
    } catch {
      return undefined
    }
    texts.push(elements[at + 2] === 1 ? undefined : text)
  }
  return { body: { ...record, [key]: resources }, texts }
}

/** The response around the array (it is small) parsed with the array left empty. */
function envelope(
  bytes: Buffer,
  start: number,
  key: string,
  open: number,
  close: number,
): Record<string, unknown> | undefined {
  let body: unknown
  try {
    body = JSON.parse(`${bytes.toString('utf8', start, open)}[]${bytes.toString('utf8', close)}`)
  } catch {
    return undefined
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const record = body as Record<string, unknown>
  // A key given twice: JSON.parse keeps the last one, which may not be the array split here.
  if (!Array.isArray(record[key]) || (record[key] as unknown[]).length !== 0) return undefined
  // Readers take `Resources` before `resources`: the texts must be of the list they will read.
  if (key === 'resources' && record.Resources !== undefined) return undefined
  return record
}

/** Index after the object opening at `open`, and whether white space separates any of its tokens; end -1 if it never closes. */
function objectEnd(bytes: Buffer, open: number): { end: number; spaced: boolean } {
  let depth = 0
  let spaced = false
  for (let at = open; at < bytes.length; at++) {
    const byte = bytes[at] as number
    if (byte === QUOTE) {
      const end = stringEnd(bytes, at)
      if (end < 0) break
      at = end - 1
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (--depth === 0) return { end: at + 1, spaced }
    } else if (isSpace(byte)) {
      spaced = true
    }
  }
  return { end: -1, spaced }
}

/** Index after the value starting at `start`: a string, an object or array, or a bare literal; -1 if cut short. */
function valueEnd(bytes: Buffer, start: number): number {
  const first = bytes[start]
  if (first === QUOTE) return stringEnd(bytes, start)
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) return objectEnd(bytes, start).end
  let at = start
  while (at < bytes.length) {
    const byte = bytes[at] as number
    if (byte === COMMA || byte === CLOSE_OBJECT || isSpace(byte)) break
    at++
  }
  return at > start ? at : -1
}

/** Index after the string whose opening quote is at `open`; -1 if it never closes. */
function stringEnd(bytes: Buffer, open: number): number {
  let quote = open
  for (;;) {
    quote = bytes.indexOf(QUOTE, quote + 1)
    if (quote < 0) return -1
    // The quote closes the string unless an odd run of backslashes escapes it.
    let backslashes = 0
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
  }
}

function skipSpace(bytes: Buffer, from: number): number {
  let at = from
  while (at < bytes.length && isSpace(bytes[at] as number)) at++
  return at
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/** Whether the body starts with UTF-8's byte order mark, which JSON.parse would refuse. */
export function hasByteOrderMark(bytes: Buffer): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
}
