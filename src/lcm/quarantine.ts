/**
 * Quarantine: an integration whose operations mostly fail (credentials refused, target down) is
 * paused with the reason instead of being hammered. Its operations wait, pending, until
 * `provisio integrations resume` or the back-off has passed.
 */
import type { Kysely } from 'kysely'
import { ScimAuthenticationError } from '../scim/index.ts'
import type { Database } from '../store/index.ts'
import { outcomeUnknown } from './operation-runner.ts'

/** Failures of the target itself in a row that pause an integration. */
export const CONSECUTIVE_FAILURES = 5
/** How long a quarantine lasts before runs resume by themselves. */
export const QUARANTINE_BACKOFF_MS = 15 * 60_000

/** Whether an error says the integration itself is unusable, as opposed to one request being wrong. */
export function isTargetFailure(error: unknown): boolean {
  return error instanceof ScimAuthenticationError || outcomeUnknown(error)
}

/** Counts failures per integration during a run and decides when to pause it. */
export class QuarantineTracker {
  readonly #failures = new Map<string, number>()
  readonly #paused = new Map<string, string>()

  /** Records an answer; returns the reason when the integration is now paused. */
  record(integration: string, error: unknown): string | undefined {
    if (error === undefined) {
      this.#failures.set(integration, 0)
      return undefined
    }
    if (!isTargetFailure(error)) return undefined
    const message = error instanceof Error ? error.message : String(error)
    if (error instanceof ScimAuthenticationError)
      return this.pause(integration, `credentials refused: ${message}`)
    const count = (this.#failures.get(integration) ?? 0) + 1
    this.#failures.set(integration, count)
    if (count >= CONSECUTIVE_FAILURES)
      return this.pause(integration, `${count} operations in a row failed; last: ${message}`)
    return undefined
  }

  pause(integration: string, reason: string): string {
    if (!this.#paused.has(integration)) this.#paused.set(integration, reason)
    return this.#paused.get(integration) as string
  }

  reason(integration: string): string | undefined {
    return this.#paused.get(integration)
  }

  paused(): ReadonlyMap<string, string> {
    return this.#paused
  }
}

/** Pauses an integration in the store, until `now + back-off`. */
export async function quarantineIntegration(
  db: Kysely<Database>,
  integration: string,
  reason: string,
  now: Date,
): Promise<void> {
  const row = {
    quarantined_at: now.toISOString(),
    quarantine_reason: reason,
    resume_after: new Date(now.getTime() + QUARANTINE_BACKOFF_MS).toISOString(),
    updated_at: now.toISOString(),
  }
  await db
    .insertInto('integration_states')
    .values({ integration, ...row })
    .onConflict((c) => c.column('integration').doUpdateSet(row))
    .execute()
}

/** Lifts a quarantine. */
export async function resumeIntegration(
  db: Kysely<Database>,
  integration: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('integration_states')
    .set({ quarantined_at: null, quarantine_reason: null, resume_after: null, updated_at: now.toISOString() })
    .where('integration', '=', integration)
    .where('quarantined_at', 'is not', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** The reason an integration is paused now, if it is. */
export async function activeQuarantine(
  db: Kysely<Database>,
  integration: string,
  now: Date,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('integration_states')
    .select(['quarantine_reason', 'resume_after'])
    .where('integration', '=', integration)
    .where('quarantined_at', 'is not', null)
    .executeTakeFirst()
  if (!row || (row.resume_after !== null && row.resume_after <= now.toISOString())) return undefined
  return `${row.quarantine_reason ?? 'quarantined'} (until ${row.resume_after ?? 'resumed'}; \`provisio integrations resume ${integration}\` lifts it)`
}
