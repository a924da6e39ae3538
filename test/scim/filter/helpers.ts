/** Shared helpers of the filter tests. */
import { ScimSyntaxError } from '../../../src/scim/errors.ts'
import type {
  AttributePath,
  CompareOperator,
  Filter,
  FilterValue,
} from '../../../src/scim/filter/filter-ast.ts'

/** The ScimSyntaxError `run` throws; fails the test when it throws nothing or something else. */
export function syntaxError(run: () => unknown): ScimSyntaxError {
  try {
    run()
  } catch (error) {
    if (error instanceof ScimSyntaxError) return error
    throw error
  }
  throw new Error('expected a ScimSyntaxError, but nothing was thrown')
}

/** `name`, `name.sub` or `uri:name[.sub]` as an AttributePath, without parsing. */
export function attr(name: string, subAttribute?: string, uri?: string): AttributePath {
  return {
    ...(uri === undefined ? {} : { uri }),
    name,
    ...(subAttribute === undefined ? {} : { subAttribute }),
  }
}

/** A comparison node on an unqualified path (`a` or `a.b`). */
export function cmp(path: string, op: CompareOperator, value: FilterValue): Filter {
  const [name = '', sub] = path.split('.')
  return { kind: 'compare', path: attr(name, sub), op, value }
}

/** A presence node on an unqualified path. */
export function pr(path: string): Filter {
  const [name = '', sub] = path.split('.')
  return { kind: 'present', path: attr(name, sub) }
}
