/** Configuration errors: every problem of a file at once, each with its path and line:column. */

export interface ConfigIssue {
  /** Dotted path in the file, e.g. `integrations.jira.url` or `policies[0].source`; empty for the whole file. */
  readonly path: string
  /** 1-based line and column; 0 when the problem concerns the whole file (e.g. it cannot be read). */
  readonly line: number
  readonly column: number
  readonly message: string
}

/** Thrown by loadConfig and parseConfig; the message lists every issue, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  /** The file name the issues refer to. */
  readonly source: string
  readonly issues: readonly ConfigIssue[]

  constructor(source: string, issues: readonly ConfigIssue[]) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column)
    const lines = sorted.map((issue) => formatIssue(source, issue))
    super(
      lines.length === 1
        ? (lines[0] as string)
        : [`${source}: ${lines.length} problems in the configuration`, ...lines].join('\n'),
    )
    this.source = source
    this.issues = Object.freeze(sorted.map((issue) => Object.freeze({ ...issue })))
  }
}

/** `provisio.yaml:12:7 integrations.jira.url: must be https`, as editors and terminals link it. */
export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${source}:${issue.line}:${issue.column}` : `${source}:`
  return `${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`
}

/** A path as it reads in the file: `integrations.jira.auth.bearer`, `policies[0].workflows[1].on`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let text = ''
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment))
      text += text ? `.${segment}` : segment
    else text += `[${JSON.stringify(String(segment))}]`
  }
  return text
}
