/**
 * `POST /Bulk` (RFC 7644 §3.7). Operations run in request order except that an operation waits for
 * the operations whose `bulkId` it references (anywhere in its data or path). Operations caught in
 * a reference cycle, or referencing a bulkId that failed or does not exist, fail with 409, which
 * §3.7.1 allows instead of resolving cycles in several passes.
 */

import { ScimProtocolError } from '../scim/errors.ts'
import type { BulkOperationResult, BulkResponse } from '../scim/resources.ts'
import { MESSAGE } from '../scim/schemas.ts'
import { asSandboxError, errorReply, type Reply } from './http-io.ts'
import type { SandboxContext, ScimRequest } from './resource-endpoints.ts'

/** Runs one request through the router; injected to keep bulk and router free of an import cycle. */
export type Dispatch = (request: ScimRequest) => Reply

const BULK_ID_REFERENCE = /bulkId:([^\s/"?#,]+)/g
const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

interface Operation {
  index: number
  method: string
  bulkId: string | undefined
  version: string | undefined
  path: string
  data: unknown
  references: Set<string>
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (!value.includes('bulkId:')) return
    for (const match of value.matchAll(BULK_ID_REFERENCE)) into.add(match[1]!)
  } else if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into)
  } else if (isObject(value)) {
    for (const key in value) collectReferences(value[key], into)
  }
}

function resolveReferences(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('bulkId:')) return value
    return value.replace(BULK_ID_REFERENCE, (whole, id: string) => ids.get(id) ?? whole)
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, ids))
  if (isObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key in value) out[key] = resolveReferences(value[key], ids)
    return out
  }
  return value
}

function readOperations(
  body: unknown,
  maxOperations: number,
): { operations: Operation[]; failOnErrors: number } {
  if (!isObject(body))
    throw new ScimProtocolError(400, 'The request body must be a BulkRequest object', 'invalidSyntax')
  if (!Array.isArray(body.schemas) || !body.schemas.includes(MESSAGE.bulkRequest)) {
    throw new ScimProtocolError(400, `"schemas" must be ["${MESSAGE.bulkRequest}"]`, 'invalidSyntax')
  }
  if (!Array.isArray(body.Operations)) {
    throw new ScimProtocolError(400, '"Operations" must be an array', 'invalidSyntax')
  }
  if (body.Operations.length > maxOperations) {
    throw new ScimProtocolError(
      413,
      `The bulk request has ${body.Operations.length} operations; maxOperations is ${maxOperations}`,
      'tooMany',
    )
  }
  let failOnErrors = Number.POSITIVE_INFINITY
  if (body.failOnErrors !== undefined && body.failOnErrors !== null) {
    if (
      typeof body.failOnErrors !== 'number' ||
      !Number.isInteger(body.failOnErrors) ||
      body.failOnErrors < 1
    ) {
      throw new ScimProtocolError(400, '"failOnErrors" must be an integer of at least 1', 'invalidValue')
    }
    failOnErrors = body.failOnErrors
  }
  const bulkIds = new Set<string>()
  const operations = body.Operations.map((raw, index): Operation => {
    const where = `Operations[${index}]`
    if (!isObject(raw)) throw new ScimProtocolError(400, `${where} must be an object`, 'invalidSyntax')
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : ''
    if (!METHODS.has(method)) {
      throw new ScimProtocolError(400, `${where}.method must be POST, PUT, PATCH or DELETE`, 'invalidSyntax')
    }
    if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) {
      throw new ScimProtocolError(400, `${where}.path must be a path such as /Users`, 'invalidSyntax')
    }
    const bulkId = typeof raw.bulkId === 'string' ? raw.bulkId : undefined
    if (method === 'POST' && bulkId === undefined) {
      throw new ScimProtocolError(
        400,
        `${where} is a POST and needs a "bulkId" (RFC 7644 §3.7)`,
        'invalidSyntax',
      )
    }
    if (bulkId !== undefined) {
      if (bulkIds.has(bulkId))
        throw new ScimProtocolError(400, `bulkId "${bulkId}" is used twice`, 'invalidValue')
      bulkIds.add(bulkId)
    }
    const references = new Set<string>()
    collectReferences(raw.path, references)
    collectReferences(raw.data, references)
    return {
      index,
      method,
      bulkId,
      version: typeof raw.version === 'string' ? raw.version : undefined,
      path: raw.path,
      data: raw.data,
      references,
    }
  })
  return { operations, failOnErrors }
}

function splitPath(path: string): { segments: string[]; params: URLSearchParams } {
  const q = path.indexOf('?')
  const pathname = q < 0 ? path : path.slice(0, q)
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s))
  return { segments, params: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)) }
}

function failure(op: Operation, error: ScimProtocolError): BulkOperationResult {
  return {
    method: op.method,
    ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }),
    status: String(error.status),
    response: error.toBody(),
  }
}

/** Answers a BulkRequest; request-level problems throw, operation-level ones go into the response. */
export function runBulk(ctx: SandboxContext, body: unknown, dispatch: Dispatch): Reply {
  const { operations, failOnErrors } = readOperations(body, ctx.limits.bulkMaxOperations)
  const definedBy = new Map<string, Operation>()
  for (const op of operations) if (op.bulkId !== undefined) definedBy.set(op.bulkId, op)

  const ids = new Map<string, string>()
  const failedBulkIds = new Set<string>()
  const results = new Map<number, BulkOperationResult>()
  const pending = new Set(operations)
  let errors = 0

  const record = (op: Operation, result: BulkOperationResult): void => {
    results.set(op.index, result)
    pending.delete(op)
    if (Number(result.status) >= 400) {
      errors += 1
      if (op.bulkId !== undefined) failedBulkIds.add(op.bulkId)
    }
  }

  while (pending.size > 0 && errors < failOnErrors) {
    // The first pending operation (request order) whose references are all settled.
    let next: Operation | undefined
    for (const op of pending) {
      const blocked = [...op.references].some(
        (ref) => definedBy.has(ref) && !ids.has(ref) && !failedBulkIds.has(ref) && definedBy.get(ref) !== op,
      )
      if (!blocked) {
        next = op
        break
      }
    }
    if (!next) {
      // Everything left waits on something else left: cycles, and chains leading into them.
      for (const op of [...pending]) {
        if (errors >= failOnErrors) break
        const refs = [...op.references].map((r) => `bulkId:${r}`).join(', ')
        record(
          op,
          failure(op, new ScimProtocolError(409, `Circular bulkId references (${refs}) cannot be resolved`)),
        )
      }
      continue
    }
    const unresolved = [...next.references].filter((ref) => !ids.has(ref))
    if (unresolved.length > 0) {
      const ref = unresolved[0]!
      const why = !definedBy.has(ref)
        ? 'no operation in this request has that bulkId'
        : definedBy.get(ref) === next
          ? 'an operation cannot reference its own bulkId'
          : 'the operation that defines it failed'
      record(next, failure(next, new ScimProtocolError(409, `bulkId:${ref} cannot be resolved: ${why}`)))
      continue
    }
    record(next, runOperation(ctx, next, ids, dispatch))
  }
  const response: BulkResponse = {
    schemas: [MESSAGE.bulkResponse],
    Operations: [...results.entries()].sort((a, b) => a[0] - b[0]).map(([, result]) => result),
  }
  return { status: 200, body: response }
}

function runOperation(
  ctx: SandboxContext,
  op: Operation,
  ids: Map<string, string>,
  dispatch: Dispatch,
): BulkOperationResult {
  const path = resolveReferences(op.path, ids) as string
  const { segments, params } = splitPath(path)
  const base: BulkOperationResult = {
    method: op.method,
    ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }),
    status: '',
  }
  const resourcePath = (segments[0] === 'Users' || segments[0] === 'Groups') && segments.length <= 2
  if (!resourcePath || (op.method === 'POST') !== (segments.length === 1)) {
    return failure(
      op,
      new ScimProtocolError(
        400,
        `${op.method} ${op.path} is not a bulk operation on a resource`,
        'invalidPath',
      ),
    )
  }
  let reply: Reply
  try {
    reply = dispatch({
      method: op.method,
      segments,
      params,
      ifMatch: op.version,
      ifNoneMatch: undefined,
      body: resolveReferences(op.data, ids),
    })
  } catch (error) {
    // One operation's failure, even an unexpected one, must not lose the results of the others.
    reply = errorReply(asSandboxError(error))
  }
  const location =
    reply.headers?.Location ??
    (segments.length === 2 ? `${ctx.baseUrl}/${segments[0]}/${segments[1]}` : undefined)
  if (reply.status < 400 && op.method === 'POST' && op.bulkId !== undefined && isObject(reply.body)) {
    ids.set(op.bulkId, String(reply.body.id))
  }
  return {
    ...base,
    ...(location === undefined ? {} : { location }),
    ...(reply.headers?.ETag === undefined ? {} : { version: reply.headers.ETag }),
    status: String(reply.status),
    ...(reply.status >= 400 ? { response: reply.body } : {}),
  }
}
