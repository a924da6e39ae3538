/** Builds RFC 7644 §3.5.2 PatchOp requests shaped to what the target accepts. */
import type { MemberRemovalStyle, ScimCapabilities } from './capabilities.ts'
import type { Filter, PatchPath } from './filter/filter-ast.ts'
import { where } from './filter/filter-builder.ts'
import { formatPatchPath } from './filter/filter-format.ts'
import { parseAttributePath } from './filter/filter-parser.ts'
import type { PatchOperation } from './resources.ts'
import { MESSAGE } from './schemas.ts'

/** A patch path: plain text (`name.givenName`, `emails[type eq "work"].value`) or a built PatchPath. */
export type PatchPathInput = string | PatchPath

/** Accumulates PATCH operations; paths built from values are escaped by the filter formatter. */
export class PatchBuilder {
  readonly #operations: PatchOperation[] = []

  /** `add`: appends to multi-valued attributes, sets single-valued ones. */
  add(path: PatchPathInput | undefined, value: unknown): this {
    this.#operations.push(withPath({ op: 'add', value }, path))
    return this
  }

  /** `replace`: replaces the target's value (the whole attribute when the path has no filter). */
  replace(path: PatchPathInput | undefined, value: unknown): this {
    this.#operations.push(withPath({ op: 'replace', value }, path))
    return this
  }

  /** `remove`: removes the target; `value` is only for the Entra-legacy member list style. */
  remove(path: PatchPathInput, value?: unknown): this {
    this.#operations.push(withPath(value === undefined ? { op: 'remove' } : { op: 'remove', value }, path))
    return this
  }

  /** The operations built so far. */
  build(): PatchOperation[] {
    return [...this.#operations]
  }
}

function withPath(operation: PatchOperation, path: PatchPathInput | undefined): PatchOperation {
  if (path === undefined) return operation
  return { ...operation, path: typeof path === 'string' ? path : formatPatchPath(path) }
}

/** A value-filter path such as `emails[type eq "work"].value`, with the filter values escaped. */
export function valuePath(attribute: string, filter: Filter, subAttribute?: string): PatchPath {
  return {
    attribute: parseAttributePath(attribute),
    valueFilter: filter,
    ...(subAttribute === undefined ? {} : { subAttribute }),
  }
}

/** Operations adding members to a group, one PATCH's worth per chunk of `maxMembersPerPatch`. */
export function addMembersOperations(memberIds: readonly string[], maxPerPatch: number): PatchOperation[][] {
  return chunk(memberIds, maxPerPatch).map((ids) => [
    { op: 'add', path: 'members', value: ids.map((value) => ({ value })) },
  ])
}

/**
 * Operations removing members from a group in the target's style. `replace-all` needs the
 * current member ids, since the whole list is sent.
 */
export function removeMembersOperations(
  memberIds: readonly string[],
  style: MemberRemovalStyle,
  maxPerPatch: number,
  currentMemberIds: readonly string[] = [],
): PatchOperation[][] {
  if (style === 'replace-all') {
    const removed = new Set(memberIds)
    const kept = currentMemberIds.filter((id) => !removed.has(id))
    return [[{ op: 'replace', path: 'members', value: kept.map((value) => ({ value })) }]]
  }
  return chunk(memberIds, maxPerPatch).map((ids) =>
    style === 'value-list'
      ? [{ op: 'remove', path: 'members', value: ids.map((value) => ({ value })) }]
      : ids.map(
          (id): PatchOperation => ({
            op: 'remove',
            path: formatPatchPath(valuePath('members', where.eq('value', id))),
          }),
        ),
  )
}

/** The request body for operations, with the target's `op` casing and operations key. */
export function patchRequestBody(
  operations: readonly PatchOperation[],
  capabilities: Pick<ScimCapabilities, 'patchOpCasing' | 'patchOperationsKey'>,
): Record<string, unknown> {
  const shaped = operations.map((operation) =>
    capabilities.patchOpCasing === 'capitalized' ? { ...operation, op: capitalize(operation.op) } : operation,
  )
  return { schemas: [MESSAGE.patchOp], [capabilities.patchOperationsKey]: shaped }
}

function capitalize(op: string): string {
  return op.charAt(0).toUpperCase() + op.slice(1)
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, size)
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += step) chunks.push(items.slice(i, i + step))
  return chunks
}
