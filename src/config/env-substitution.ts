/**
 * `${VAR}` and `${VAR:-default}` in provisio.yaml read the environment; `$${` writes a literal `${`.
 * Substitution happens on parsed scalar values, never on the text, so a variable's value is always
 * one string: it cannot add keys, lists or YAML syntax. Keys are never substituted.
 */
import { type Document, isMap, isPair, isScalar, isSeq } from 'yaml'

export type Environment = Readonly<Record<string, string | undefined>>

export interface SubstitutionIssue {
  path: (string | number)[]
  message: string
}

const PLACEHOLDER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/

/** Replaces placeholders in every string value of `doc`, in place; returns what could not be replaced. */
export function substituteEnvironment(doc: Document, env: Environment): SubstitutionIssue[] {
  const issues: SubstitutionIssue[] = []
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        visit(pair.value, [...path, key])
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) visit(item, [...path, index])
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      const { value, problems } = expand(node.value, env)
      node.value = value
      for (const message of problems) issues.push({ path, message })
    }
  }
  visit(doc.contents, [])
  return issues
}

/** The text with placeholders replaced, and a message for each one that could not be. */
export function expand(text: string, env: Environment): { value: string; problems: string[] } {
  const problems: string[] = []
  let value = ''
  let index = 0
  while (index < text.length) {
    if (text.startsWith('$${', index)) {
      value += '${'
      index += 3
      continue
    }
    if (!text.startsWith('${', index)) {
      value += text[index]
      index += 1
      continue
    }
    const end = text.indexOf('}', index + 2)
    if (end < 0) {
      problems.push(`unterminated "\${" (write $\${ for a literal "\${")`)
      value += text.slice(index)
      break
    }
    const inner = text.slice(index + 2, end)
    index = end + 1
    const match = PLACEHOLDER.exec(inner)
    if (!match) {
      problems.push(`"\${${inner}}" is not a variable reference; write \${NAME} or \${NAME:-default}`)
      continue
    }
    const [, name = '', fallback] = match
    const found = env[name]
    if (fallback !== undefined) {
      // As in the shell, `:-` also replaces a variable that is set but empty.
      value += found === undefined || found === '' ? fallback : found
    } else if (found === undefined) {
      problems.push(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`)
    } else {
      value += found
    }
  }
  return { value, problems }
}
