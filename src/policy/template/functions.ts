/** The function registry of the template language: lookup by name in any case, with suggestions. */
import { countryCode } from './country-code.ts'
import { dateAdd, dateFormat } from './date-functions.ts'
import type { FunctionSpec } from './function-contract.ts'
import { ifFunction } from './if-function.ts'
import { TEXT_FUNCTIONS } from './text-functions.ts'

const REGISTRY: ReadonlyMap<string, FunctionSpec> = new Map(
  [...TEXT_FUNCTIONS, ifFunction, dateFormat, dateAdd, countryCode].map((spec) => [spec.name, spec]),
)

/** Every function name, sorted. */
export const FUNCTION_NAMES: readonly string[] = [...REGISTRY.keys()].sort()

/** The function named `name`, in any case. */
export function findFunction(name: string): FunctionSpec | undefined {
  return REGISTRY.get(name.toLowerCase())
}

/** Edit distance, stopping early once it exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
      current.push(value)
      best = Math.min(best, value)
    }
    if (best > limit) return limit + 1
    previous = current
  }
  return previous[b.length] ?? limit + 1
}

/** The closest function name to a misspelt one (`lowr` → `lower`), if one is close enough. */
export function suggestFunction(name: string): string | undefined {
  const lower = name.toLowerCase()
  const limit = lower.length <= 4 ? 1 : 2
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of FUNCTION_NAMES) {
    const d = distance(lower, candidate, limit)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  if (best !== undefined || lower.length < 3) return best
  // Longer spellings of a name: lowercase → lower, substr → substring.
  return FUNCTION_NAMES.find((c) => c.length >= 3 && (lower.startsWith(c) || c.startsWith(lower)))
}
