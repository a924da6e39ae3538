/**
 * The memberships a run's groups state in `members`, written by the database from the groups' raw
 * JSON once the groups are stored. Member lists are most of what an extraction reads (a large
 * group lists tens of thousands), and this way no member passes through the process on its way
 * to a row: the database reads each list from the text it already holds, in one statement.
 */
import { type Kysely, SqliteAdapter, sql } from 'kysely'
import type { Database } from '../store/tables.ts'
import type { RowContext } from './staged-rows.ts'

/**
 * Writes a membership for every member of the run's groups that names one (a non-empty string
 * `value`): into the graph for a first extraction, else into staging. A member typed `group` (in
 * any case) is a nested group; untyped members are users until the run is applied. A group whose
 * `members` is not a list states none.
 */
export async function insertGroupMemberships(db: Kysely<Database>, context: RowContext): Promise<void> {
  const staged = context.into === 'staging'
  const into = staged
    ? sql`staged_memberships (integration, group_id, member_id, member_type, run_id)`
    : sql`memberships (integration, group_id, member_id, member_type, first_seen_at)`
  const last = sql`cast(${staged ? context.runId : context.now} as text)`
  const groups = staged ? sql`staged_groups g` : sql`groups g`
  const scope = staged ? sql`g.run_id = ${context.runId}` : sql`g.integration = ${context.integration}`
  const statement =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql`insert into ${into}
          select g.integration, g.id, m.value ->> '$.value',
            case when lower(m.value ->> '$.type') = 'group' then 'Group' else 'User' end, ${last}
          from ${groups}, json_each(g.raw, '$.members') m
          where ${scope} and json_type(g.raw, '$.members') = 'array'
            -- A member that is not an object has SQL text, not JSON, as its value: never parse it.
            and case when m.type = 'object' then json_type(m.value, '$.value') end = 'text'
            and m.value ->> '$.value' <> ''
          on conflict do nothing`
      : // json, not jsonb: jsonb refuses the \u0000 escape any string of a group may hold.
        sql`insert into ${into}
          select g.integration, g.id, m ->> 'value',
            case when lower(m ->> 'type') = 'group' then 'Group' else 'User' end, ${last}
          from ${groups}
            cross join lateral (select g.raw::json -> 'members' as list) l
            cross join lateral json_array_elements(
              case when json_typeof(l.list) = 'array' then l.list else '[]'::json end) m
          where ${scope} and json_typeof(m -> 'value') = 'string' and m ->> 'value' <> ''
          on conflict do nothing`
  await statement.execute(db)
}
