/**
 * SCIM Bulk (RFC 7644 §3.7): operations split to the target's `maxOperations` and
 * `maxPayloadSize`, `bulkId` references kept working across the split, and every result
 * mapped back to the operation that caused it.
 */
import type { ScimCapabilities } from './capabilities.ts'
import { type ScimError, ScimMalformedResponseError, ScimUnsupportedError } from './errors.ts'
import { errorFromResponse } from './http/response-errors.ts'
import type { ScimTransport } from './http/transport.ts'
import type { BulkOperation, BulkOperationResult } from './resources.ts'
import { MESSAGE } from './schemas.ts'

/** The outcome of one bulk operation, in the order the operations were given. */
export interface BulkResult {
  operation: BulkOperation
  status: number
  /** Id of the created or changed resource, from `location` or the response. */
  id?: string
  location?: string
  version?: string
  response?: unknown
  /** The operation's failure as a typed error; absent on success. */
  error?: ScimError
  /** True when the operation was not sent because `failOnErrors` stopped the request. */
  skipped?: boolean
}

export interface BulkOptions {
  /** Stop after this many errors (per request sent), as RFC 7644 `failOnErrors`. */
  failOnErrors?: number
}

const BULK_ID_REFERENCE = /^bulkId:(.+)$/

/** Runs operations through `/Bulk` in as few requests as the target's limits allow. */
export async function runBulk(
  transport: ScimTransport,
  capabilities: ScimCapabilities,
  operations: readonly BulkOperation[],
  options: BulkOptions & { integration?: string | undefined } = {},
): Promise<BulkResult[]> {
  if (!capabilities.bulk.supported) {
    throw new ScimUnsupportedError('The target does not support SCIM Bulk', {
      integration: options.integration,
    })
  }
  const ordered = orderByReferences(operations)
  const results = new Map<BulkOperation, BulkResult>()
  const knownIds = new Map<string, string>()
  let errors = 0
  let next = 0
  while (next < ordered.length) {
    if (options.failOnErrors !== undefined && errors >= options.failOnErrors) {
      for (const operation of ordered.slice(next))
        results.set(operation, { operation, status: 0, skipped: true })
      break
    }
    const envelope = {
      schemas: [MESSAGE.bulkRequest],
      ...(options.failOnErrors === undefined ? {} : { failOnErrors: options.failOnErrors - errors }),
    }
    // Batches are cut from the operations as they will be sent: a `bulkId:` reference answered by
    // an earlier request is replaced by the real id, which is longer and counts against the limit.
    const { batch, sent } = takeBatch(ordered, next, envelope, capabilities.bulk, knownIds)
    next += batch.length
    const response = await transport.request({
      method: 'POST',
      path: '/Bulk',
      body: { ...envelope, Operations: sent },
      idempotent: false,
    })
    const answered = readBulkResponse(response.body, options.integration)
    batch.forEach((operation, index) => {
      const answer = matchAnswer(answered, sent[index]!, index)
      const result = toResult(operation, answer, options.integration)
      if (result.error) errors += 1
      if (operation.bulkId && result.id) knownIds.set(operation.bulkId, result.id)
      results.set(operation, result)
    })
  }
  return operations.map((operation) => results.get(operation)!)
}

/** Puts every operation after the operations whose `bulkId` it references (stable otherwise). */
function orderByReferences(operations: readonly BulkOperation[]): BulkOperation[] {
  const byBulkId = new Map(operations.filter((o) => o.bulkId).map((o) => [o.bulkId!, o]))
  const done = new Set<BulkOperation>()
  const visiting = new Set<BulkOperation>()
  const ordered: BulkOperation[] = []
  const visit = (operation: BulkOperation): void => {
    if (done.has(operation)) return
    // A cycle is left for the server to report (RFC 7644 §3.7.1 allows it to resolve or refuse).
    if (visiting.has(operation)) return
    visiting.add(operation)
    for (const reference of referencedBulkIds(operation)) {
      const target = byBulkId.get(reference)
      if (target) visit(target)
    }
    visiting.delete(operation)
    done.add(operation)
    ordered.push(operation)
  }
  operations.forEach(visit)
  return ordered
}

function referencedBulkIds(operation: BulkOperation): string[] {
  const found: string[] = []
  const pathMatch = operation.path.match(/bulkId:([^/]+)/)
  if (pathMatch?.[1]) found.push(pathMatch[1])
  walkStrings(operation.data, (value) => {
    const match = BULK_ID_REFERENCE.exec(value)
    if (match?.[1]) found.push(match[1])
    return value
  })
  return found
}

/** Replaces references to operations answered in earlier requests by the ids they got. */
function resolveKnownReferences(
  operation: BulkOperation,
  knownIds: ReadonlyMap<string, string>,
): BulkOperation {
  if (knownIds.size === 0) return operation
  const replace = (value: string): string => {
    const match = BULK_ID_REFERENCE.exec(value)
    return match?.[1] && knownIds.has(match[1]) ? knownIds.get(match[1])! : value
  }
  const path = operation.path.replace(/bulkId:([^/]+)/, (whole, id: string) => knownIds.get(id) ?? whole)
  return {
    ...operation,
    path,
    ...(operation.data === undefined ? {} : { data: walkStrings(operation.data, replace) }),
  }
}

function walkStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === 'string') return map(value)
  if (Array.isArray(value)) return value.map((item) => walkStrings(item, map))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walkStrings(item, map)]))
  }
  return value
}

/**
 * The next request's operations from `start`: as many as `maxOperations` and `maxPayloadSize`
 * (bytes of the JSON body sent) allow, at least one. `sent` holds them with known ids resolved.
 */
function takeBatch(
  ordered: readonly BulkOperation[],
  start: number,
  envelope: Record<string, unknown>,
  limits: ScimCapabilities['bulk'],
  knownIds: ReadonlyMap<string, string>,
): { batch: BulkOperation[]; sent: BulkOperation[] } {
  const batch: BulkOperation[] = []
  const sent: BulkOperation[] = []
  // The body is the envelope with `"Operations":[…]`: the operations plus a comma between each two.
  let size = Buffer.byteLength(JSON.stringify({ ...envelope, Operations: [] }))
  for (let i = start; i < ordered.length; i++) {
    const operation = ordered[i]!
    const resolved = resolveKnownReferences(operation, knownIds)
    const bytes = Buffer.byteLength(JSON.stringify(resolved)) + (batch.length > 0 ? 1 : 0)
    const full =
      batch.length >= limits.maxOperations ||
      (limits.maxPayloadSize > 0 && size + bytes > limits.maxPayloadSize)
    if (batch.length > 0 && full) break
    batch.push(operation)
    sent.push(resolved)
    size += bytes
  }
  return { batch, sent }
}

function readBulkResponse(body: unknown, integration: string | undefined): BulkOperationResult[] {
  const operations = (body as { Operations?: unknown } | undefined)?.Operations
  if (!Array.isArray(operations)) {
    throw new ScimMalformedResponseError('a BulkResponse needs an "Operations" array', {
      integration,
      request: { method: 'POST', url: '/Bulk' },
      status: 200,
      body: JSON.stringify(body) ?? '',
    })
  }
  return operations as BulkOperationResult[]
}

/** The answer for an operation: by `bulkId` when it has one, else by position. */
function matchAnswer(
  answers: readonly BulkOperationResult[],
  operation: BulkOperation,
  index: number,
): BulkOperationResult | undefined {
  if (operation.bulkId) {
    const byId = answers.find((answer) => answer.bulkId === operation.bulkId)
    if (byId) return byId
  }
  const positional = answers[index]
  if (positional && positional.method?.toUpperCase() === operation.method) return positional
  return undefined
}

function toResult(
  operation: BulkOperation,
  answer: BulkOperationResult | undefined,
  integration: string | undefined,
): BulkResult {
  // Servers stop answering after failOnErrors is reached: the rest were not performed.
  if (!answer) return { operation, status: 0, skipped: true }
  const status = Number(answer.status)
  const location = answer.location
  const response = answer.response
  const idFromResponse = (response as { id?: unknown } | undefined)?.id
  const id = typeof idFromResponse === 'string' ? idFromResponse : location?.split('/').pop()
  const result: BulkResult = {
    operation,
    status,
    ...(id ? { id } : {}),
    ...(location ? { location } : {}),
    ...(answer.version ? { version: answer.version } : {}),
    ...(response === undefined ? {} : { response }),
  }
  if (status >= 200 && status < 300) return result
  const request = { method: operation.method, url: operation.path }
  return { ...result, error: errorFromResponse(status, response, {}, { integration, request }) }
}
