/** The parsed form of a template: immutable, reusable, evaluated any number of times. */
import type { PolicyContext } from '../context.ts'
import type { Apply } from './function-contract.ts'

/** Bounds on a template and on each evaluation, so no input can make one hang or balloon. */
export interface TemplateLimits {
  /** Longest template text, in UTF-16 units (checked at parse time). */
  readonly maxTemplateLength: number
  /** Longest attribute value a template may read. */
  readonly maxInputLength: number
  /** Most steps of one evaluation: one per literal text, expression and function call. */
  readonly maxSteps: number
  /** Longest value of any step and of the result. */
  readonly maxOutputLength: number
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = Object.freeze({
  maxTemplateLength: 4096,
  maxInputLength: 4096,
  maxSteps: 10_000,
  maxOutputLength: 8192,
})

/** Where an expression's value comes from. */
export type ExpressionSource =
  | {
      readonly kind: 'attribute'
      readonly path: string
      readonly parts: readonly string[]
      readonly offset: number
    }
  | { readonly kind: 'literal'; readonly value: string; readonly offset: number }

/** One `| name args` of an expression, its arguments already checked and compiled. */
export interface FunctionCall {
  readonly name: string
  readonly apply: Apply
  readonly offset: number
}

/** Literal text, or a `{…}` expression. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string; readonly offset: number }
  | {
      readonly kind: 'expression'
      readonly source: ExpressionSource
      readonly calls: readonly FunctionCall[]
      readonly offset: number
    }

/** A parsed template; make one with parseTemplate. */
export class Template {
  /** The source attributes the template reads, in order of first use, as written. */
  readonly attributes: readonly string[]

  constructor(
    readonly text: string,
    readonly parts: readonly TemplatePart[],
    readonly context: PolicyContext,
    readonly limits: TemplateLimits,
  ) {
    const seen = new Set<string>()
    for (const part of parts)
      if (part.kind === 'expression' && part.source.kind === 'attribute') seen.add(part.source.path)
    this.attributes = Object.freeze([...seen])
    Object.freeze(this)
  }
}

/** The source attributes a template reads (the engine watches them and checks them against the source). */
export function referencedAttributes(template: Template): readonly string[] {
  return template.attributes
}
