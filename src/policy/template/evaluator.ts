/**
 * Evaluation of parsed templates against one identity's source attributes. A missing attribute
 * reads as the empty string, so `default` and fallback lists can take over; every step is counted
 * and every value measured against the template's limits.
 */
import { lookupPath, type SourceAttributes, valueText } from '../attributes.ts'
import { TemplateEvaluationError, type TemplateLimit, TemplateLimitError } from './errors.ts'
import { type EvaluationEnv, FunctionProblem, LimitProblem } from './function-contract.ts'
import type { ExpressionSource, Template } from './template.ts'

export interface EvaluateOptions {
  /** The clock `now` and `today` read; the current time when absent. */
  readonly now?: Date
}

/** Evaluates a template; throws TemplateEvaluationError (or TemplateLimitError) with column and context. */
export function evaluateTemplate(
  template: Template,
  attributes: SourceAttributes,
  options: EvaluateOptions = {},
): string {
  const { text, context, limits } = template
  const now = options.now ?? new Date()
  if (Number.isNaN(now.getTime())) throw new RangeError('evaluateTemplate: options.now is an invalid Date')
  const env: EvaluationEnv = { now, maxLength: limits.maxOutputLength }
  const limit = (kind: TemplateLimit, problem: string, offset: number): never => {
    throw new TemplateLimitError(kind, problem, text, offset, context)
  }
  let steps = 0
  const step = (offset: number): void => {
    if (++steps > limits.maxSteps)
      limit('steps', `evaluation needs more than ${limits.maxSteps} steps`, offset)
  }
  const tooLong = (length: number): boolean => length > limits.maxOutputLength
  let result = ''
  for (const part of template.parts) {
    step(part.offset)
    if (part.kind === 'text') {
      result += part.text
      continue
    }
    let value = read(part.source)
    for (const call of part.calls) {
      step(call.offset)
      try {
        value = call.apply(value, env)
      } catch (error) {
        if (error instanceof LimitProblem)
          limit('outputLength', `${call.name}: ${error.message}`, call.offset)
        if (!(error instanceof FunctionProblem)) throw error
        throw new TemplateEvaluationError(`${call.name}: ${error.message}`, text, call.offset, context)
      }
      if (tooLong(value.length)) {
        limit(
          'outputLength',
          `${call.name} gives ${value.length} characters, over the limit of ${limits.maxOutputLength}`,
          call.offset,
        )
      }
    }
    result += value
    if (tooLong(result.length)) {
      limit('outputLength', `the result is longer than ${limits.maxOutputLength} characters`, part.offset)
    }
  }
  return result

  function read(source: ExpressionSource): string {
    if (source.kind === 'literal') return source.value
    const raw = lookupPath(attributes, source.path, source.parts)
    const value = valueText(raw)
    if (value === undefined) {
      const what = Array.isArray(raw) ? 'a list' : 'an object'
      throw new TemplateEvaluationError(
        `attribute ${source.path} holds ${what}, not a single value: name one of its fields, e.g. ${source.path}.${Array.isArray(raw) ? '0' : 'value'}`,
        text,
        source.offset,
        context,
      )
    }
    if (value.length > limits.maxInputLength) {
      limit(
        'inputLength',
        `attribute ${source.path} is ${value.length} characters long, over the limit of ${limits.maxInputLength}`,
        source.offset,
      )
    }
    return value
  }
}
