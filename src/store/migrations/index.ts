/**
 * Every migration, in the order it runs. Names sort in that order and never change once released:
 * a database remembers them, and a name it knows but this list lacks stops the migrator.
 */
import type { Migration } from 'kysely'
import { accessGraph } from './0001_access_graph.ts'
import { extractionSpeed } from './0002_extraction_speed.ts'
import { lifecycle } from './0003_lifecycle.ts'
import { sources } from './0004_sources.ts'
import { policies } from './0005_policies.ts'
import { contentCompare } from './0006_content_compare.ts'

/** The ordered record of migrations, shared by SQLite and PostgreSQL. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_access_graph': accessGraph,
  '0002_extraction_speed': extractionSpeed,
  '0003_lifecycle': lifecycle,
  '0004_sources': sources,
  '0005_policies': policies,
  '0006_content_compare': contentCompare,
}
