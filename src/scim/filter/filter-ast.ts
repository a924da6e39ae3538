/** The abstract syntax of SCIM filters (RFC 7644 §3.4.2.2) and attribute paths (§3.5.2). */

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

/**
 * An attribute reference: `[schemaUrn:]name[.subAttribute]`.
 * `uri` is the schema URN when the path was fully qualified, e.g.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 */
export interface AttributePath {
  uri?: string
  name: string
  subAttribute?: string
}

/** A comparison literal: JSON string, number, boolean or null. */
export type FilterValue = string | number | boolean | null

export type Filter =
  | { kind: 'compare'; path: AttributePath; op: CompareOperator; value: FilterValue }
  | { kind: 'present'; path: AttributePath }
  | { kind: 'and'; filters: Filter[] }
  | { kind: 'or'; filters: Filter[] }
  | { kind: 'not'; filter: Filter }
  /** `emails[type eq "work" and value co "@example.com"]`: `filter` applies to each value of `path`. */
  | { kind: 'valuePath'; path: AttributePath; filter: Filter }

/**
 * A PATCH operation's target (RFC 7644 §3.5.2, `PATH = attrPath / valuePath [subAttr]`):
 * `members`, `name.givenName`, `emails[type eq "work"]`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  attribute: AttributePath
  /** The value filter of a valuePath, e.g. `type eq "work"` in `emails[type eq "work"].value`. */
  valueFilter?: Filter
  /** The sub-attribute after a valuePath, e.g. `value` in `emails[type eq "work"].value`. */
  subAttribute?: string
}

/** Why `filter` cannot be the value filter `path[filter]` (RFC 7644 §3.4.2.2 `valFilter`), or undefined. */
// Inside `emails[…]` names are bare sub-attributes of `emails`, and SCIM has no third level to nest into.
export function valueFilterProblem(path: AttributePath, filter: Filter): string | undefined {
  const outer = `${path.uri === undefined ? '' : `${path.uri}:`}${path.name}`
  if (path.subAttribute !== undefined)
    return `a value filter applies to an attribute, not to ${outer}.${path.subAttribute}`
  const walk = (node: Filter): string | undefined => {
    switch (node.kind) {
      case 'and':
      case 'or':
        for (const member of node.filters) {
          const problem = walk(member)
          if (problem !== undefined) return problem
        }
        return undefined
      case 'not':
        return walk(node.filter)
      case 'valuePath':
        return `value filters cannot be nested: ${node.path.name}[...] inside ${outer}[...]`
      default:
        if (node.path.uri === undefined && node.path.subAttribute === undefined) return undefined
        return `inside ${outer}[...] name a sub-attribute of ${outer} alone, without schema URN or '.'`
    }
  }
  return walk(filter)
}
