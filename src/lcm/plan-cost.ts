/**
 * What a plan costs: requests per integration and, from its rate limits, about how long it takes.
 * Without a requests-per-second limit the estimate assumes 100 ms per request on each of the
 * integration's concurrent connections: a typical SaaS SCIM latency, stated in the output.
 */
import type { PlanCost, PlannedOperation } from './plan.ts'
import type { PlanningTarget } from './planner.ts'

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
      ? Math.ceil(ops.length / Math.max(1, capabilities.bulk.maxOperations))
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
  if (op.kind === 'create_user' && target && target.profile.identity.duplicateCreate !== 'conflict') return 2
  return 1
}
