/**
 * Reads an action file (YAML or JSON: a list of `{ <action>: { … } }` items) into actions, with
 * every problem reported at once with its line and column, as configuration errors are.
 */
import { readFile } from 'node:fs/promises'
import { LineCounter, parseDocument } from 'yaml'
import type * as z from 'zod'
import { formatPath } from '../config/config-errors.ts'
import { ConfigError, type ConfigIssue } from '../config/index.ts'
import { plainMessage } from '../config/issue-messages.ts'
import { locate } from '../config/yaml-locations.ts'
import { ACTION_NAMES, ACTION_SCHEMAS, type ActionName, type LifecycleAction, toAction } from './actions.ts'

/** Reads and validates an action file; throws ConfigError naming every problem. */
export async function loadActionFile(path: string): Promise<LifecycleAction[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error)
    throw new ConfigError(path, [
      { path: '', line: 0, column: 0, message: `cannot read the action file: ${reason}` },
    ])
  }
  return parseActionFile(text, path)
}

/** Validates action file text (YAML, of which JSON is a subset). */
export function parseActionFile(text: string, source = 'actions'): LifecycleAction[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const issues: ConfigIssue[] = []
  const at = (path: readonly PropertyKey[], message: string, atKey = false) => {
    const { line, column } = locate(doc, lines, path, atKey)
    issues.push({ path: formatPath(path), line, column, message })
  }
  const syntax = doc.errors[0]
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0])
    throw new ConfigError(source, [
      { path: '', line, column: col, message: `YAML syntax: ${syntax.message}` },
    ])
  }
  const data: unknown = doc.toJS()
  if (!Array.isArray(data)) {
    at([], 'expected a list of actions, e.g. "- sync_identity: { integration: jira, attributes: { … } }"')
    throw new ConfigError(source, issues)
  }
  const actions: LifecycleAction[] = []
  data.forEach((item: unknown, index) => {
    const action = parseItem(item, [index], at)
    if (action) actions.push(action)
  })
  if (issues.length > 0) throw new ConfigError(source, issues)
  return actions
}

type Report = (path: readonly PropertyKey[], message: string, atKey?: boolean) => void

function parseItem(item: unknown, path: PropertyKey[], at: Report): LifecycleAction | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    at(path, `expected one action, e.g. "sync_identity: { … }"; known actions: ${ACTION_NAMES.join(', ')}`)
    return undefined
  }
  const keys = Object.keys(item)
  const unknown = keys.filter((key) => !(ACTION_NAMES as readonly string[]).includes(key))
  for (const key of unknown)
    at([...path, key], `unknown action "${key}"; expected one of ${ACTION_NAMES.join(', ')}`, true)
  if (unknown.length > 0) return undefined
  if (keys.length !== 1) {
    at(path, 'give exactly one action per list item')
    return undefined
  }
  const name = keys[0] as ActionName
  const result = ACTION_SCHEMAS[name].safeParse((item as Record<string, unknown>)[name], {
    error: plainMessage,
  })
  if (result.success) return toAction(name, result.data as never)
  for (const issue of result.error.issues) reportIssue(issue, [...path, name], at)
  return undefined
}

function reportIssue(issue: z.core.$ZodIssue, base: PropertyKey[], at: Report): void {
  const path = [...base, ...issue.path]
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) at([...path, key], `unknown key "${key}"`, true)
  } else {
    at(path, issue.message)
  }
}
