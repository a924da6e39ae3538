/**
 * Reads the Users of another SCIM service as a source, with the project's own client, page by
 * page. Attributes get the access graph's normalized names (`user_name`, `email`, `department`…),
 * plus `id`, the resource's id at that service. Any failed request refuses the read: a listing
 * cut short would make everyone on the missing pages a leaver.
 */

import type { ScimSourceConfig } from '../config/config-types.ts'
import { authConfigOf } from '../config/index.ts'
import { normalizeUser } from '../graph/normalize.ts'
import { parseFilter } from '../scim/filter/filter-parser.ts'
import { ScimClient } from '../scim/scim-client.ts'
import { RecordCollector } from './record-collector.ts'
import type { SourceRead } from './source-types.ts'

/** Makes the client a scim source is read with; tests pass one for a local service. */
export type ScimClientFactory = (source: ScimSourceConfig) => ScimClient

/** The client for a scim source: its URL and credentials, errors labelled with the source's name. */
export function createScimSourceClient(source: ScimSourceConfig): ScimClient {
  return new ScimClient({
    baseUrl: source.url,
    auth: authConfigOf(source),
    integration: `source ${source.name}`,
  })
}

// Bookkeeping of the service, not facts about the person: a target touching lastModified on every
// login would otherwise make everyone a mover.
const NOT_IDENTITY_DATA = ['created_at', 'last_modified'] as const

// SCIM compares userName and emails without case (RFC 7643 §4.1); a key differing only in case is
// the same person, not a leaver and a joiner.
const CASE_INSENSITIVE_KEYS = new Set(['user_name', 'email'])

/** Reads every User (matching the source's `filter`) as an identity record. */
export async function readScimSource(
  source: ScimSourceConfig,
  createClient: ScimClientFactory = createScimSourceClient,
): Promise<SourceRead> {
  const collector = new RecordCollector(source.name)
  const client = createClient(source)
  const foldCase = CASE_INSENSITIVE_KEYS.has(source.key)
  try {
    await client.discover({ schemas: false })
    const filter = source.filter === undefined ? undefined : parseFilter(source.filter)
    for await (const user of client.users.list(filter === undefined ? {} : { filter })) {
      const attributes: Record<string, unknown> = normalizeUser(user)
      for (const name of NOT_IDENTITY_DATA) delete attributes[name]
      if (typeof user.id === 'string') attributes.id = user.id
      const key = attributes[source.key]
      collector.add(
        foldCase && typeof key === 'string' ? key.toLowerCase() : key,
        attributes,
        undefined,
        source.key,
      )
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return collector.refuse('read_failed', `reading Users failed: ${reason}`, undefined, error)
  } finally {
    await client.close()
  }
  return collector.finish()
}
