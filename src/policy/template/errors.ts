/** Errors of transformer templates; each names the policy, the attribute and the column. */
import { describePlace, type PolicyContext, PolicyTextError } from '../context.ts'

/** Any problem with a template, found while parsing or evaluating it. */
export class TemplateError extends PolicyTextError {
  override name = 'TemplateError'
}

/** The template's text is wrong: bad syntax, unknown function, bad argument, too long. */
export class TemplateSyntaxError extends TemplateError {
  override name = 'TemplateSyntaxError'
}

/** The template is fine but cannot be evaluated on these attributes (e.g. a date it cannot read). */
export class TemplateEvaluationError extends TemplateError {
  override name = 'TemplateEvaluationError'
}

/** Which evaluation limit was exceeded. */
export type TemplateLimit = 'inputLength' | 'steps' | 'outputLength'

/** Evaluation stopped at one of the limits, so hostile input can never make it hang or balloon. */
export class TemplateLimitError extends TemplateEvaluationError {
  override name = 'TemplateLimitError'
  readonly limit: TemplateLimit

  constructor(limit: TemplateLimit, problem: string, text: string, offset: number, context?: PolicyContext) {
    super(problem, text, offset, context)
    this.limit = limit
  }
}

/** Every fallback candidate and every numbered variant of the last one is already taken. */
export class UniqueValueExhaustedError extends Error {
  override name = 'UniqueValueExhaustedError'
  readonly context: PolicyContext
  /** The candidates tried, in order, ending with the last numbered variant. */
  readonly tried: readonly string[]

  constructor(tried: readonly string[], context: PolicyContext = {}) {
    const place = describePlace(context)
    const first = tried.slice(0, 3).join(', ')
    const last = tried.length > 3 ? ` … ${tried[tried.length - 1]}` : ''
    super(`${place === '' ? '' : `${place}: `}every candidate value is taken (${first}${last})`)
    this.context = context
    this.tried = tried
  }
}
