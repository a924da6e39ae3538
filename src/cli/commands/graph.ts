/** `provisio graph users|groups|members --integration I [--filter F]`: search the access graph. */
import type { Command } from 'commander'
import {
  type GraphRecord,
  searchAccounts,
  searchGroups,
  searchMemberships,
} from '../../graph/graph-queries.ts'
import { type Filter, parseFilter, ScimSyntaxError } from '../../scim/index.ts'
import { selectIntegrations, withCommandContext } from '../context.ts'
import { UsageError } from '../exit-codes.ts'

const SEARCHES = { users: searchAccounts, groups: searchGroups, members: searchMemberships } as const
type GraphKind = keyof typeof SEARCHES

/** Adds the `graph` command. */
export function registerGraphCommand(program: Command): void {
  const graph = program.command('graph').description('search the access graph')
  for (const kind of Object.keys(SEARCHES) as GraphKind[]) {
    graph
      .command(kind)
      .description(`list ${kind} of an integration, optionally filtered`)
      .requiredOption('--integration <name>', 'integration to search')
      .option(
        '--filter <filter>',
        'SCIM filter over normalized names, e.g. \'department eq "Sales" and active eq true\'',
      )
      .action(async (options: { integration: string; filter?: string }) => {
        const filter = parseCliFilter(options.filter)
        await withCommandContext(program, async (context) => {
          const [integration] = selectIntegrations(context.config, [options.integration])
          const records = SEARCHES[kind](context.store.db, integration!.name, filter)
          if (context.json) {
            await writeJsonArray(records)
            return
          }
          const table: GraphRecord[] = []
          for await (const record of records) table.push(record)
          process.stdout.write(formatTable(kind, table))
        })
      })
  }
}

/**
 * Writes records as `JSON.stringify(records, null, 2)` would, one record at a time, so a graph of
 * any size is printed with the memory of one page of the search.
 */
async function writeJsonArray(records: AsyncIterable<GraphRecord>): Promise<void> {
  let first = true
  for await (const record of records) {
    const text = JSON.stringify(record, null, 2).replaceAll('\n', '\n  ')
    await write(`${first ? '[\n  ' : ',\n  '}${text}`)
    first = false
  }
  await write(first ? '[]\n' : '\n]\n')
}

/** Writes to stdout, waiting while its buffer is full. */
function write(text: string): Promise<void> {
  if (process.stdout.write(text)) return Promise.resolve()
  return new Promise((resolve) => process.stdout.once('drain', resolve))
}

function parseCliFilter(text: string | undefined): Filter | undefined {
  if (text === undefined) return undefined
  try {
    return parseFilter(text)
  } catch (error) {
    if (error instanceof ScimSyntaxError) throw new UsageError(`--filter: ${error.message}`)
    throw error
  }
}

const COLUMNS: Record<GraphKind, string[]> = {
  users: ['user_name', 'display_name', 'email', 'active', 'title', 'department'],
  groups: ['display_name', 'external_id', 'description'],
  members: ['group_name', 'member_type', 'member_name'],
}

function formatTable(kind: GraphKind, records: readonly GraphRecord[]): string {
  const columns = COLUMNS[kind]
  const cell = (value: unknown) => (value === undefined || value === null ? '' : String(value))
  const rows = records.map((record) => columns.map((column) => cell(record[column])))
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return `${[line(columns), ...rows.map(line)].join('\n')}\n${records.length} ${kind}\n`
}
