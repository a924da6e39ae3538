/**
 * Transformers: one template, or a list of fallbacks tried in order, turned into the value an
 * attribute gets. Uniqueness is the caller's (`isTaken` asks the target or the graph); this
 * module only decides the order of candidates and the numbered variants after them.
 */
import type { SourceAttributes } from '../attributes.ts'
import { isBlank } from '../attributes.ts'
import type { PolicyContext } from '../context.ts'
import { TemplateSyntaxError, UniqueValueExhaustedError } from './errors.ts'
import { type EvaluateOptions, evaluateTemplate } from './evaluator.ts'
import { parseTemplate } from './parser.ts'
import type { Template, TemplateLimits } from './template.ts'

/** The most numbered variants of the last candidate `resolve` tries: john.doe2 … john.doe100. */
export const DEFAULT_MAX_SUFFIX = 100

export interface ResolveOptions extends EvaluateOptions {
  /** The highest number appended to the last candidate before giving up. */
  readonly maxSuffix?: number
}

/** Tells whether a value is already in use in the target; may ask it over the network. */
export type IsTaken = (value: string) => boolean | Promise<boolean>

/** A compiled transformer. */
export interface Transformer {
  readonly templates: readonly Template[]
  /** Every source attribute any of its templates reads. */
  readonly attributes: readonly string[]
  /** The non-blank results of its templates, in order, without repeats. */
  candidates(attributes: SourceAttributes, options?: EvaluateOptions): string[]
  /** The first candidate not taken, else the last one numbered (john.doe2, john.doe2@x.com); undefined when all are blank. */
  resolve(
    attributes: SourceAttributes,
    isTaken?: IsTaken,
    options?: ResolveOptions,
  ): Promise<string | undefined>
}

/** `john.doe` → `john.doe2`; in an email the number goes before the `@`: `john.doe2@x.com`. */
export function numbered(value: string, n: number): string {
  const at = value.lastIndexOf('@')
  return at > 0 ? `${value.slice(0, at)}${n}${value.slice(at)}` : `${value}${n}`
}

/** Compiles a template or a fallback list; throws TemplateSyntaxError naming the template at fault. */
export function compileTransformer(
  spec: string | readonly string[],
  context: PolicyContext = {},
  limits: Partial<TemplateLimits> = {},
): Transformer {
  const texts = typeof spec === 'string' ? [spec] : spec
  if (texts.length === 0) throw new TemplateSyntaxError('empty list of templates', '', 0, context)
  const templates = Object.freeze(
    texts.map((text, i) =>
      parseTemplate(text, texts.length > 1 ? { ...context, template: i + 1 } : context, limits),
    ),
  )
  const attributes = Object.freeze([...new Set(templates.flatMap((t) => t.attributes))])

  const candidates = (source: SourceAttributes, options: EvaluateOptions = {}): string[] => {
    const found: string[] = []
    for (const template of templates) {
      const value = evaluateTemplate(template, source, options)
      if (!isBlank(value) && !found.includes(value)) found.push(value)
    }
    return found
  }

  const resolve = async (
    source: SourceAttributes,
    isTaken?: IsTaken,
    options: ResolveOptions = {},
  ): Promise<string | undefined> => {
    const list = candidates(source, options)
    const last = list[list.length - 1]
    if (last === undefined || isTaken === undefined) return list[0]
    for (const candidate of list) if (!(await isTaken(candidate))) return candidate
    const tried = [...list]
    const maxSuffix = options.maxSuffix ?? DEFAULT_MAX_SUFFIX
    for (let n = 2; n <= maxSuffix; n++) {
      const candidate = numbered(last, n)
      tried.push(candidate)
      if (!(await isTaken(candidate))) return candidate
    }
    throw new UniqueValueExhaustedError(tried, context)
  }

  return Object.freeze({ templates, attributes, candidates, resolve })
}
