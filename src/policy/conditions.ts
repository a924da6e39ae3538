/**
 * Policy conditions: SCIM filter syntax over source attributes (`department eq "Engineering" and
 * active eq true`), parsed and evaluated by the filter code of src/scim. Before compiling, each
 * comparison's attribute is renamed to a slot of its own; at evaluation the slots are filled from
 * the source record. That is where this module adds what source data needs and SCIM lacks:
 * flat dotted keys (`address.country` as a CSV header), `"true"` and `"42"` read as the boolean or
 * number they are compared with, dates compared as dates, and relative dates (`"today+3d"`)
 * resolved against the caller's clock. Everything else (case, and/or/not, presence) is SCIM's.
 */
import {
  type AttributePath,
  compileFilter,
  type Filter,
  type FilterPredicate,
  parseFilter,
  ScimSyntaxError,
} from '../scim/index.ts'
import { lookupValues, type SourceAttributes } from './attributes.ts'
import { type LeafPosition, leafPositions } from './condition-positions.ts'
import { type PolicyContext, PolicyTextError } from './context.ts'
import { parseIsoDate, parseRelativeDate, RELATIVE_DATE_FORM, resolveRelativeDate } from './dates.ts'

/** Any problem with a condition. */
export class ConditionError extends PolicyTextError {
  override name = 'ConditionError'
}

/** The condition's text is wrong; found when it is compiled. */
export class ConditionSyntaxError extends ConditionError {
  override name = 'ConditionSyntaxError'
}

/** The condition cannot be decided on a record, e.g. `active gt "x"` on a boolean `active`. */
export class ConditionEvaluationError extends ConditionError {
  override name = 'ConditionEvaluationError'
}

/** A compiled condition. */
export interface Condition {
  readonly text: string
  readonly context: PolicyContext
  /** The source attributes it reads, as written (`department`, `address.country`). */
  readonly attributes: readonly string[]
  /** True when the record satisfies the condition; `now` resolves relative dates (default: the current time). */
  matches(attributes: SourceAttributes, now?: Date): boolean
}

/** Fills a slot: the values of one comparison's attribute, prepared for it. */
type Reader = (attributes: SourceAttributes, now: Date) => unknown

interface Leaf {
  readonly slot: string
  readonly path: string
  readonly offset: number
  readonly read: Reader
}

const SLOT = 'provisio_slot_'
const SLOT_NAME = new RegExp(`${SLOT}(\\d+)`, 'g')
const TRUTH = /^(?:true|false)$/i
const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/
const DATE_OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])

const asIs = (v: unknown): unknown => v
const each = (value: unknown, f: (v: unknown) => unknown): unknown =>
  Array.isArray(value) ? value.map(f) : f(value)

/** Source files are text: `"TRUE"` compared with `true` is read as true. */
const asBoolean = (v: unknown): unknown =>
  typeof v === 'string' && TRUTH.test(v.trim()) ? v.trim().toLowerCase() === 'true' : v
const asNumber = (v: unknown): unknown => (typeof v === 'string' && NUMBER.test(v) ? Number(v) : v)

/** Sign of a date value against `ms`; null (SCIM's "no value") when the value is not a date. */
function dateSign(v: unknown, ms: number): unknown {
  if (v === undefined || v === null || v === '') return v
  const time = v instanceof Date ? v.getTime() : typeof v === 'string' ? parseIsoDate(v)?.ms : undefined
  if (time === undefined || Number.isNaN(time)) return null
  return Math.sign(time - ms)
}

/** The SCIM syntax error's problem without its ` at position N of "…"` tail. */
function problemOf(error: ScimSyntaxError): string {
  const tail = ` at position ${error.position + 1} of ${JSON.stringify(error.text)}`
  return error.message.endsWith(tail) ? error.message.slice(0, -tail.length) : error.message
}

const pathText = (path: AttributePath): string =>
  path.subAttribute === undefined ? path.name : `${path.name}.${path.subAttribute}`

class Compiler {
  readonly leaves: Leaf[] = []
  private readonly positions: LeafPosition[]
  private index = 0

  constructor(
    readonly text: string,
    readonly context: PolicyContext,
  ) {
    this.positions = leafPositions(text)
  }

  fail(problem: string, offset: number): never {
    throw new ConditionSyntaxError(problem, this.text, offset, this.context)
  }

  /** The filter with every leaf's attribute replaced by its slot. */
  rewrite(node: Filter): Filter {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, filters: node.filters.map((f) => this.rewrite(f)) }
      case 'not':
        return { kind: 'not', filter: this.rewrite(node.filter) }
      case 'present':
        return { kind: 'present', path: this.slot(node.path, asIs) }
      case 'valuePath': {
        const path = this.slot(node.path, asIs)
        this.checkInner(node.filter)
        return { kind: 'valuePath', path, filter: node.filter }
      }
      case 'compare':
        return this.compare(node)
    }
  }

  private compare(node: Extract<Filter, { kind: 'compare' }>): Filter {
    const { op, value } = node
    const position = this.positions[this.index]
    if (typeof value === 'boolean') return { ...node, path: this.slot(node.path, (v) => each(v, asBoolean)) }
    if (typeof value === 'number') return { ...node, path: this.slot(node.path, (v) => each(v, asNumber)) }
    if (typeof value !== 'string') return { ...node, path: this.slot(node.path, asIs) }
    // co, sw and ew are about text: `title co "today"` looks for the word.
    if (!DATE_OPERATORS.has(op)) return { ...node, path: this.slot(node.path, asIs) }
    const relative = parseRelativeDate(value)
    if (relative !== undefined && 'problem' in relative) {
      this.fail(relative.problem, position?.value ?? position?.path ?? 0)
    }
    if (relative !== undefined) {
      const path = this.slot(node.path, (v, now) => {
        const ms = resolveRelativeDate(relative, now)
        return each(v, (x) => dateSign(x, ms))
      })
      return { kind: 'compare', path, op, value: 0 }
    }
    const date = parseIsoDate(value)
    if (date === undefined) return { ...node, path: this.slot(node.path, asIs) }
    // A date literal compares in time, so 2026-12-01 equals 2026-12-01T00:00:00Z and zones count.
    return {
      kind: 'compare',
      path: this.slot(node.path, (v) => each(v, (x) => dateSign(x, date.ms))),
      op,
      value: 0,
    }
  }

  /** Registers the next leaf and returns its slot path. */
  private slot(path: AttributePath, prepare: (values: unknown, now: Date) => unknown): AttributePath {
    const position = this.positions[this.index]
    const offset = position?.path ?? 0
    if (path.uri !== undefined) {
      this.fail('conditions read source attributes by name; a schema URN cannot be used here', offset)
    }
    const slot = `${SLOT}${this.leaves.length}`
    const { name, subAttribute } = path
    const read: Reader = (attributes, now) => prepare(lookupValues(attributes, name, subAttribute), now)
    this.leaves.push({ slot, path: pathText(path), offset, read })
    this.index++
    return { name: slot }
  }

  /** Inside `emails[…]` the filter runs on each value as SCIM has it; a relative date there is refused. */
  private checkInner(node: Filter): void {
    switch (node.kind) {
      case 'and':
      case 'or':
        for (const f of node.filters) this.checkInner(f)
        return
      case 'not':
        this.checkInner(node.filter)
        return
      case 'compare': {
        const position = this.positions[this.index]
        const { op, value } = node
        if (typeof value === 'string' && DATE_OPERATORS.has(op) && parseRelativeDate(value) !== undefined) {
          this.fail(
            `relative dates cannot be used inside [...]; compare a single date attribute with ${RELATIVE_DATE_FORM}`,
            position?.value ?? position?.path ?? 0,
          )
        }
        this.index++
        return
      }
      default:
        this.index++
    }
  }

  /** A SCIM error about the rewritten filter, told in the words of the condition as written. */
  explain(error: ScimSyntaxError): { problem: string; offset: number } {
    let offset = 0
    const problem = problemOf(error).replace(SLOT_NAME, (_, n: string) => {
      const leaf = this.leaves[Number(n)]
      offset = leaf?.offset ?? offset
      return leaf?.path ?? 'attribute'
    })
    return { problem, offset }
  }
}

/** Compiles a condition once; throws ConditionSyntaxError with column and context. */
export function compileCondition(text: string, context: PolicyContext = {}): Condition {
  const frozenContext = Object.freeze({ ...context })
  let filter: Filter
  try {
    filter = parseFilter(text)
  } catch (error) {
    if (!(error instanceof ScimSyntaxError)) throw error
    throw new ConditionSyntaxError(problemOf(error), text, error.position, frozenContext)
  }
  const compiler = new Compiler(text, frozenContext)
  const rewritten = compiler.rewrite(filter)
  let predicate: FilterPredicate
  try {
    predicate = compileFilter(rewritten)
  } catch (error) {
    if (!(error instanceof ScimSyntaxError)) throw error
    const { problem, offset } = compiler.explain(error)
    throw new ConditionSyntaxError(problem, text, offset, frozenContext)
  }
  const leaves = compiler.leaves
  const attributes = Object.freeze([...new Set(leaves.map((l) => l.path))])

  const matches = (source: SourceAttributes, now: Date = new Date()): boolean => {
    if (Number.isNaN(now.getTime())) throw new RangeError('Condition.matches: now is an invalid Date')
    const slots: Record<string, unknown> = {}
    for (const leaf of leaves) slots[leaf.slot] = leaf.read(source, now)
    try {
      return predicate(slots)
    } catch (error) {
      if (!(error instanceof ScimSyntaxError)) throw error
      const { problem, offset } = compiler.explain(error)
      throw new ConditionEvaluationError(problem, text, offset, frozenContext)
    }
  }
  return Object.freeze({ text, context: frozenContext, attributes, matches })
}
