/** What a template function is: its arguments as parsed, and the closure it compiles them into. */

/** One argument token: a quoted string, a bare number or a bare word. */
export interface Atom {
  readonly kind: 'string' | 'number' | 'word'
  /** The decoded string, or the number or word exactly as written (so `07` stays `07`). */
  readonly value: string
  /** 0-based offset in the template text. */
  readonly offset: number
}

/** One comma-separated argument; only `if` takes two atoms in its first (`eq "x"`). */
export interface ArgumentSlot {
  readonly atoms: readonly Atom[]
  readonly offset: number
}

/** What evaluation offers functions. */
export interface EvaluationEnv {
  /** The clock that `now` and `today` read. */
  readonly now: Date
  /** The longest value allowed; functions that multiply length check it before building the value. */
  readonly maxLength: number
}

/** A compiled function call, applied to each value. */
export type Apply = (value: string, env: EvaluationEnv) => string

/** A problem with a call: thrown by `compile` (about argument `argument`) or by the applied function. */
export class FunctionProblem extends Error {
  constructor(
    message: string,
    readonly argument?: number,
  ) {
    super(message)
  }
}

/** A value would exceed the evaluation's length limit. */
export class LimitProblem extends FunctionProblem {}

/** A function of the template language. */
export interface FunctionSpec {
  /** Lower-case name, as written in templates in any case. */
  readonly name: string
  /** Its form, for messages: `substring START[, LENGTH]`. */
  readonly usage: string
  readonly minArgs: number
  readonly maxArgs: number
  /** True when the first argument is a test of two atoms, `eq "x"` (the `if` function). */
  readonly testArgument?: boolean
  /** Checks the arguments once, at parse time, and returns the function applied at evaluation. */
  compile(args: Args): Apply
}

const INTEGER = /^[+-]?\d{1,9}$/

/** The arguments of one call, read with checks that name the argument at fault. */
export class Args {
  constructor(
    readonly slots: readonly ArgumentSlot[],
    readonly usage: string,
  ) {}

  get count(): number {
    return this.slots.length
  }

  /** The single atom of argument `index`. */
  atom(index: number): Atom {
    const atom = this.slots[index]?.atoms[0]
    if (atom === undefined) throw new FunctionProblem(`missing argument ${index + 1} (${this.usage})`)
    return atom
  }

  /** Argument `index` as text; numbers and words as written. */
  text(index: number): string {
    return this.atom(index).value
  }

  /** Argument `index` as text, or `fallback` when it is not given. */
  optionalText(index: number, fallback: string): string {
    return index < this.count ? this.text(index) : fallback
  }

  /** Non-empty text: an empty separator or search string would make no sense. */
  nonEmptyText(index: number, what: string): string {
    const text = this.text(index)
    if (text === '') throw new FunctionProblem(`${what} must not be empty`, index)
    return text
  }

  /** Argument `index` as a whole number at least `min`; a quoted number is accepted too. */
  integer(index: number, what: string, min = Number.MIN_SAFE_INTEGER): number {
    const text = this.text(index).trim()
    if (!INTEGER.test(text))
      throw new FunctionProblem(`${what} must be a whole number, found "${text}"`, index)
    const value = Number(text)
    if (value < min) throw new FunctionProblem(`${what} must be at least ${min}, found ${value}`, index)
    return value
  }

  /** Argument `index` as one of `choices`, ignoring case. */
  choice<T extends string>(index: number, what: string, choices: readonly T[]): T {
    const text = this.text(index).toLowerCase()
    const found = choices.find((c) => c === text)
    if (found === undefined) {
      throw new FunctionProblem(
        `${what} must be one of ${choices.join(', ')}, found "${this.text(index)}"`,
        index,
      )
    }
    return found
  }
}
