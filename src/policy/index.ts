/** Policies: transformer templates and conditions over source attributes. Grammar: docs/transformers.md. */
export type { SourceAttributes } from './attributes.ts'
export * from './conditions.ts'
export { type PolicyContext, PolicyTextError } from './context.ts'
export * from './template/errors.ts'
export { type EvaluateOptions, evaluateTemplate } from './template/evaluator.ts'
export { FUNCTION_NAMES } from './template/functions.ts'
export { parseTemplate } from './template/parser.ts'
export {
  DEFAULT_TEMPLATE_LIMITS,
  referencedAttributes,
  Template,
  type TemplateLimits,
} from './template/template.ts'
export * from './template/transformer.ts'
