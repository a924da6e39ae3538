/** Messages for zod issues as a person editing provisio.yaml wants to read them. */
import type * as z from 'zod'

type RawIssue = z.core.$ZodRawIssue

/** Per-parse error map: plain wording for zod's generic messages; schema-specific messages win over it. */
export function plainMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'required'
        : `expected ${withArticle(issue.expected)}, got ${kindOf(issue.input)}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`
    case 'too_small':
      return bound(issue.origin, issue.inclusive ? 'at least' : 'more than', issue.minimum)
    case 'too_big':
      return bound(issue.origin, issue.inclusive ? 'at most' : 'less than', issue.maximum)
    default:
      return undefined
  }
}

function bound(origin: string, relation: string, limit: number | bigint): string | undefined {
  if (origin === 'string') return `must be ${relation} ${limit} characters long`
  if (origin === 'array') return `needs ${relation} ${limit} item${limit === 1 ? '' : 's'}`
  if (origin === 'number' || origin === 'int') return `must be ${relation} ${limit}`
  return undefined
}

function withArticle(expected: string): string {
  if (expected === 'object') return 'a mapping'
  if (expected === 'array') return 'a list'
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`
}

function kindOf(input: unknown): string {
  if (input === null) return 'nothing (null)'
  if (Array.isArray(input)) return 'a list'
  if (typeof input === 'object') return 'a mapping'
  if (typeof input === 'string') return `the string ${JSON.stringify(input)}`
  return `${typeof input} ${String(input)}`
}

/** `unknown key "x"`, with the closest known key when there is a likely typo, else the known keys. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.length === 0) return `unknown key "${key}"`
  const closest = known
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0]
  if (closest && closest.distance <= Math.max(1, Math.floor(key.length / 4))) {
    return `unknown key "${key}" (did you mean "${closest.candidate}"?)`
  }
  return `unknown key "${key}"; expected one of ${known.join(', ')}`
}

type JsonSchema = { properties?: Record<string, JsonSchema>; additionalProperties?: unknown; items?: unknown }

/** The keys a JSON Schema allows for the mapping at `path` (records and lists are stepped through). */
export function knownKeysAt(schema: JsonSchema, path: readonly PropertyKey[]): string[] {
  let node: JsonSchema | undefined = schema
  for (const segment of path) {
    if (!node) break
    if (typeof segment === 'number') node = asSchema(node.items)
    else node = node.properties?.[String(segment)] ?? asSchema(node.additionalProperties)
  }
  return Object.keys(node?.properties ?? {})
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null ? (value as JsonSchema) : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] as number
}
