// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is provisio.yaml syntax, not a template
/** Reads provisio.yaml: YAML, then `${VAR}` substitution, then the schema, then resolution and freezing. */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument, type YAMLError } from 'yaml'
import type * as z from 'zod'
import { ConfigError, type ConfigIssue, formatPath } from './config-errors.ts'
import { resolveConfig } from './config-resolve.ts'
import { configJsonSchema, configSchema } from './config-schema.ts'
import type { ProvisioConfig } from './config-types.ts'
import { type Environment, substituteEnvironment } from './env-substitution.ts'
import { knownKeysAt, plainMessage, unknownKeyMessage } from './issue-messages.ts'
import { locate } from './yaml-locations.ts'

/** Reads and validates a configuration file; throws ConfigError listing every problem. */
export async function loadConfig(path: string, env: Environment = process.env): Promise<ProvisioConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const message =
      code === 'ENOENT'
        ? 'file not found (pass --config, or start from examples/provisio.yaml)'
        : `cannot be read (${typeof code === 'string' ? code : String(error)})`
    throw new ConfigError(path, [{ path: '', line: 0, column: 0, message }])
  }
  return parseConfig(text, path, env)
}

/**
 * Validates configuration text. `source` is the file's path: it names the file in messages, and
 * relative paths in the file are resolved against its directory. Throws ConfigError listing every problem.
 */
export function parseConfig(text: string, source: string, env: Environment = process.env): ProvisioConfig {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  if (doc.errors.length > 0) throw new ConfigError(source, syntaxIssues(doc.errors, text, lines))

  const issues: ConfigIssue[] = []
  const at = (path: readonly PropertyKey[], message: string, atKey = false, where = path): void => {
    issues.push({ path: formatPath(path), ...locate(doc, lines, where, atKey), message })
  }
  const substituted = substituteEnvironment(doc, env)
  for (const issue of substituted) at(issue.path, issue.message)

  let data: unknown
  try {
    data = doc.toJS() ?? {}
  } catch (error) {
    // yaml refuses documents whose aliases expand exponentially ("billion laughs").
    throw new ConfigError(source, [{ path: '', line: 0, column: 0, message: (error as Error).message }])
  }
  const result = configSchema.safeParse(data, { reportInput: true, error: plainMessage })
  if (!result.success) {
    // A value whose variable is missing is the empty string; what the schema says of it is noise.
    const unresolved = substituted.map((issue) => formatPath(issue.path))
    for (const issue of result.error.issues) {
      const path = issue.path
      if (unresolved.some((prefix) => isWithin(formatPath(path), prefix))) continue
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeysAt(jsonSchema(), path)
        for (const key of issue.keys) at([...path, key], unknownKeyMessage(key, known), true)
      } else if (issue.code === 'invalid_key') {
        at(path, issue.issues[0]?.message ?? issue.message, true)
      } else {
        const { where, atKey } = locationOf(issue)
        at(path, issue.message, atKey, where ?? path)
      }
    }
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(source, issues)
  return resolveConfig(result.data, dirname(resolve(source)))
}

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)
}

/**
 * Where a rule wants its issue shown: `params.at` names another path (whose key is shown), and
 * `params.atKey` asks for the key rather than the value of its own path.
 */
function locationOf(issue: z.core.$ZodIssue): { where?: PropertyKey[]; atKey: boolean } {
  if (issue.code !== 'custom') return { atKey: false }
  const at: unknown = issue.params?.at
  if (Array.isArray(at)) return { where: at, atKey: true }
  return { atKey: issue.params?.atKey === true }
}

let cachedJsonSchema: Record<string, unknown> | undefined
function jsonSchema(): Record<string, unknown> {
  cachedJsonSchema ??= configJsonSchema()
  return cachedJsonSchema
}

/**
 * After the first real syntax error the parser's further complaints are mostly its own confusion,
 * so only that one is shown; duplicate keys are independent of each other and all shown.
 */
function syntaxIssues(errors: readonly YAMLError[], text: string, lines: LineCounter): ConfigIssue[] {
  const duplicates = errors.filter((error) => error.code === 'DUPLICATE_KEY')
  const first = errors.find((error) => error.code !== 'DUPLICATE_KEY')
  return [...duplicates, ...(first ? [first] : [])].map((error) => {
    const { line, col } = lines.linePos(error.pos[0])
    const lineText = text.split(/\r?\n/)[line - 1] ?? ''
    // `{ bearer: ${TOKEN} }` is the classic: inside { } and [ ], `{` and `}` are YAML syntax.
    const placeholder = lineText.indexOf('${')
    if (placeholder >= 0 && /[{[]/.test(lineText.slice(0, placeholder))) {
      const message =
        "a ${…} placeholder inside { } or [ ] must be quoted, e.g. '${TOKEN}' (YAML reads its braces as syntax)"
      return { path: '', line, column: placeholder + 1, message }
    }
    return { path: '', line, column: col, message: `YAML syntax: ${error.message}` }
  })
}
