/**
 * What a plan costs: requests per integration and, from its rate limits, about how long it takes.
 * Without a requests-per-second limit the estimate assumes 100 ms per request on each of the
 * integration's concurrent connections: a typical SaaS SCIM latency, stated in the output.
 */

import { DEFAULT_CONCURRENCY, integrationConcurrency } from '../vendors/integration-client.ts'
import { looksUpBeforeCreate } from './create-runner.ts'
import type { PlanCost, PlannedOperation } from './plan.ts'
import type { PlanningTarget } from './planner.ts'
import { MOST_PER_QUERY } from './user-lookup.ts'

const ASSUMED_LATENCY_SECONDS = 0.1

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
    const requests =
      (usesBulk
        ? Math.ceil(ops.length / Math.max(1, capabilities.bulk.maxOperations))
        : ops.reduce((sum, op) => sum + (op.method === 'PUT' ? 2 : 1), 0)) + lookups(ops, target, usesBulk)
    const limit = target?.config.rateLimit.requestsPerSecond
    const concurrency = target ? integrationConcurrency(target.config) : DEFAULT_CONCURRENCY
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

/**
 * The look-ups before creates: one query for many user names where filters combine (the executor
 * asks for the next creates' names with the one it needs now); groups one query each, or, with
 * Bulk, many names per query as for users.
 */
function lookups(
  ops: readonly PlannedOperation[],
  target: PlanningTarget | undefined,
  bulk: boolean,
): number {
  const filter = target?.capabilities.filter
  const perQuery = filter?.logical ? Math.max(1, Math.min(MOST_PER_QUERY, filter.maxResults)) : 1
  const users = ops.filter(
    (op) => op.kind === 'create_user' && (!target || looksUpBeforeCreate(op, target)),
  ).length
  const groups = ops.filter((op) => op.kind === 'create_group').length
  return Math.ceil(users / perQuery) + (bulk ? Math.ceil(groups / perQuery) : groups)
}
