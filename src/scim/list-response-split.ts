/**
 * Reading a ListResponse body resource by resource. Decoded whole, a page is one string as large
 * as the page (a hundred users run to 200 KB, and V8 places strings over 128 KB in a space of their
 * own, allocated and released page by page at many times the cost per byte), and a caller keeping
 * each resource's JSON has to write it back out. Here the elements of `Resources` are found in the
 * bytes, and each is decoded and parsed alone, its text kept as the target sent it. JSON.parse still
 * validates every byte: the scan only decides where elements begin and end, and anything it does
 * not expect gives up, leaving the body to be parsed whole.
 */

/** A ListResponse read element by element. */
export interface SplitListResponse {
  /** The response as JSON.parse would give it. */
  body: Record<string, unknown>
  /**
   * Each resource's JSON text as the target sent it, in the order of the resources; undefined for
   * one written with white space between its tokens, which is not worth keeping as it came.
   */
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
 * Splits a ListResponse whose `Resources` (or `resources`) is an array of objects; undefined when
 * the body is anything else or not valid JSON, for the caller to parse whole and report.
 */
export function splitListResponse(bytes: Buffer): SplitListResponse | undefined {
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
      return splitAt(bytes, start, key, at)
    }
    at = valueEnd(bytes, at)
    if (at < 0) return undefined
    at = skipSpace(bytes, at)
    if (bytes[at] !== COMMA) return undefined
    at++
  }
}

/** Parses the elements of the array opening at `open`, and the envelope around it (from `start`, after any byte order mark). */
function splitAt(bytes: Buffer, start: number, key: string, open: number): SplitListResponse | undefined {
  const resources: unknown[] = []
  const texts: Array<string | undefined> = []
  let at = skipSpace(bytes, open + 1)
  if (bytes[at] === CLOSE_ARRAY) return envelope(bytes, start, key, open, at + 1, resources, texts)
  for (;;) {
    if (bytes[at] !== OPEN_OBJECT) return undefined
    const element = objectEnd(bytes, at)
    if (element.end < 0) return undefined
    const text = bytes.toString('utf8', at, element.end)
    try {
      resources.push(JSON.parse(text))
    } catch {
      return undefined
    }
    texts.push(element.spaced ? undefined : text)
    at = skipSpace(bytes, element.end)
    if (bytes[at] === CLOSE_ARRAY) return envelope(bytes, start, key, open, at + 1, resources, texts)
    if (bytes[at] !== COMMA) return undefined
    at = skipSpace(bytes, at + 1)
  }
}

/** The response around the array (it is small) parsed with the array left empty, then filled. */
function envelope(
  bytes: Buffer,
  start: number,
  key: string,
  open: number,
  close: number,
  resources: unknown[],
  texts: Array<string | undefined>,
): SplitListResponse | undefined {
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
  record[key] = resources
  return { body: record, texts }
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
