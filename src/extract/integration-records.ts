/**
 * The `integrations` rows: each configured integration as last applied, with its credentials
 * sealed. A row is rewritten only when the integration's configuration changed.
 */
import { createHmac } from 'node:crypto'
import type { Kysely } from 'kysely'
import { authConfigOf, type IntegrationConfig, type ProvisioConfig } from '../config/index.ts'
import { canonicalJson } from '../graph/index.ts'
import type { AuthConfig } from '../scim/index.ts'
import type { Database, SecretBox } from '../store/index.ts'

/** Writes changed integrations to the store; returns the names written. */
export async function recordIntegrations(
  db: Kysely<Database>,
  config: ProvisioConfig,
  secretBox: SecretBox | undefined,
  now: string,
): Promise<string[]> {
  const stored = new Map(
    (await db.selectFrom('integrations').select(['name', 'config_hash']).execute()).map((row) => [
      row.name,
      row.config_hash,
    ]),
  )
  const written: string[] = []
  for (const integration of Object.values(config.integrations)) {
    const plain = revealedSettings(integration)
    // Keyed so that the stored hash says nothing about low-entropy credentials.
    const hash = createHmac('sha256', config.secretKey?.reveal() ?? 'provisio')
      .update(canonicalJson(plain))
      .digest('hex')
    if (stored.get(integration.name) === hash) continue
    const credentials = 'none' in integration.auth ? '' : sealCredentials(secretBox, plain.auth)
    await db
      .insertInto('integrations')
      .values({
        name: integration.name,
        vendor: integration.vendor,
        base_url: integration.url,
        credentials,
        config_hash: hash,
        lifecycle_management: integration.lifecycleManagement ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet({
          vendor: integration.vendor,
          base_url: integration.url,
          credentials,
          config_hash: hash,
          lifecycle_management: integration.lifecycleManagement ? 1 : 0,
          updated_at: now,
        }),
      )
      .execute()
    written.push(integration.name)
  }
  return written
}

function sealCredentials(secretBox: SecretBox | undefined, auth: AuthConfig): string {
  // The configuration refuses credentials without a secretKey, so this is a broken invariant.
  if (!secretBox) throw new Error('credentials cannot be stored without a secretKey')
  return secretBox.seal(JSON.stringify(auth))
}

function revealedSettings(integration: IntegrationConfig): { auth: AuthConfig; settings: unknown } {
  const { auth: _auth, ...settings } = integration
  return { auth: authConfigOf(integration), settings }
}
