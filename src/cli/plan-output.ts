/** How plans and runs read on a terminal, and their stable `--json` shapes (DESIGN.md "Command line"). */
import type { Plan, PlannedOperation } from '../lcm/index.ts'
import type { JournaledOperation } from '../lcm/run-records.ts'

/** `{"operations": [{integration, action, method, path, body, identity}…], "summary": {…}}` */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    operations: plan.operations.map((op) => ({
      seq: op.seq,
      integration: op.integration,
      action: op.action,
      kind: op.kind,
      method: op.method,
      path: op.path,
      body: op.body ?? null,
      identity: op.identity,
      dependsOn: op.details.dependsOn,
    })),
    summary: planSummary(plan),
    problems: plan.problems,
    cost: plan.cost,
  }
}

/** Counts by kind, problems, and unchanged actions. */
export function planSummary(plan: Plan): Record<string, unknown> {
  const byKind: Record<string, number> = {}
  for (const op of plan.operations) byKind[op.kind] = (byKind[op.kind] ?? 0) + 1
  return {
    operations: plan.operations.length,
    byKind,
    unchanged: plan.unchanged,
    disputed: plan.problems.filter((p) => p.kind === 'disputed').length,
    errors: plan.problems.filter((p) => p.kind === 'error').length,
  }
}

const WHAT: Record<PlannedOperation['kind'], string> = {
  create_user: 'create user',
  update_user: 'update user',
  deactivate_user: 'deactivate user',
  delete_user: 'delete user',
  add_members: 'add to group',
  remove_members: 'remove from group',
  create_group: 'create group',
  update_group: 'update group',
  delete_group: 'delete group',
}

/** One line per operation, then problems and cost. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = []
  if (plan.operations.length === 0) lines.push('Nothing to do: every action is already in effect.')
  for (const op of plan.operations) lines.push(formatOperation(op))
  for (const problem of plan.problems) {
    lines.push(
      `${problem.kind === 'disputed' ? '? disputed' : '✘ error'}  ${problem.integration}  ${problem.identity}: ${problem.message}`,
    )
    for (const candidate of problem.candidates ?? []) lines.push(`      candidate ${candidate}`)
  }
  for (const cost of plan.cost) {
    const rate =
      cost.rateSource === 'rate limit'
        ? `${cost.rate} requests/s rate limit`
        : `${cost.rate} requests/s assumed (concurrency × 100 ms)`
    lines.push(
      `${cost.integration}: ${cost.operations} operations in ${cost.requests} requests${cost.bulk ? ' (SCIM Bulk)' : ''}, about ${cost.estimatedSeconds} s at ${rate}`,
    )
  }
  if (plan.unchanged > 0) lines.push(`${plan.unchanged} action(s) need nothing.`)
  return `${lines.join('\n')}\n`
}

function formatOperation(op: PlannedOperation): string {
  const subject =
    op.kind === 'add_members' || op.kind === 'remove_members'
      ? `${op.details.memberNames?.join(', ') ?? op.identity} ${op.kind === 'add_members' ? '→' : '✕'} ${op.details.groupName ?? op.details.targetId ?? ''}`
      : op.identity
  const body = op.body === undefined ? '' : `  ${JSON.stringify(op.body)}`
  return `${String(op.seq).padStart(4)}  ${op.integration}  ${op.method.padEnd(6)} ${op.path}  ${WHAT[op.kind]}: ${subject}${body}`
}

/** A journaled operation for `runs show`. */
export function formatJournaled(op: JournaledOperation): string {
  const status =
    op.status === 'succeeded' ? '✔' : op.status === 'failed' ? '✘' : op.status === 'skipped' ? '–' : '…'
  const detail = op.error ? `  ${op.error}` : op.outcome ? `  ${op.outcome}` : ''
  return `${status} ${String(op.seq).padStart(4)}  ${op.integration}  ${op.method.padEnd(6)} ${op.path}  ${WHAT[op.kind as PlannedOperation['kind']] ?? op.kind}: ${op.identity}  [${op.status}${op.responseStatus ? ` ${op.responseStatus}` : ''}]${detail}`
}
