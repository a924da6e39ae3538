/** Parsers of SCIM filters (RFC 7644 §3.4.2.2), PATCH paths (§3.5.2) and attribute paths. */
import { ScimSyntaxError } from '../errors.ts'
import type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './filter-ast.ts'
import {
  checkAttributeName,
  describeChar,
  describeToken,
  type Fail,
  Lexer,
  readAttributePath,
  type Token,
  wordLength,
} from './filter-lexer.ts'

/** Filters arrive from untrusted HTTP input: longer texts are refused before any parsing. */
export const MAX_FILTER_LENGTH = 10_000
/** Deepest nesting of `(`, `not (` and `[` accepted; bounds the parser's recursion. */
export const MAX_FILTER_DEPTH = 50

export interface ParseLimits {
  maxLength?: number
  maxDepth?: number
}

type SyntaxType = 'invalidFilter' | 'invalidPath'
type WordToken = Extract<Token, { kind: 'word' }>

const OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])
const OPERATOR_LIST = 'eq ne co sw ew gt ge lt le pr'

const isWord = (token: Token, keyword: string): boolean =>
  token.kind === 'word' && token.text.toLowerCase() === keyword

class Parser {
  readonly lexer: Lexer
  /** PATCH paths report errors inside the brackets as `invalidFilter`, the rest as `invalidPath`. */
  syntaxType: SyntaxType
  private depth = 0
  /** The attribute whose value filter is being parsed: names inside are its sub-attributes. */
  private scope: string | undefined
  private readonly maxDepth: number

  constructor(
    readonly text: string,
    syntaxType: SyntaxType,
    limits: ParseLimits,
  ) {
    this.syntaxType = syntaxType
    this.maxDepth = limits.maxDepth ?? MAX_FILTER_DEPTH
    this.lexer = new Lexer(text, this.fail)
    const maxLength = limits.maxLength ?? MAX_FILTER_LENGTH
    const what = syntaxType === 'invalidFilter' ? 'filter' : 'path'
    if (text.length > maxLength) this.fail(`${what} is longer than ${maxLength} characters`, maxLength)
  }

  readonly fail: Fail = (problem, position) => {
    throw new ScimSyntaxError(problem, this.text, position, this.syntaxType)
  }

  /** FILTER, then the end of the text. */
  filter(): Filter {
    if (this.lexer.peek().kind === 'end') this.fail('empty filter', 0)
    const filter = this.or()
    const rest = this.lexer.peek()
    if (rest.kind === ')') this.fail("unexpected ')' without a matching '('", rest.start)
    if (rest.kind !== 'end')
      this.fail(`expected 'and', 'or' or end of filter, found ${describeToken(rest)}`, rest.start)
    return filter
  }

  /** `and` binds tighter than `or`: an `or` chain of `and` chains, each flattened into one node. */
  private or(): Filter {
    const filters = [this.and()]
    while (isWord(this.lexer.peek(), 'or')) {
      this.lexer.next()
      filters.push(this.and())
    }
    return filters.length === 1 ? (filters[0] as Filter) : { kind: 'or', filters }
  }

  private and(): Filter {
    const filters = [this.unary()]
    while (isWord(this.lexer.peek(), 'and')) {
      this.lexer.next()
      filters.push(this.unary())
    }
    return filters.length === 1 ? (filters[0] as Filter) : { kind: 'and', filters }
  }

  private unary(): Filter {
    const token = this.lexer.peek()
    if (token.kind === '(') {
      this.lexer.next()
      return this.group(token)
    }
    if (token.kind !== 'word') {
      const found = token.kind === ')' ? "unexpected ')'" : `found ${describeToken(token)}`
      return this.fail(`expected an attribute path, '(' or 'not', ${found}`, token.start)
    }
    if (isWord(token, 'not')) {
      const after = this.lexer.peek(1)
      if (after.kind === '(') {
        this.lexer.next()
        this.lexer.next()
        return { kind: 'not', filter: this.group(after) }
      }
      // `not` is also a legal attribute name (`not pr`); anything else after it lacks the '('.
      const operator =
        after.kind === 'word' && (OPERATORS.has(after.text.toLowerCase()) || isWord(after, 'pr'))
      if (!operator && after.kind !== '[')
        this.fail(`expected '(' after 'not', found ${describeToken(after)}`, after.start)
    }
    this.lexer.next()
    return this.attributeExpression(token)
  }

  /** A parenthesised FILTER; grouping leaves no node of its own. */
  private group(open: Token): Filter {
    this.enter(open)
    const filter = this.or()
    const close = this.lexer.next()
    if (close.kind !== ')') {
      this.fail(
        `expected 'and', 'or' or ')' closing the '(' at position ${open.start + 1}, found ${describeToken(close)}`,
        close.start,
      )
    }
    this.depth--
    return filter
  }

  private attributeExpression(word: WordToken): Filter {
    const path = this.path(word)
    const next = this.lexer.peek()
    if (next.kind === '[') {
      const filter = this.valueFilter(word, path)
      const after = this.lexer.peek()
      if (after.kind === '.') {
        this.fail(
          `a sub-attribute after ']' is only allowed in PATCH paths; compare it inside the brackets instead`,
          after.start,
        )
      }
      return { kind: 'valuePath', path, filter }
    }
    if (next.kind === 'word') {
      const op = next.text.toLowerCase()
      if (op === 'pr') {
        this.lexer.next()
        return { kind: 'present', path }
      }
      if (OPERATORS.has(op)) {
        this.lexer.next()
        return { kind: 'compare', path, op: op as CompareOperator, value: this.value(next.text) }
      }
    }
    return this.fail(
      `expected a comparison operator after ${word.text}, found ${describeToken(next)} (operators: ${OPERATOR_LIST})`,
      next.start,
    )
  }

  private value(operator: string): FilterValue {
    const token = this.lexer.next()
    if (token.kind === 'string' || token.kind === 'number') return token.value
    if (token.kind === 'word') {
      const keyword = token.text.toLowerCase()
      if (keyword === 'true') return true
      if (keyword === 'false') return false
      if (keyword === 'null') return null
      this.fail(
        `expected a value after ${operator}, found '${token.text}': strings must be in double quotes`,
        token.start,
      )
    }
    return this.fail(
      `expected a value (string, number, true, false or null) after ${operator}, found ${describeToken(token)}`,
      token.start,
    )
  }

  /** An attribute path; inside `emails[…]` only bare sub-attribute names of `emails` are allowed. */
  path(word: WordToken): AttributePath {
    const path = readAttributePath(word.text, word.start, this.fail)
    if (this.scope === undefined) return path
    if (path.uri !== undefined || path.subAttribute !== undefined) {
      const at = word.start + (path.uri === undefined ? word.text.indexOf('.') : 0)
      this.fail(
        `inside ${this.scope}[...] write a sub-attribute name of ${this.scope} alone, not '${word.text}'`,
        at,
      )
    }
    return path
  }

  /** `[valFilter]` after `word`; the '[' is the next token. */
  valueFilter(word: WordToken, path: AttributePath): Filter {
    const open = this.lexer.next()
    if (open.spaceBefore) this.fail(`'[' must directly follow ${word.text}, without whitespace`, open.start)
    if (this.scope !== undefined) {
      this.fail(`value filters cannot be nested: ${word.text}[...] inside ${this.scope}[...]`, open.start)
    }
    if (path.subAttribute !== undefined) {
      this.fail(`a value filter applies to an attribute, not to the sub-attribute ${word.text}`, open.start)
    }
    this.enter(open)
    const outerType = this.syntaxType
    this.scope = word.text
    this.syntaxType = 'invalidFilter'
    if (this.lexer.peek().kind === ']') this.fail(`empty value filter in ${word.text}[]`, open.start + 1)
    const filter = this.or()
    this.syntaxType = outerType
    this.scope = undefined
    const close = this.lexer.next()
    if (close.kind !== ']') {
      this.fail(
        `expected 'and', 'or' or ']' closing the '[' at position ${open.start + 1}, found ${describeToken(close)}`,
        close.start,
      )
    }
    this.depth--
    return filter
  }

  private enter(open: Token): void {
    this.depth++
    if (this.depth > this.maxDepth) this.fail(`filter nests deeper than ${this.maxDepth} levels`, open.start)
  }
}

/** Parses a SCIM filter (RFC 7644 §3.4.2.2); throws ScimSyntaxError `invalidFilter` with the offset. */
export function parseFilter(text: string, limits: ParseLimits = {}): Filter {
  return new Parser(text, 'invalidFilter', limits).filter()
}

/** Parses a PATCH `path` (RFC 7644 §3.5.2); throws `invalidPath`, or `invalidFilter` inside `[…]`. */
export function parsePatchPath(text: string, limits: ParseLimits = {}): PatchPath {
  const parser = new Parser(text, 'invalidPath', limits)
  const { lexer, fail } = parser
  const first = lexer.next()
  if (first.kind === 'end') return fail('empty path', 0)
  if (first.spaceBefore) fail('a path cannot start with whitespace', 0)
  if (first.kind !== 'word')
    return fail(`expected an attribute name, found ${describeToken(first)}`, first.start)
  const attribute = parser.path(first)
  let next = lexer.peek()
  if (next.kind === 'end') return endOfPath(parser, next, { attribute })
  if (next.kind !== '[') return fail(`unexpected ${describeToken(next)} after ${first.text}`, next.start)
  const result: PatchPath = { attribute, valueFilter: parser.valueFilter(first, attribute) }
  next = lexer.next()
  if (next.kind === '.') {
    const sub = lexer.next()
    if (next.spaceBefore || sub.spaceBefore) fail("whitespace is not allowed around '.'", next.start)
    if (sub.kind !== 'word')
      return fail(`expected a sub-attribute name after '.', found ${describeToken(sub)}`, sub.start)
    const bad = sub.text.search(/[.:]/)
    if (bad >= 0) fail("a path has at most one sub-attribute after ']'", sub.start + bad)
    checkAttributeName(sub.text, sub.start, fail)
    result.subAttribute = sub.text
    next = lexer.next()
  }
  if (next.kind !== 'end')
    return fail(`expected '.' or end of path after ']', found ${describeToken(next)}`, next.start)
  return endOfPath(parser, next, result)
}

function endOfPath(parser: Parser, end: Token, path: PatchPath): PatchPath {
  if (end.spaceBefore) parser.fail('a path cannot end with whitespace', parser.text.trimEnd().length)
  return path
}

/** Parses `[schemaUrn:]name[.subAttribute]` alone; throws ScimSyntaxError `invalidPath`. */
export function parseAttributePath(text: string, limits: ParseLimits = {}): AttributePath {
  const fail: Fail = (problem, position) => {
    throw new ScimSyntaxError(problem, text, position, 'invalidPath')
  }
  const maxLength = limits.maxLength ?? MAX_FILTER_LENGTH
  if (text.length > maxLength) fail(`attribute path is longer than ${maxLength} characters`, maxLength)
  if (text === '') fail('empty attribute path', 0)
  const length = wordLength(text, 0)
  if (length === 0) fail(`expected an attribute name, found ${describeChar(text[0] ?? '')}`, 0)
  if (length < text.length) {
    const ch = text[length] ?? ''
    const found = /\s/.test(ch) ? 'whitespace' : describeChar(ch)
    const hint = ch === '[' ? ': value filters are not allowed in an attribute path' : ''
    fail(`unexpected ${found} after attribute path ${text.slice(0, length)}${hint}`, length)
  }
  return readAttributePath(text, 0, fail)
}
