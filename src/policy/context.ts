/** Where a template or condition sits in the configuration, and the error class both kinds share. */

/** Names the place of a template or condition in the configuration; every part is optional. */
export interface PolicyContext {
  /** The policy's name, shown quoted: `policy "employees"`. */
  readonly policy?: string
  /** Where in the policy or file, as the caller words it: `workflow 2 when`, `source "hr" leaver`. */
  readonly location?: string
  /** The target attribute a transformer writes: `attribute user_name`. */
  readonly attribute?: string
  /** 1-based position of a template in a fallback list: `template 2`. */
  readonly template?: number
}

/** `policy "employees", workflow 2 when, attribute user_name, column 12`; absent parts are left out. */
export function describePlace(context: PolicyContext, column?: number): string {
  const parts: string[] = []
  if (context.policy !== undefined) parts.push(`policy ${JSON.stringify(context.policy)}`)
  if (context.location !== undefined) parts.push(context.location)
  if (context.attribute !== undefined) parts.push(`attribute ${context.attribute}`)
  if (context.template !== undefined) parts.push(`template ${context.template}`)
  if (column !== undefined) parts.push(`column ${column}`)
  return parts.join(', ')
}

/** 1-based column of a 0-based UTF-16 offset, counted in characters so emoji count once. */
export function columnOf(text: string, offset: number): number {
  let column = 1
  for (const _ of text.slice(0, Math.max(0, offset))) column++
  return column
}

/** A problem located in the text of a template or condition. */
export class PolicyTextError extends Error {
  /** The problem alone, without place: `unknown function "lowr" (did you mean "lower"?)`. */
  readonly problem: string
  /** The whole template or condition text. */
  readonly text: string
  /** 0-based UTF-16 offset into `text`, for callers that map it into a file. */
  readonly offset: number
  /** 1-based column in `text`, in characters. */
  readonly column: number
  readonly context: PolicyContext

  constructor(problem: string, text: string, offset: number, context: PolicyContext = {}) {
    const column = columnOf(text, offset)
    super(`${describePlace(context, column)}: ${problem}`)
    this.problem = problem
    this.text = text
    this.offset = offset
    this.column = column
    this.context = context
  }
}
