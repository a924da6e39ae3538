/** How policy runs read on a terminal, and their `--json` form. */
import type { PolicyConfig, ProvisioConfig } from '../config/index.ts'
import type { PolicyOutcome } from '../policy/policy-runner.ts'
import { UsageError } from './exit-codes.ts'
import { formatPlan, planJson } from './plan-output.ts'

/** The named policy, or every policy; an unknown name is a usage error. */
export function selectPolicies(config: ProvisioConfig, name: string | undefined): PolicyConfig[] {
  if (name === undefined) {
    if (config.policies.length === 0)
      throw new UsageError('the configuration has no policies; give --actions FILE, or add policies to it')
    return [...config.policies]
  }
  const policy = config.policies.find((p) => p.name === name)
  if (!policy) {
    throw new UsageError(
      `unknown policy ${JSON.stringify(name)}; configured: ${config.policies.map((p) => p.name).join(', ') || 'none'}`,
    )
  }
  return [policy]
}

/** Per identity and event: the workflows that fired and every transformer's result; then the plan. */
export function formatOutcome(outcome: PolicyOutcome): string {
  const lines: string[] = []
  const source = outcome.source
  lines.push(
    `policy ${outcome.policy} (${outcome.state}${outcome.version ? `, version ${outcome.version}` : ''}): source ${source.name} ${source.status}` +
      (source.status === 'refused'
        ? ` — ${source.error ?? ''}; the previous snapshot stays in force`
        : `, ${source.identities} identities, ${source.problems} problem(s)`),
  )
  for (const identity of outcome.identities) {
    if (identity.workflows.length === 0 && identity.problems.length === 0) continue
    lines.push(
      `  ${identity.event} ${identity.key}${identity.reason ? ` (${identity.reason})` : ''}: workflow ${identity.workflows.join(', ')}`,
    )
    for (const t of identity.transforms)
      lines.push(
        `    ${t.integration}.${t.attribute} = ${t.value === undefined ? '(empty)' : JSON.stringify(t.value)}`,
      )
    for (const problem of identity.problems) lines.push(`    ✘ ${problem}`)
  }
  for (const orphan of outcome.orphans)
    lines.push(`  orphan in ${orphan.integration}: ${orphan.userName} (no identity backs it)`)
  for (const drift of outcome.drift) {
    lines.push(
      `  drift (reported) ${drift.integration} ${drift.identity}.${drift.attribute}: target ${JSON.stringify(drift.target)}, source ${JSON.stringify(drift.source)}`,
    )
  }
  lines.push(formatPlan(outcome.plan).trimEnd())
  if (outcome.run) {
    lines.push(`run ${outcome.run.id}: ${outcome.run.status}`)
    for (const breach of outcome.run.breaches) lines.push(`  limit: ${breach.message}`)
    if (outcome.run.status === 'awaiting_approval')
      lines.push(`  approve with: provisio apply --approve ${outcome.run.id}`)
  }
  for (const n of outcome.notifications)
    lines.push(`  notified ${n.url} for ${n.identity}: ${n.ok ? 'ok' : 'failed'} (${n.detail})`)
  return `${lines.join('\n')}\n`
}

/** `--json` of a policy run: the plan's shape plus what the policy saw. */
export function outcomeJson(outcome: PolicyOutcome): Record<string, unknown> {
  return {
    policy: outcome.policy,
    version: outcome.version,
    state: outcome.state,
    source: outcome.source,
    identities: outcome.identities,
    orphans: outcome.orphans,
    drift: outcome.drift,
    ...planJson(outcome.plan),
    run: outcome.run ?? null,
    notifications: outcome.notifications,
  }
}

/** Exit status of policy runs: 1 when a source was refused, a plan has errors or a run did not succeed. */
export function outcomeFailed(outcome: PolicyOutcome): boolean {
  if (outcome.source.status === 'refused') return true
  if (outcome.plan.problems.some((p) => p.kind === 'error')) return true
  return outcome.run !== undefined && !['succeeded', 'dry_run'].includes(outcome.run.status)
}

/** Several policies' runs: all their operations, then each policy's part. */
export function policiesJson(outcomes: readonly PolicyOutcome[]): Record<string, unknown> {
  const parts = outcomes.map(outcomeJson)
  return {
    operations: parts.flatMap((p) => p.operations as unknown[]),
    summary: {
      policies: outcomes.length,
      operations: outcomes.reduce((n, o) => n + o.plan.operations.length, 0),
    },
    policies: parts,
  }
}
