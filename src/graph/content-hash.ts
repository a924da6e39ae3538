/**
 * A hash of a JSON value that ignores key order, so a target returning the same resource with its
 * members in another order is seen as unchanged. Canonical JSON (keys sorted by UTF-16 code units,
 * no whitespace) through SHA-256; callers decide what goes in.
 */
import { hash } from 'node:crypto'

/** SHA-256 hex of the canonical JSON of `value`; equal for equal values whatever their key order. */
export function contentHash(value: unknown): string {
  // The one-shot `hash` avoids creating a Hash object per resource: measurably faster on small inputs.
  return hash('sha256', canonicalJson(value), 'hex')
}

/**
 * JSON with object keys sorted, as `JSON.stringify` would write it otherwise: `toJSON` is honoured,
 * `undefined`, functions and symbols are left out of objects and written `null` in arrays, and a
 * top-level value with no JSON form is written `null`.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null'
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      throw new TypeError('contentHash: a BigInt has no JSON form')
    case 'object':
      return value === null ? 'null' : writeObject(value)
    default:
      return undefined
  }
}

function writeObject(value: object): string | undefined {
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += write(value[i]) ?? 'null'
    }
    return `${out}]`
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return write(toJSON.call(value))
  const record = value as Record<string, unknown>
  // Default sort compares UTF-16 code units: deterministic and locale-independent.
  const keys = Object.keys(record)
  if (keys.length > 1) keys.sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const written = write(record[key])
    if (written === undefined) continue
    out += first ? quotedKey(key) + written : `,${quotedKey(key)}${written}`
    first = false
  }
  return `${out}}`
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters JSON.stringify escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** `JSON.stringify` of a string; most need no escaping, and a template is several times cheaper. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}

/** `"key":`, memoized: resources repeat the same few dozen keys. */
const quotedKeys = new Map<string, string>()
const QUOTED_KEYS_LIMIT = 10_000

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    quoted = `${quote(key)}:`
    // Bounded: keys a hostile target invents must not grow memory.
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, quoted)
  }
  return quoted
}
