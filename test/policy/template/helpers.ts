/** Shared helpers of the template tests. */
import { expect } from 'vitest'
import type { SourceAttributes } from '../../../src/policy/attributes.ts'
import type { PolicyContext } from '../../../src/policy/context.ts'
import { TemplateError } from '../../../src/policy/template/errors.ts'
import { evaluateTemplate } from '../../../src/policy/template/evaluator.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'

/** The clock of every date test: Saturday 2026-11-28, 15:00 UTC. */
export const NOW = new Date('2026-11-28T15:00:00Z')

/** Parses and evaluates in one go. */
export function render(template: string, attributes: SourceAttributes = {}, now: Date = NOW): string {
  return evaluateTemplate(parseTemplate(template), attributes, { now })
}

/** Applies one pipe to one value: `apply('lower', 'ABC')` renders `{v | lower}` with v = 'ABC'. */
export function apply(pipe: string, value: unknown, now: Date = NOW): string {
  return render(`{v | ${pipe}}`, { v: value }, now)
}

/** The TemplateError `run` throws; fails the test when it throws none or another kind. */
export function templateError(run: () => unknown, context?: PolicyContext): TemplateError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError)
    if (context !== undefined) expect((error as TemplateError).context).toEqual(context)
    return error as TemplateError
  }
  throw new Error('expected a TemplateError, none was thrown')
}
