/** Rows with every column set the way the graph writes them, for the store's contract tests. */
import type { Insertable } from 'kysely'
import type { AccountsTable, Database, GroupsTable } from '../../src/store/tables.ts'

/** The table names of tables.ts, which the first migration must create. */
export const TABLES: Array<keyof Database> = [
  'integrations',
  'extraction_runs',
  'accounts',
  'groups',
  'memberships',
  'target_schemas',
  'attribute_index',
  'staged_accounts',
  'staged_groups',
  'staged_memberships',
  'leases',
  'lcm_runs',
  'lcm_operations',
  'lcm_audit',
  'lcm_links',
  'integration_states',
]

export const T0 = '2024-05-01T08:00:00.000Z'
export const T1 = '2024-05-02T09:30:15.250Z'

/** An account as extraction would store it; `n` varies the id and names. */
export function account(
  integration: string,
  n: number,
  overrides: Partial<AccountsTable> = {},
): AccountsTable {
  const userName = `User${n}@Example.com`
  return {
    integration,
    id: `u-${n}`,
    user_name: userName,
    external_id: `ext-${n}`,
    display_name: `User ${n}`,
    email: userName.toLowerCase(),
    active: 1,
    attributes: JSON.stringify({ user_name: userName, title: 'Engineer' }),
    raw: JSON.stringify({ id: `u-${n}`, userName, active: true }),
    created_at: T0,
    last_modified: T0,
    content_hash: `hash-${n}`,
    first_seen_at: T0,
    updated_at: T0,
    removed_at: null,
    ...overrides,
  }
}

/** A group as extraction would store it. */
export function group(integration: string, n: number): GroupsTable {
  return {
    integration,
    id: `g-${n}`,
    display_name: `Team ${n}`,
    external_id: null,
    attributes: '{}',
    raw: JSON.stringify({ id: `g-${n}`, displayName: `Team ${n}` }),
    created_at: null,
    last_modified: null,
    content_hash: `ghash-${n}`,
    first_seen_at: T0,
    updated_at: T0,
    removed_at: null,
  }
}

/** One row for each table, with nulls, 0/1 flags, integers and ISO text all represented. */
export function oneRowPerTable(integration: string): { [K in keyof Database]: Insertable<Database[K]> } {
  const { first_seen_at: _f, updated_at: _u, removed_at: _r, ...stagedAccount } = account(integration, 1)
  const { first_seen_at: _gf, updated_at: _gu, removed_at: _gr, ...stagedGroup } = group(integration, 1)
  return {
    integrations: {
      name: integration,
      vendor: 'atlassian',
      base_url: 'https://api.atlassian.com/scim/directory/abc',
      credentials: 'v1:aaaa:bbbb:cccc',
      config_hash: 'cfg',
      lifecycle_management: 0,
      created_at: T0,
      updated_at: T1,
    },
    extraction_runs: {
      id: `run-${integration}`,
      integration,
      mode: 'full',
      status: 'succeeded',
      started_at: T0,
      finished_at: T1,
      duration_ms: 2_147_000_000,
      users_seen: 100_000,
      groups_seen: 12,
      memberships_seen: 0,
      rows_written: 5,
      rows_removed: 0,
      error: null,
      heartbeat_at: T1,
    },
    accounts: account(integration, 1, { active: 0, removed_at: T1, email: null }),
    groups: group(integration, 1),
    memberships: {
      integration,
      group_id: 'g-1',
      member_id: 'u-1',
      member_type: 'User',
      first_seen_at: T0,
      removed_at: null,
    },
    target_schemas: {
      integration,
      urn: 'urn:ietf:params:scim:schemas:core:2.0:User',
      name: null,
      definition: '{"attributes":[]}',
      updated_at: T0,
    },
    attribute_index: {
      integration,
      resource_type: 'User',
      normalized_name: 'scim_extension_acme_badge_color',
      schema_urn: 'urn:acme:User',
      attribute_path: 'badgeColor',
      type: 'string',
      multi_valued: 1,
      mutability: 'readWrite',
      case_exact: 0,
    },
    staged_accounts: { ...stagedAccount, run_id: `run-${integration}`, active: null },
    staged_groups: { ...stagedGroup, run_id: `run-${integration}` },
    staged_memberships: {
      run_id: `run-${integration}`,
      integration,
      group_id: 'g-1',
      member_id: 'g-2',
      member_type: 'Group',
    },
    leases: { name: `lease-${integration}`, holder: 'host-a:123', expires_at: T1 },
    lcm_runs: {
      id: `lcm-${integration}`,
      kind: 'apply',
      status: 'awaiting_approval',
      origin: 'actions:actions.yaml',
      requested_by: 'ops@host-a',
      policy_version: null,
      rollback_of: null,
      created_at: T0,
      started_at: null,
      finished_at: null,
      approved_by: null,
      approved_at: null,
      limits_report: '[{"kind":"deactivations","count":30,"limit":25}]',
      problems: null,
      error: null,
      holder: null,
      heartbeat_at: null,
      operation_count: 30,
    },
    lcm_operations: {
      run_id: `lcm-${integration}`,
      seq: 1,
      integration,
      action: 'sync_identity',
      kind: 'create_user',
      identity: 'ada@example.com',
      lane: 'user:ada@example.com',
      method: 'POST',
      path: '/Users',
      body: '{"userName":"ada@example.com"}',
      details: '{}',
      status: 'succeeded',
      outcome: 'created',
      attempts: 1,
      response_status: 201,
      result_id: 'u-1',
      error: null,
      sent_at: T0,
      answered_at: T1,
    },
    lcm_audit: {
      id: `audit-${integration}`,
      run_id: `lcm-${integration}`,
      seq: 1,
      integration,
      actor: 'ops@host-a',
      at: T0,
      method: 'POST',
      path: '/Users',
      request: null,
      status: null,
      error: 'connection reset',
    },
    lcm_links: {
      integration,
      identity: 'ada@example.com',
      account_id: 'u-1',
      run_id: null,
      linked_at: T0,
    },
    integration_states: {
      integration,
      quarantined_at: T0,
      quarantine_reason: 'authentication failed (401)',
      resume_after: T1,
      updated_at: T0,
    },
  }
}
