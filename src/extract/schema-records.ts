/** A target's `/Schemas` and the reverse attribute index, kept in the store; rewritten only when they change. */
import type { Kysely } from 'kysely'
import type { AttributeIndex } from '../graph/index.ts'
import type { SchemaDefinition } from '../scim/index.ts'
import type { AttributeIndexTable, Database } from '../store/tables.ts'

/** Replaces the stored schemas and index rows of an integration when they differ from what was read. */
export async function replaceSchemas(
  db: Kysely<Database>,
  integration: string,
  schemas: readonly SchemaDefinition[],
  index: AttributeIndex,
  now: string,
): Promise<void> {
  const schemaRows = schemas.map((schema) => ({
    integration,
    urn: schema.id,
    name: schema.name ?? null,
    definition: JSON.stringify(schema),
    updated_at: now,
  }))
  const indexRows: AttributeIndexTable[] = index.rows(integration)
  const storedSchemas = await db
    .selectFrom('target_schemas')
    .select(['urn', 'definition'])
    .where('integration', '=', integration)
    .execute()
  const storedIndex = await db
    .selectFrom('attribute_index')
    .selectAll()
    .where('integration', '=', integration)
    .execute()
  const sameSchemas =
    fingerprint(storedSchemas.map((row) => [row.urn, row.definition])) ===
    fingerprint(schemaRows.map((row) => [row.urn, row.definition]))
  const sameIndex = fingerprint(storedIndex) === fingerprint(indexRows)
  if (sameSchemas && sameIndex) return
  await db.transaction().execute(async (trx) => {
    if (!sameSchemas) {
      await trx.deleteFrom('target_schemas').where('integration', '=', integration).execute()
      if (schemaRows.length > 0) await trx.insertInto('target_schemas').values(schemaRows).execute()
    }
    if (!sameIndex) {
      await trx.deleteFrom('attribute_index').where('integration', '=', integration).execute()
      for (let i = 0; i < indexRows.length; i += 500) {
        await trx
          .insertInto('attribute_index')
          .values(indexRows.slice(i, i + 500))
          .execute()
      }
    }
  })
}

/** An order-independent fingerprint of rows, to compare what is stored with what was read. */
function fingerprint(rows: readonly unknown[]): string {
  return rows
    .map((row) => JSON.stringify(Array.isArray(row) ? row : Object.entries(row as object).sort()))
    .sort()
    .join('\n')
}

/** Deletes an integration's stored schemas and reverse index (extension schemas turned off). */
export async function forgetSchemas(db: Kysely<Database>, integration: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('target_schemas').where('integration', '=', integration).execute()
    await trx.deleteFrom('attribute_index').where('integration', '=', integration).execute()
  })
}
