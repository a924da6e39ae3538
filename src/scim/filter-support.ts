/** Whether a target can evaluate a filter itself, per its capabilities, and what the client needs to evaluate it instead. */
import type { ScimCapabilities } from './capabilities.ts'
import type { Filter } from './filter/filter-ast.ts'
import type { EvaluationOptions } from './filter/filter-evaluator.ts'
import { formatAttributePath } from './filter/filter-format.ts'
import { type ResourceSchema, resolveAttribute } from './resource-schema.ts'

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

/** Options for evaluating a filter on the client the way the target would: types and case-exactness from its schema. */
export function localFilterOptions(schema: ResourceSchema): EvaluationOptions {
  return {
    coreSchema: schema.core.id,
    traitsOf: (path) => {
      const resolved = resolveAttribute(schema, path)
      if (!resolved) return undefined
      const definition = resolved.subAttribute ?? resolved.attribute
      return { type: definition.type, caseExact: definition.caseExact, multiValued: definition.multiValued }
    },
  }
}

/**
 * The attribute paths a filter reads, as `attributes` names: `name.givenName`, `emails` for
 * `emails[type eq "work"]`, `urn:…:enterprise:2.0:User:department`.
 */
export function filterAttributePaths(filter: Filter): string[] {
  const paths: string[] = []
  const walk = (node: Filter): void => {
    switch (node.kind) {
      case 'compare':
      case 'present':
      case 'valuePath':
        paths.push(formatAttributePath(node.path))
        return
      case 'and':
      case 'or':
        node.filters.forEach(walk)
        return
      case 'not':
        walk(node.filter)
        return
    }
  }
  walk(filter)
  return [...new Map(paths.map((path) => [path.toLowerCase(), path])).values()]
}

/**
 * The attribute selection to ask a target for when a filter is applied on the client: the
 * attributes the filter reads are added to `attributes` and kept out of `excludedAttributes`,
 * or the filter would see resources without them.
 */
export function selectionForLocalFilter(
  filter: Filter,
  selection: {
    attributes?: readonly string[] | undefined
    excludedAttributes?: readonly string[] | undefined
  },
): { attributes?: string[]; excludedAttributes?: string[] } {
  const needed = filterAttributePaths(filter)
  const result: { attributes?: string[]; excludedAttributes?: string[] } = {}
  if (selection.attributes?.length) {
    const asked = new Set(selection.attributes.map((a) => a.toLowerCase()))
    result.attributes = [...selection.attributes, ...needed.filter((n) => !asked.has(n.toLowerCase()))]
  }
  if (selection.excludedAttributes?.length) {
    result.excludedAttributes = selection.excludedAttributes.filter(
      (excluded) => !needed.some((path) => overlaps(excluded, path)),
    )
  }
  return result
}

/** Whether one attribute path contains the other (`name` and `name.givenName`, an extension URN and its attributes). */
function overlaps(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}:`)
  return within(x, y) || within(y, x)
}
