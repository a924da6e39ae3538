/**
 * The access graph follows the targets' answers as a run goes, so a plan made right after an
 * apply finds nothing left to do. Rows are built as extraction builds them (normalized attributes,
 * raw resource), so the next extraction of an unchanged account rewrites nothing.
 */
import type { Kysely } from 'kysely'
import { accountContent, groupContent } from '../graph/resource-rows.ts'
import type { AttributeIndex } from '../graph/reverse-index.ts'
import type { ScimGroup, ScimUser } from '../scim/resources.ts'
import type { Database } from '../store/index.ts'

type Db = Kysely<Database>

function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** Writes an account as the target returned it. */
export async function upsertAccount(
  trx: Db,
  integration: string,
  user: ScimUser,
  index: AttributeIndex,
  now: string,
): Promise<void> {
  const row = { ...accountContent(user, index), updated_at: now, removed_at: null }
  await trx
    .insertInto('accounts')
    .values({ integration, id: user.id ?? '', first_seen_at: now, ...row })
    .onConflict((c) => c.columns(['integration', 'id']).doUpdateSet(row))
    .execute()
}

/** Applies changed normalized values to an account when the target answered without the resource. */
export async function patchAccountAttributes(
  trx: Db,
  integration: string,
  id: string,
  values: Readonly<Record<string, unknown>>,
  now: string,
): Promise<void> {
  const row = await trx
    .selectFrom('accounts')
    .select('attributes')
    .where('integration', '=', integration)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return
  const attributes = JSON.parse(row.attributes) as Record<string, unknown>
  for (const [name, value] of Object.entries(values)) {
    if (value === null || value === undefined) delete attributes[name]
    else attributes[name] = value
  }
  // The raw resource is now behind; the next extraction normalizes what the target sends, and
  // rewrites the row if its attributes differ from these.
  await trx
    .updateTable('accounts')
    .set({
      attributes: JSON.stringify(attributes),
      user_name: textOf(attributes.user_name),
      external_id: textOf(attributes.external_id),
      email: textOf(attributes.email),
      active: typeof attributes.active === 'boolean' ? (attributes.active ? 1 : 0) : null,
      updated_at: now,
    })
    .where('integration', '=', integration)
    .where('id', '=', id)
    .execute()
}

/** Writes a group as the target returned it; its members (when listed) become memberships. */
export async function upsertGroup(
  trx: Db,
  integration: string,
  group: ScimGroup,
  index: AttributeIndex,
  now: string,
): Promise<void> {
  const row = { ...groupContent(group, index), updated_at: now, removed_at: null }
  await trx
    .insertInto('groups')
    .values({ integration, id: group.id ?? '', first_seen_at: now, ...row })
    .onConflict((c) => c.columns(['integration', 'id']).doUpdateSet(row))
    .execute()
}

/** Records members added to a group. */
export async function addMemberships(
  trx: Db,
  integration: string,
  groupId: string,
  memberIds: readonly string[],
  memberType: 'User' | 'Group',
  now: string,
): Promise<void> {
  if (memberIds.length === 0) return
  await trx
    .insertInto('memberships')
    .values(
      memberIds.map((member_id) => ({
        integration,
        group_id: groupId,
        member_id,
        member_type: memberType,
        first_seen_at: now,
        removed_at: null,
      })),
    )
    .onConflict((c) => c.columns(['integration', 'group_id', 'member_id']).doUpdateSet({ removed_at: null }))
    .execute()
}

/** Marks members removed from a group. */
export async function removeMemberships(
  trx: Db,
  integration: string,
  groupId: string,
  memberIds: readonly string[],
  now: string,
): Promise<void> {
  if (memberIds.length === 0) return
  await trx
    .updateTable('memberships')
    .set({ removed_at: now })
    .where('integration', '=', integration)
    .where('group_id', '=', groupId)
    .where('member_id', 'in', [...memberIds])
    .where('removed_at', 'is', null)
    .execute()
}

/** Marks an account or group removed, with its memberships either way. */
export async function markRemoved(
  trx: Db,
  integration: string,
  table: 'accounts' | 'groups',
  id: string,
  now: string,
): Promise<void> {
  await trx
    .updateTable(table)
    .set({ removed_at: now })
    .where('integration', '=', integration)
    .where('id', '=', id)
    .execute()
  await trx
    .updateTable('memberships')
    .set({ removed_at: now })
    .where('integration', '=', integration)
    .where((eb) => eb.or([eb('member_id', '=', id), eb('group_id', '=', id)]))
    .where('removed_at', 'is', null)
    .execute()
}

/** Links an identity to its account (replacing an older link of either). */
export async function linkIdentity(
  trx: Db,
  integration: string,
  identity: string,
  accountId: string,
  runId: string,
  now: string,
): Promise<void> {
  await trx
    .deleteFrom('lcm_links')
    .where('integration', '=', integration)
    .where('account_id', '=', accountId)
    .where('identity', '!=', identity)
    .execute()
  await trx
    .insertInto('lcm_links')
    .values({ integration, identity, account_id: accountId, run_id: runId, linked_at: now })
    .onConflict((c) =>
      c
        .columns(['integration', 'identity'])
        .doUpdateSet({ account_id: accountId, run_id: runId, linked_at: now }),
    )
    .execute()
}
