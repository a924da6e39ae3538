/** Tokens of SCIM filters and paths (RFC 7644 §3.4.2.2), read lazily so keywords stay context-sensitive. */
import type { AttributePath } from './filter-ast.ts'

interface TokenBase {
  /** 0-based offset of the first character. */
  start: number
  end: number
  /** True when whitespace precedes the token: paths forbid it around `[`, `]` and `.`. */
  spaceBefore: boolean
}

export type Token =
  | (TokenBase & { kind: 'word'; text: string })
  | (TokenBase & { kind: 'string'; value: string })
  | (TokenBase & { kind: 'number'; value: number })
  | (TokenBase & { kind: '(' | ')' | '[' | ']' | '.' | 'end' })

/** Reports a problem at a 0-based offset; never returns. */
export type Fail = (problem: string, position: number) => never

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
const isDigit = (c: number): boolean => c >= 48 && c <= 57
/** A word is an attribute path (URN colons and dots included) or a keyword. */
const isWordStart = (c: number): boolean => isAlpha(c) || c === 36
const isWordPart = (c: number): boolean =>
  isAlpha(c) || isDigit(c) || c === 45 || c === 95 || c === 46 || c === 58 || c === 36

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const HEX4 = /^[0-9a-fA-F]{4}$/
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

/** How a character is named in messages: printable as-is, the rest as U+XXXX. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0
  return code < 32 || code === 127 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`
}

/** How a token is named in messages. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'word':
      return `'${token.text}'`
    case 'string':
      return `string ${JSON.stringify(token.value)}`
    case 'number':
      return `number ${token.value}`
    case 'end':
      return 'end of input'
    default:
      return `'${token.kind}'`
  }
}

/** Length of the word starting at `start` (0 when none starts there). */
export function wordLength(text: string, start: number): number {
  if (!isWordStart(text.charCodeAt(start))) return 0
  let i = start + 1
  while (i < text.length && isWordPart(text.charCodeAt(i))) i++
  return i - start
}

/** A one-pass tokenizer with arbitrary lookahead. */
export class Lexer {
  private pos = 0
  private readonly buffer: Token[] = []

  constructor(
    private readonly text: string,
    private readonly fail: Fail,
  ) {}

  /** The token `ahead` positions from the current one, without consuming it. */
  peek(ahead = 0): Token {
    while (this.buffer.length <= ahead) this.buffer.push(this.read())
    return this.buffer[ahead] as Token
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const token = this.peek()
    this.buffer.shift()
    return token
  }

  private read(): Token {
    const { text } = this
    let i = this.pos
    while (i < text.length && isSpace(text.charCodeAt(i))) i++
    const spaceBefore = i > this.pos
    const start = i
    if (i >= text.length) return { kind: 'end', start, end: start, spaceBefore }
    const ch = text[i] as string
    const code = text.charCodeAt(i)
    let token: Token
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']' || ch === '.') {
      token = { kind: ch, start, end: start + 1, spaceBefore }
    } else if (ch === '"') {
      token = this.readString(start, spaceBefore)
    } else if (ch === '-' || isDigit(code)) {
      token = this.readNumber(start, spaceBefore)
    } else if (isWordStart(code)) {
      const end = start + wordLength(text, start)
      token = { kind: 'word', text: text.slice(start, end), start, end, spaceBefore }
    } else if (ch === "'") {
      return this.fail('unexpected character "\'": strings are written in double quotes', start)
    } else {
      return this.fail(`unexpected character ${describeChar(ch)}`, start)
    }
    this.pos = token.end
    return token
  }

  private readString(start: number, spaceBefore: boolean): Token {
    const { text } = this
    let value = ''
    let chunk = start + 1
    let i = chunk
    for (;;) {
      if (i >= text.length) return this.fail('unterminated string', start)
      const code = text.charCodeAt(i)
      if (code === 34) break
      if (code < 32) {
        return this.fail(`control character ${describeChar(text[i] as string)} in string must be escaped`, i)
      }
      if (code !== 92) {
        i++
        continue
      }
      value += text.slice(chunk, i)
      const escaped = text[i + 1]
      if (escaped === undefined) return this.fail('unterminated string', start)
      if (escaped === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!HEX4.test(hex)) return this.fail('invalid unicode escape: expected \\u and 4 hex digits', i)
        value += String.fromCharCode(Number.parseInt(hex, 16))
        i += 6
      } else {
        const decoded = ESCAPES[escaped]
        if (decoded === undefined) {
          const shown = escaped.charCodeAt(0) < 32 ? describeChar(escaped) : `'\\${escaped}'`
          return this.fail(`invalid escape ${shown} in string`, i)
        }
        value += decoded
        i += 2
      }
      chunk = i
    }
    value += text.slice(chunk, i)
    return { kind: 'string', value, start, end: i + 1, spaceBefore }
  }

  private readNumber(start: number, spaceBefore: boolean): Token {
    NUMBER.lastIndex = start
    const match = NUMBER.exec(this.text)
    const end = match ? start + match[0].length : start
    const after = this.text.charCodeAt(end)
    if (!match || isWordPart(after) || isDigit(after)) {
      let stop = end
      while (stop < this.text.length && isWordPart(this.text.charCodeAt(stop))) stop++
      const raw = this.text.slice(start, Math.max(stop, start + 1))
      return this.fail(`invalid number '${raw}'`, start)
    }
    const value = Number(match[0])
    if (!Number.isFinite(value)) return this.fail(`number '${match[0]}' is out of range`, start)
    return { kind: 'number', value, start, end, spaceBefore }
  }
}

const ATTRNAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$[Rr][Ee][Ff])$/
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/
const URN_SEGMENT = /^[A-Za-z0-9._-]+$/
const VERSION = /^[0-9]+(?:\.[0-9]+)*$/
const SCIM_URN = /^urn:ietf:params:scim:/i

/** Checks one ATTRNAME (RFC 7644 §3.4.2.2, plus `$ref`) found at `at`. */
export function checkAttributeName(name: string, at: number, fail: Fail, after = ''): void {
  if (name === '') fail(`expected an attribute name${after}`, at)
  if (ATTRNAME.test(name)) return
  if (!isAlpha(name.charCodeAt(0))) fail(`attribute name '${name}' must start with a letter`, at)
  const bad = name.search(/[^A-Za-z0-9_-]/)
  fail(`invalid character ${describeChar(name[bad] ?? '')} in attribute name '${name}'`, at + bad)
}

function checkUri(uri: string, at: number, fail: Fail): void {
  const segments = uri.split(':')
  const scheme = segments[0] ?? ''
  if (segments.length < 2) {
    fail(`'${uri}' is not a schema URN; sub-attributes are written with '.', e.g. name.givenName`, at)
  }
  if (!SCHEME.test(scheme)) fail(`invalid schema URI '${uri}'`, at)
  let offset = at + scheme.length + 1
  for (const segment of segments.slice(1)) {
    if (segment === '') fail(`empty segment in schema URI '${uri}'`, offset)
    if (!URN_SEGMENT.test(segment)) fail(`invalid character in schema URI segment '${segment}'`, offset)
    offset += segment.length + 1
  }
  // `urn:…:2.0:User` alone would otherwise read as attribute `User` of schema `urn:…:2.0`.
  if (SCIM_URN.test(uri) && VERSION.test(segments[segments.length - 1] ?? '')) {
    fail("a schema URN alone is not an attribute path; append ':' and an attribute name", at)
  }
}

/** Splits a word at offset `at` into `[uri:]name[.subAttribute]`, failing with positions inside it. */
// The URN ends at the last ':'; URNs hold dots (`2.0`), so only dots after it separate a sub-attribute.
export function readAttributePath(raw: string, at: number, fail: Fail): AttributePath {
  const colon = raw.lastIndexOf(':')
  const uri = colon >= 0 ? raw.slice(0, colon) : undefined
  if (uri !== undefined) checkUri(uri, at, fail)
  const restAt = at + colon + 1
  const rest = raw.slice(colon + 1)
  const dot = rest.indexOf('.')
  const name = dot < 0 ? rest : rest.slice(0, dot)
  checkAttributeName(name, restAt, fail, uri === undefined ? '' : " after the schema URN's ':'")
  const path: AttributePath = uri === undefined ? { name } : { uri, name }
  if (dot < 0) return path
  const sub = rest.slice(dot + 1)
  const second = sub.indexOf('.')
  if (second >= 0) fail('an attribute path has at most one sub-attribute', restAt + dot + 1 + second)
  checkAttributeName(sub, restAt + dot + 1, fail, " after '.'")
  path.subAttribute = sub
  return path
}
