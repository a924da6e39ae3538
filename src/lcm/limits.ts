/**
 * One guard for every destructive kind: deactivations, deletions, membership removals and group
 * deletions are counted per integration, in the run and over the rolling window, against counts
 * and shares of the integration's accounts; and all operations against a total cap. A run over
 * any threshold is stored waiting for approval, with nothing sent.
 */
import type { Kysely } from 'kysely'
import type { IntegrationConfig, LimitThresholds } from '../config/index.ts'
import type { Database } from '../store/index.ts'
import type { PlannedOperation } from './plan.ts'

/** The limit kinds, and the operation kinds each counts. */
const GUARDED = {
  deactivations: ['deactivate_user'],
  deletions: ['delete_user'],
  membershipRemovals: ['remove_members'],
  groupDeletions: ['delete_group'],
} as const satisfies Record<string, readonly PlannedOperation['kind'][]>

export type LimitKind = keyof typeof GUARDED | 'operations'

/** Below this many operations of a kind, the percentage thresholds do not apply. */
export const PERCENT_FLOOR = 10

/** One exceeded threshold. */
export interface LimitBreach {
  integration: string
  kind: LimitKind
  threshold: 'perRun' | 'perRunPercent' | 'perWindow' | 'perWindowPercent' | 'maxOperations'
  /** What the run would reach (for window thresholds: with what the window already holds). */
  count: number
  limit: number
  message: string
}

/** How many targets an operation affects: members for membership changes, else one. */
function weight(op: PlannedOperation): number {
  return op.kind === 'remove_members' ? (op.details.members?.length ?? 1) : 1
}

/** Every threshold the planned operations exceed, per integration. */
export async function checkLimits(
  db: Kysely<Database>,
  operations: readonly PlannedOperation[],
  integrations: ReadonlyMap<string, IntegrationConfig>,
  now: Date,
): Promise<LimitBreach[]> {
  const breaches: LimitBreach[] = []
  for (const [name, config] of integrations) {
    const ops = operations.filter((op) => op.integration === name)
    if (ops.length === 0) continue
    const limits = config.limits
    if (ops.length > limits.maxOperations) {
      breaches.push({
        integration: name,
        kind: 'operations',
        threshold: 'maxOperations',
        count: ops.length,
        limit: limits.maxOperations,
        message: `${ops.length} operations on ${name}, above maxOperations ${limits.maxOperations}`,
      })
    }
    const accounts = await accountCount(db, name)
    const since = new Date(now.getTime() - limits.window).toISOString()
    for (const [kind, kinds] of Object.entries(GUARDED) as Array<[keyof typeof GUARDED, readonly string[]]>) {
      const inRun = ops.filter((op) => kinds.includes(op.kind)).reduce((sum, op) => sum + weight(op), 0)
      if (inRun === 0) continue
      const inWindow = inRun + (await windowCount(db, name, kinds, since))
      breaches.push(...exceeded(name, kind, limits[kind], inRun, inWindow, accounts))
    }
  }
  return breaches
}

function exceeded(
  integration: string,
  kind: keyof typeof GUARDED,
  thresholds: LimitThresholds,
  inRun: number,
  inWindow: number,
  accounts: number,
): LimitBreach[] {
  const found: LimitBreach[] = []
  const words = kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
  const check = (
    threshold: LimitBreach['threshold'],
    count: number,
    limit: number | undefined,
    what: string,
  ) => {
    if (limit !== undefined && count > limit) {
      found.push({
        integration,
        kind,
        threshold,
        count,
        limit,
        message: `${count} ${words} on ${integration} ${what}, above ${threshold} ${limit}`,
      })
    }
  }
  check('perRun', inRun, thresholds.perRun, 'in this run')
  check('perWindow', inWindow, thresholds.perWindow, 'over the window')
  const share = (count: number) => (accounts > 0 ? (count / accounts) * 100 : 100)
  if (inRun > PERCENT_FLOOR)
    check(
      'perRunPercent',
      Math.round(share(inRun) * 10) / 10,
      thresholds.perRunPercent,
      `% of ${accounts} accounts in this run`,
    )
  if (inWindow > PERCENT_FLOOR)
    check(
      'perWindowPercent',
      Math.round(share(inWindow) * 10) / 10,
      thresholds.perWindowPercent,
      `% of ${accounts} accounts over the window`,
    )
  return found
}

async function accountCount(db: Kysely<Database>, integration: string): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('integration', '=', integration)
    .where('removed_at', 'is', null)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Destructive operations of these kinds that succeeded on the integration since `since`. */
async function windowCount(
  db: Kysely<Database>,
  integration: string,
  kinds: readonly string[],
  since: string,
): Promise<number> {
  const rows = await db
    .selectFrom('lcm_operations')
    .select(['kind', 'details'])
    .where('integration', '=', integration)
    .where('kind', 'in', [...kinds])
    .where('status', '=', 'succeeded')
    .where('answered_at', '>=', since)
    .execute()
  return rows.reduce((sum, row) => {
    if (row.kind !== 'remove_members') return sum + 1
    const details = JSON.parse(row.details) as { members?: unknown[] }
    return sum + (details.members?.length ?? 1)
  }, 0)
}
