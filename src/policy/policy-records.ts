/**
 * What the store keeps of policies: the versions of each definition (a run names the version that
 * produced it) and the memberships each policy granted, the only ones it ever takes away.
 */
import type { Kysely } from 'kysely'
import type { PolicyConfig } from '../config/index.ts'
import { canonicalJson, contentHash } from '../graph/content-hash.ts'
import type { JournaledOperation } from '../lcm/run-records.ts'
import type { Database } from '../store/index.ts'

type Db = Kysely<Database>

/** Keys per `in (…)` list: far below both backends' parameter limits. */
const KEYS_PER_QUERY = 500

/** The policy's current version number, adding a version when its definition changed. */
export async function recordPolicyVersion(db: Db, policy: PolicyConfig, now: Date): Promise<number> {
  const definition = canonicalJson(policy)
  const hash = contentHash(policy)
  return db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('policy_versions')
      .select(['version', 'hash'])
      .where('policy', '=', policy.name)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (latest?.hash === hash) return latest.version
    const version = (latest?.version ?? 0) + 1
    await trx
      .insertInto('policy_versions')
      .values({ policy: policy.name, version, hash, definition, created_at: now.toISOString() })
      .execute()
    return version
  })
}

/** Groups (lower-cased names) the policy granted an identity in an integration. */
export async function managedGroups(
  db: Db,
  policy: string,
  integration: string,
  identity: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('policy_memberships')
    .select('group_name')
    .where('policy', '=', policy)
    .where('integration', '=', integration)
    .where('identity', '=', identity)
    .execute()
  return new Set(rows.map((row) => row.group_name))
}

/**
 * Managed memberships of a policy: integration → identity → groups. All of them, or those of some
 * identities in some integrations (an event-driven run needs its few identities' only).
 */
export async function allManagedGroups(
  db: Db,
  policy: string,
  scope?: { identities: Iterable<string>; integrations: readonly string[] },
): Promise<Map<string, Map<string, Set<string>>>> {
  const query = db
    .selectFrom('policy_memberships')
    .select(['integration', 'identity', 'group_name'])
    .where('policy', '=', policy)
  const rows = []
  if (scope === undefined) rows.push(...(await query.execute()))
  else {
    const keys = [...new Set(scope.identities)]
    // Policy, integration and identity lead the primary key: each batch is an index look-up.
    for (const integration of scope.integrations) {
      for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
        const batch = keys.slice(i, i + KEYS_PER_QUERY)
        rows.push(
          ...(await query.where('integration', '=', integration).where('identity', 'in', batch).execute()),
        )
      }
    }
  }
  const byIntegration = new Map<string, Map<string, Set<string>>>()
  for (const row of rows) {
    const identities = byIntegration.get(row.integration) ?? new Map<string, Set<string>>()
    byIntegration.set(row.integration, identities)
    const groups = identities.get(row.identity) ?? new Set<string>()
    identities.set(row.identity, groups)
    groups.add(row.group_name)
  }
  return byIntegration
}

/**
 * Brings the managed memberships in line with what a run did: groups it added are the policy's,
 * groups it removed are no longer, and a deprovisioned identity has none left.
 */
export async function recordManagedChanges(
  db: Db,
  policy: string,
  runId: string,
  operations: readonly JournaledOperation[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const op of operations) {
      const identity = op.details.identity
      if (op.status !== 'succeeded' || identity === undefined) continue
      if (op.kind === 'deactivate_user' || op.kind === 'delete_user') {
        await trx
          .deleteFrom('policy_memberships')
          .where('policy', '=', policy)
          .where('integration', '=', op.integration)
          .where('identity', '=', identity)
          .execute()
        continue
      }
      const group = op.details.groupName?.toLowerCase()
      if (group === undefined) continue
      if (op.kind === 'add_members' && op.outcome === 'changed') {
        await trx
          .insertInto('policy_memberships')
          .values({
            policy,
            integration: op.integration,
            identity,
            group_name: group,
            run_id: runId,
            granted_at: now.toISOString(),
          })
          .onConflict((c) => c.columns(['policy', 'integration', 'identity', 'group_name']).doNothing())
          .execute()
      } else if (op.kind === 'remove_members') {
        await trx
          .deleteFrom('policy_memberships')
          .where('policy', '=', policy)
          .where('integration', '=', op.integration)
          .where('identity', '=', identity)
          .where('group_name', '=', group)
          .execute()
      }
    }
  })
}
