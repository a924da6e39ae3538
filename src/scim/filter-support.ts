/** Whether a target can evaluate a filter itself, per its capabilities. */
import type { ScimCapabilities } from './capabilities.ts'
import type { Filter } from './filter/filter-ast.ts'

/** True when every operator and combinator of the filter is one the target evaluates. */
export function targetCanEvaluate(filter: Filter, capabilities: Pick<ScimCapabilities, 'filter'>): boolean {
  const { supported, operators, logical } = capabilities.filter
  if (!supported) return false
  const walk = (node: Filter): boolean => {
    switch (node.kind) {
      case 'compare':
        return operators.includes(node.op)
      case 'present':
        // Targets that list operators (eq only, say) rarely implement `pr`; only full-grammar ones do.
        return logical && operators.length === 9
      case 'and':
      case 'or':
        return logical && node.filters.every(walk)
      case 'not':
      case 'valuePath':
        return logical && walk(node.filter)
    }
  }
  return walk(filter)
}
