/**
 * The `if` function: `if TEST, THEN[, ELSE]`. TEST is an operator of the condition language,
 * with its operand when it takes one: `eq "Sales"`, `sw "VP"`, `gt 10`, `lt "today"`, `pr`,
 * `empty`. Without ELSE a value that fails the test passes through unchanged.
 */
import { isBlank } from '../attributes.ts'
import { parseIsoDate, parseRelativeDate, resolveRelativeDate } from '../dates.ts'
import {
  type Apply,
  type Args,
  type EvaluationEnv,
  FunctionProblem,
  type FunctionSpec,
} from './function-contract.ts'

const BINARY = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const
const UNARY = ['pr', 'empty'] as const
type Operator = (typeof BINARY)[number] | (typeof UNARY)[number]
const OPERATORS: readonly Operator[] = [...BINARY, ...UNARY]

const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/

/** Reads the operand as a date when it is one, `today` and `now` included. */
function operandDate(operand: string): ((env: EvaluationEnv) => number) | undefined {
  const relative = parseRelativeDate(operand)
  if (relative !== undefined && !('problem' in relative))
    return (env) => resolveRelativeDate(relative, env.now)
  const absolute = parseIsoDate(operand)
  return absolute === undefined ? undefined : () => absolute.ms
}

/**
 * Sign of value against operand: numerically when both are numbers, in time when both are dates,
 * else as text ignoring case, as conditions compare.
 */
function comparer(operand: string): (value: string, env: EvaluationEnv) => number {
  const sign = (d: number): number => (d > 0 ? 1 : d < 0 ? -1 : 0)
  const folded = operand.toLowerCase()
  const byText = (value: string): number => {
    const v = value.toLowerCase()
    return v < folded ? -1 : v > folded ? 1 : 0
  }
  if (NUMBER.test(operand)) {
    const n = Number(operand)
    return (value) => (NUMBER.test(value) ? sign(Number(value) - n) : byText(value))
  }
  const date = operandDate(operand)
  if (date === undefined) return byText
  return (value, env) => {
    const parsed = parseIsoDate(value)
    return parsed === undefined ? byText(value) : sign(parsed.ms - date(env))
  }
}

function test(operator: Operator, operand: string): (value: string, env: EvaluationEnv) => boolean {
  const folded = operand.toLowerCase()
  switch (operator) {
    case 'pr':
      return (v) => !isBlank(v)
    case 'empty':
      return (v) => isBlank(v)
    case 'co':
      return (v) => v.toLowerCase().includes(folded)
    case 'sw':
      return (v) => v.toLowerCase().startsWith(folded)
    case 'ew':
      return (v) => v.toLowerCase().endsWith(folded)
    default: {
      const compare = comparer(operand)
      const accept: Readonly<Record<string, (sign: number) => boolean>> = {
        eq: (s) => s === 0,
        ne: (s) => s !== 0,
        gt: (s) => s > 0,
        ge: (s) => s >= 0,
        lt: (s) => s < 0,
        le: (s) => s <= 0,
      }
      const ok = accept[operator] ?? (() => false)
      return (v, env) => ok(compare(v, env))
    }
  }
}

export const ifFunction: FunctionSpec = {
  name: 'if',
  usage: 'if OPERATOR [OPERAND], THEN[, ELSE]',
  minArgs: 2,
  maxArgs: 3,
  testArgument: true,
  compile(args: Args): Apply {
    const [op, operand] = args.slots[0]?.atoms ?? []
    if (op === undefined) throw new FunctionProblem('missing test', 0)
    const operator = OPERATORS.find((o) => o === op.value.toLowerCase())
    if (op.kind !== 'word' || operator === undefined) {
      throw new FunctionProblem(
        `the test must start with an operator (${OPERATORS.join(', ')}), found ${JSON.stringify(op.value)}`,
        0,
      )
    }
    const unary = (UNARY as readonly string[]).includes(operator)
    if (unary && operand !== undefined)
      throw new FunctionProblem(`${operator} takes no operand: write "if ${operator}, THEN"`, 0)
    if (!unary && operand === undefined)
      throw new FunctionProblem(`${operator} needs an operand: "if ${operator} "text", THEN"`, 0)
    const relative = operand === undefined ? undefined : parseRelativeDate(operand.value)
    if (relative !== undefined && 'problem' in relative) throw new FunctionProblem(relative.problem, 0)
    const passes = test(operator, operand?.value ?? '')
    const then = args.text(1)
    const otherwise = args.count > 2 ? args.text(2) : undefined
    return (value, env) => (passes(value, env) ? then : (otherwise ?? value))
  },
}
