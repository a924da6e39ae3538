/**
 * Parser of transformer templates: text with `{…}` expressions. An expression is an attribute
 * name or a quoted string, then any number of `| function arg, arg`. The grammar is in
 * docs/transformers.md; every error names the column where the problem starts.
 */
import type { PolicyContext } from '../context.ts'
import { TemplateSyntaxError } from './errors.ts'
import {
  Args,
  type ArgumentSlot,
  type Atom,
  FunctionProblem,
  type FunctionSpec,
} from './function-contract.ts'
import { findFunction, suggestFunction } from './functions.ts'
import {
  DEFAULT_TEMPLATE_LIMITS,
  type ExpressionSource,
  type FunctionCall,
  Template,
  type TemplateLimits,
  type TemplatePart,
} from './template.ts'

/** Ends a bare word: whitespace and the characters with a meaning inside an expression. */
const BARE_END = /[\s,|{}"']/
const SPACE = /\s/
const ATTRIBUTE = /^[\p{L}_$][\p{L}\p{N}_$-]*(?:\.[\p{L}\p{N}_$-]+)*$/u
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const NUMBER = /^[+-]?\d+(?:\.\d+)?$/
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  n: '\n',
  r: '\r',
  t: '\t',
}

class Parser {
  private pos = 0

  constructor(
    private readonly text: string,
    private readonly context: PolicyContext,
  ) {}

  fail(problem: string, offset: number): never {
    throw new TemplateSyntaxError(problem, this.text, offset, this.context)
  }

  parts(): TemplatePart[] {
    const { text } = this
    const parts: TemplatePart[] = []
    let literal = ''
    let literalStart = 0
    const flush = (): void => {
      if (literal !== '') parts.push(Object.freeze({ kind: 'text', text: literal, offset: literalStart }))
      literal = ''
    }
    while (this.pos < text.length) {
      const brace = text.slice(this.pos).search(/[{}]/)
      if (literal === '') literalStart = this.pos
      if (brace < 0) {
        literal += text.slice(this.pos)
        break
      }
      const at = this.pos + brace
      literal += text.slice(this.pos, at)
      const ch = text[at]
      if (text[at + 1] === ch) {
        literal += ch
        this.pos = at + 2
      } else if (ch === '}') {
        this.fail("unmatched '}': write '}}' for a literal brace", at)
      } else {
        flush()
        this.pos = at
        parts.push(this.expression())
      }
    }
    flush()
    return parts
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && SPACE.test(this.text[this.pos] as string)) this.pos++
  }

  private expression(): TemplatePart {
    const open = this.pos
    this.pos++
    const source = this.source(open)
    const calls: FunctionCall[] = []
    for (;;) {
      this.skipSpace()
      const ch = this.text[this.pos]
      if (ch === undefined) this.fail(`unclosed '{': expected '}' (write '{{' for a literal brace)`, open)
      if (ch === '}') break
      if (ch !== '|') this.fail(`expected '|' or '}', found ${this.describe()}`, this.pos)
      this.pos++
      calls.push(this.call())
    }
    this.pos++
    return Object.freeze({ kind: 'expression', source, calls: Object.freeze(calls), offset: open })
  }

  private source(open: number): ExpressionSource {
    this.skipSpace()
    const start = this.pos
    const ch = this.text[start]
    if (ch === '"' || ch === "'")
      return Object.freeze({ kind: 'literal', value: this.string(), offset: start })
    if (ch === '}') this.fail('empty expression: name an attribute, e.g. {first_name}', open)
    const word = this.bare()
    if (word === '')
      this.fail(`expected an attribute name or a quoted string, found ${this.describe()}`, start)
    if (!ATTRIBUTE.test(word)) {
      this.fail(
        `invalid attribute name "${word}": names start with a letter or '_' and contain letters, digits, '_', '-' or '.'`,
        start,
      )
    }
    return Object.freeze({
      kind: 'attribute',
      path: word,
      parts: Object.freeze(word.split('.')),
      offset: start,
    })
  }

  private call(): FunctionCall {
    this.skipSpace()
    const start = this.pos
    const name = this.bare()
    if (name === '') this.fail(`expected a function name after '|', found ${this.describe()}`, start)
    if (!FUNCTION_NAME.test(name)) this.fail(`invalid function name "${name}"`, start)
    const spec = findFunction(name)
    if (spec === undefined) {
      const suggestion = suggestFunction(name)
      this.fail(
        `unknown function "${name}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`,
        start,
      )
    }
    const slots = this.arguments(spec)
    if (slots.length < spec.minArgs || slots.length > spec.maxArgs) {
      const wanted =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs === 0 ? 'no' : spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : `${spec.minArgs} to ${spec.maxArgs} arguments`
      const at = slots.length > spec.maxArgs ? (slots[spec.maxArgs]?.offset ?? start) : start
      this.fail(`${spec.name} takes ${wanted} (${spec.usage}), found ${slots.length}`, at)
    }
    try {
      return Object.freeze({
        name: spec.name,
        apply: spec.compile(new Args(slots, spec.usage)),
        offset: start,
      })
    } catch (error) {
      if (!(error instanceof FunctionProblem)) throw error
      const at = error.argument === undefined ? start : (slots[error.argument]?.offset ?? start)
      return this.fail(`${spec.name}: ${error.message}`, at)
    }
  }

  private arguments(spec: FunctionSpec): ArgumentSlot[] {
    const slots: ArgumentSlot[] = []
    this.skipSpace()
    if (this.atCallEnd()) return slots
    for (;;) {
      const offset = this.pos
      const atoms = [this.atom()]
      for (;;) {
        this.skipSpace()
        if (this.atCallEnd() || this.text[this.pos] === ',') break
        if (spec.testArgument && slots.length === 0 && atoms.length === 1) atoms.push(this.atom())
        else
          this.fail(`expected ',' between the arguments of ${spec.name}, found ${this.describe()}`, this.pos)
      }
      slots.push(Object.freeze({ atoms: Object.freeze(atoms), offset }))
      if (this.atCallEnd()) return slots
      this.pos++
      this.skipSpace()
      if (this.atCallEnd() || this.text[this.pos] === ',') {
        this.fail(`expected an argument after ',', found ${this.describe()}`, this.pos)
      }
    }
  }

  private atCallEnd(): boolean {
    const ch = this.text[this.pos]
    return ch === undefined || ch === '|' || ch === '}'
  }

  private atom(): Atom {
    const offset = this.pos
    const ch = this.text[offset]
    if (ch === '"' || ch === "'") return { kind: 'string', value: this.string(), offset }
    if (ch === '{') {
      this.fail(
        `'{' inside an expression: arguments are literal text (quote it as "{" to mean the brace)`,
        offset,
      )
    }
    const word = this.bare()
    if (word === '') this.fail(`expected an argument, found ${this.describe()}`, offset)
    return { kind: NUMBER.test(word) ? 'number' : 'word', value: word, offset }
  }

  /** A bare word: everything up to whitespace or one of `, | { } " '`. */
  private bare(): string {
    const start = this.pos
    while (this.pos < this.text.length && !BARE_END.test(this.text[this.pos] as string)) this.pos++
    return this.text.slice(start, this.pos)
  }

  /** A quoted string; the quote is the current character. */
  private string(): string {
    const { text } = this
    const open = this.pos
    const quote = text[open]
    let value = ''
    this.pos++
    for (;;) {
      const ch = text[this.pos]
      if (ch === undefined) return this.fail(`unterminated string: expected a closing ${quote}`, open)
      this.pos++
      if (ch === quote) return value
      if (ch !== '\\') {
        value += ch
        continue
      }
      const escaped = text[this.pos] ?? ''
      if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(this.pos + 1, this.pos + 5))) {
        value += String.fromCharCode(Number.parseInt(text.slice(this.pos + 1, this.pos + 5), 16))
        this.pos += 5
        continue
      }
      const decoded = ESCAPES[escaped]
      if (decoded === undefined) {
        this.fail(
          `invalid escape '\\${escaped}' in string (escapes: \\" \\' \\\\ \\n \\r \\t \\uXXXX)`,
          this.pos - 1,
        )
      }
      value += decoded
      this.pos++
    }
  }

  private describe(): string {
    const ch = this.text[this.pos]
    if (ch === undefined) return 'end of template'
    const word = this.text.slice(this.pos).match(/^[^\s,|{}"']+/)?.[0]
    return JSON.stringify(word ?? ch)
  }
}

/** Parses a template once; throws TemplateSyntaxError with column and context. */
export function parseTemplate(
  text: string,
  context: PolicyContext = {},
  limits: Partial<TemplateLimits> = {},
): Template {
  const all: TemplateLimits = Object.freeze({ ...DEFAULT_TEMPLATE_LIMITS, ...limits })
  const frozenContext = Object.freeze({ ...context })
  if (text.length > all.maxTemplateLength) {
    throw new TemplateSyntaxError(
      `template is ${text.length} characters long, over the limit of ${all.maxTemplateLength}`,
      text,
      all.maxTemplateLength,
      frozenContext,
    )
  }
  const parts = new Parser(text, frozenContext).parts()
  return new Template(text, Object.freeze(parts), frozenContext, all)
}
