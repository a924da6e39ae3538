/**
 * A first extraction writes straight into the integration's empty graph: there is no previous
 * graph to keep whole, so staging and copying every row would only double the writes.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../store/tables.ts'
import type { ApplyCounts } from './graph-apply.ts'

/** Whether the integration's graph is empty, so a full extraction may write straight into it. */
export async function graphIsEmpty(db: Kysely<Database>, integration: string): Promise<boolean> {
  const account = await db
    .selectFrom('accounts')
    .select('id')
    .where('integration', '=', integration)
    .limit(1)
    .executeTakeFirst()
  if (account) return false
  const group = await db
    .selectFrom('groups')
    .select('id')
    .where('integration', '=', integration)
    .limit(1)
    .executeTakeFirst()
  return !group
}

/** Completes a first extraction written straight into the graph: nested-group edges and counts. */
export async function completeDirectRun(db: Kysely<Database>, integration: string): Promise<ApplyCounts> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('memberships')
      .set({ member_type: 'Group' })
      .where('integration', '=', integration)
      .where('member_type', '=', 'User')
      .where((eb) =>
        eb(
          'member_id',
          'in',
          eb.selectFrom('groups').select('groups.id').where('groups.integration', '=', integration),
        ),
      )
      .execute()
    const count = async (table: 'accounts' | 'groups' | 'memberships') =>
      Number(
        (
          await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('integration', '=', integration)
            .executeTakeFirst()
        )?.n ?? 0,
      )
    const memberships = await count('memberships')
    return {
      rowsWritten: (await count('accounts')) + (await count('groups')) + memberships,
      rowsRemoved: 0,
      membershipsSeen: memberships,
    }
  })
}

/** Takes back what a failed first extraction wrote, leaving the integration's graph empty as it was. */
export async function discardDirectRun(db: Kysely<Database>, integration: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('memberships').where('integration', '=', integration).execute()
    await trx.deleteFrom('groups').where('integration', '=', integration).execute()
    await trx.deleteFrom('accounts').where('integration', '=', integration).execute()
  })
}
