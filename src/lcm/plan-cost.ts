/**
 * What a plan costs: requests per integration and, from its rate limits, about how long it takes.
 * Without a requests-per-second limit the estimate assumes 100 ms per request on each of the
 * integration's concurrent connections: a typical SaaS SCIM latency, stated in the output.
 */
import type { PlanCost, PlannedOperation } from './plan.ts'
import type { PlanningTarget } from './planner.ts'
import { MOST_PER_QUERY } from './user-lookup.ts'

const ASSUMED_LATENCY_SECONDS = 0.1
/** Concurrency when neither the file nor the vendor profile gives one. */
export const DEFAULT_CONCURRENCY = 8

/** Requests and time per integration of planned operations. */
export function planCost(
  operations: readonly PlannedOperation[],
  targets: ReadonlyMap<string, PlanningTarget>,
  bulk: boolean,
): PlanCost[] {
  const byIntegration = new Map<string, PlannedOperation[]>()
  for (const op of operations) {
    const list = byIntegration.get(op.integration)
    if (list) list.push(op)
    else byIntegration.set(op.integration, [op])
  }
  return [...byIntegration].map(([integration, ops]) => {
    const target = targets.get(integration)
    const capabilities = target?.capabilities
    const usesBulk = bulk && capabilities?.bulk.supported === true
    const requests = usesBulk
      ? Math.ceil(ops.length / Math.max(1, capabilities.bulk.maxOperations)) + bulkLookups(ops, target)
      : ops.reduce((sum, op) => sum + requestsOf(op, target), 0)
    const limit = target?.config.rateLimit.requestsPerSecond
    const concurrency = target?.config.rateLimit.concurrency ?? DEFAULT_CONCURRENCY
    const rate = limit ?? concurrency / ASSUMED_LATENCY_SECONDS
    return {
      integration,
      operations: ops.length,
      requests,
      rate,
      rateSource: limit ? 'rate limit' : 'concurrency',
      estimatedSeconds: Math.round((requests / rate) * 10) / 10,
      bulk: usesBulk,
    }
  })
}

/** A GET before a PUT where PATCH is missing; a look-up before a create where 409 cannot be trusted. */
function requestsOf(op: PlannedOperation, target: PlanningTarget | undefined): number {
  if (op.method === 'PUT') return 2
  return looksUp(op, target) ? 2 : 1
}

/** Groups are always looked up before they are created; users where a duplicate may not answer 409. */
function looksUp(op: PlannedOperation, target: PlanningTarget | undefined): boolean {
  if (op.kind === 'create_group') return true
  return op.kind === 'create_user' && target?.profile.identity.duplicateCreate !== 'conflict'
}

/** The look-ups before the creates of bulk requests: one query for many names where filters combine. */
function bulkLookups(ops: readonly PlannedOperation[], target: PlanningTarget | undefined): number {
  const creates = ops.filter((op) => looksUp(op, target)).length
  const filter = target?.capabilities.filter
  const perQuery = filter?.logical ? Math.max(1, Math.min(MOST_PER_QUERY, filter.maxResults)) : 1
  return Math.ceil(creates / perQuery)
}
