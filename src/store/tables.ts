/**
 * The store's tables as Kysely sees them. One schema for SQLite and PostgreSQL: timestamps are
 * ISO-8601 UTC text (they sort as text), booleans are 0/1 integers, JSON is text.
 */
/** 0 or 1: SQLite has no boolean type, so both backends store integers. */
export type Flag = 0 | 1

/** One configured SCIM target, as last applied from the configuration file. */
export interface IntegrationsTable {
  name: string
  vendor: string
  base_url: string
  /** AES-256-GCM envelope of the credentials (see secret-box.ts); never clear text. */
  credentials: string
  /** Hash of the integration's configuration, to notice changes. */
  config_hash: string
  lifecycle_management: Flag
  created_at: string
  updated_at: string
}

/** One extraction of one integration. */
export interface ExtractionRunsTable {
  id: string
  integration: string
  mode: 'full' | 'incremental'
  status: 'running' | 'succeeded' | 'failed'
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  users_seen: number
  groups_seen: number
  memberships_seen: number
  /** Rows created or changed in the graph by this run. */
  rows_written: number
  /** Accounts, groups and memberships marked removed by this run. */
  rows_removed: number
  error: string | null
  /** Updated while the run progresses, so a crashed run can be told from a slow one. */
  heartbeat_at: string
}

/** A user account in a target, as last extracted. */
export interface AccountsTable {
  integration: string
  /** The target's SCIM id. */
  id: string
  user_name: string | null
  external_id: string | null
  display_name: string | null
  email: string | null
  active: Flag | null
  /** Normalized attributes (DESIGN.md names) as JSON. */
  attributes: string
  /**
   * The resource as the target returned it: the JSON text it sent, or, when it indented its JSON,
   * the same JSON written compactly. Compared with `attributes` to tell a changed row.
   */
  raw: string
  /** `meta.created` and `meta.lastModified` of the target. */
  created_at: string | null
  last_modified: string | null
  first_seen_at: string
  updated_at: string
  /** Set when the account was gone from the target at an extraction; cleared if it returns. */
  removed_at: string | null
}

/** A group in a target, as last extracted. */
export interface GroupsTable {
  integration: string
  id: string
  display_name: string | null
  external_id: string | null
  attributes: string
  raw: string
  created_at: string | null
  last_modified: string | null
  first_seen_at: string
  updated_at: string
  removed_at: string | null
}

/** A member (user or nested group) of a group. */
export interface MembershipsTable {
  integration: string
  group_id: string
  member_id: string
  member_type: 'User' | 'Group'
  first_seen_at: string
  removed_at: string | null
}

/** A schema a target published at `/Schemas`. */
export interface TargetSchemasTable {
  integration: string
  urn: string
  name: string | null
  definition: string
  updated_at: string
}

/** The reverse index: a normalized attribute name back to where it lives in the target's schema. */
export interface AttributeIndexTable {
  integration: string
  resource_type: string
  normalized_name: string
  schema_urn: string
  attribute_path: string
  type: string
  multi_valued: Flag
  mutability: string
  case_exact: Flag
}

/** Resources read by a running extraction before they are applied to the graph in one go. */
export interface StagedAccountsTable
  extends Omit<AccountsTable, 'first_seen_at' | 'updated_at' | 'removed_at'> {
  run_id: string
}

export interface StagedGroupsTable extends Omit<GroupsTable, 'first_seen_at' | 'updated_at' | 'removed_at'> {
  run_id: string
}

export interface StagedMembershipsTable {
  run_id: string
  integration: string
  group_id: string
  member_id: string
  member_type: 'User' | 'Group'
}

/** Named leases, so one process at a time runs a singleton such as the scheduler. */
export interface LeasesTable {
  name: string
  holder: string
  expires_at: string
}

/** Lifecycle runs (0003_lifecycle): one plan executed, or waiting for approval. */
export type RunStatus =
  | 'awaiting_approval'
  /** A policy in dry_run state: the plan is recorded, nothing is ever sent. */
  | 'dry_run'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'quarantined'
  | 'cancelled'

export interface LcmRunsTable {
  id: string
  kind: 'apply' | 'rollback'
  status: RunStatus
  /** What produced the plan: `actions:<file>`, `policy:<name>`, `rollback:<run>`. */
  origin: string
  /** Who or what asked: `user@host` of the CLI, or the policy engine. */
  requested_by: string
  policy_version: string | null
  rollback_of: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  approved_by: string | null
  approved_at: string | null
  /** JSON: the limits this run exceeded, when it waits for approval. */
  limits_report: string | null
  /** JSON: disputed matches and other problems the plan reported and left alone. */
  problems: string | null
  error: string | null
  /** The process executing the run, and when it last proved alive: a stale heartbeat means resume. */
  holder: string | null
  heartbeat_at: string | null
  operation_count: number
}

export type OperationStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'skipped'

/** One journaled SCIM operation of a run: written before it is sent and after it answers. */
export interface LcmOperationsTable {
  run_id: string
  seq: number
  integration: string
  action: string
  kind: string
  /** The user name or group name the operation is about. */
  identity: string
  /** Operations of one lane run in order; lanes run in parallel. */
  lane: string
  method: string
  path: string
  /** JSON request body, with `bulkId:opN` standing for ids created earlier in the run. */
  body: string | null
  /** JSON: prior values, dependencies and matching facts the executor and rollback need. */
  details: string
  status: OperationStatus
  /** How it ended: created, adopted, updated, already-absent… */
  outcome: string | null
  attempts: number
  response_status: number | null
  result_id: string | null
  error: string | null
  sent_at: string | null
  answered_at: string | null
}

/** Append-only audit trail: every request sent, by whom, and the answer's status. */
export interface LcmAuditTable {
  id: string
  run_id: string
  seq: number
  integration: string
  actor: string
  at: string
  method: string
  path: string
  /** JSON request body; never holds credentials (they travel in headers, which are not kept). */
  request: string | null
  status: number | null
  error: string | null
}

/** Which account in a target stands for which identity. */
export interface LcmLinksTable {
  integration: string
  identity: string
  account_id: string
  run_id: string | null
  linked_at: string
}

/** Quarantine of an integration whose operations mostly fail. */
export interface IntegrationStatesTable {
  integration: string
  quarantined_at: string | null
  quarantine_reason: string | null
  resume_after: string | null
  updated_at: string
}

/** One read of a source, or one webhook delivery: accepted, or refused with the state left as it was. */
export interface SourceSnapshotsTable {
  id: string
  source: string
  /** `full`: the whole source was read; `incremental`: one webhook delivery. */
  mode: 'full' | 'incremental'
  status: 'accepted' | 'refused'
  taken_at: string
  /** Identities in the snapshot (records in the delivery). */
  identity_count: number
  /** Events written by this snapshot. */
  joiners: number
  movers: number
  leavers: number
  problem_count: number
  /** The first problems ({source, file, line, key, code, reason}) as a JSON array. */
  problems: string
  /** Why the snapshot was refused ({code, reason, file, line}) as JSON; null when accepted. */
  error: string | null
}

/** The current state of one identity of a source, as of its last accepted snapshot. */
export interface SourceIdentitiesTable {
  source: string
  identity_key: string
  /** The identity's attributes as canonical JSON (keys sorted). */
  attributes: string
  /** Hash of `attributes`: an unchanged identity writes no row. */
  content_hash: string
  first_seen_at: string
  updated_at: string
  /** Set when the identity left (gone from the source, or its leaver condition held); cleared on return. */
  left_at: string | null
}

/** A joiner, mover or leaver event, numbered per source in the order it was detected. */
export interface SourceEventsTable {
  source: string
  seq: number
  snapshot_id: string
  identity_key: string
  kind: 'joiner' | 'mover' | 'leaver'
  /** joiner: new, returned; mover: changed; leaver: absent, condition, deleted. */
  reason: 'new' | 'returned' | 'changed' | 'absent' | 'condition' | 'deleted'
  /** JSON `{attribute: {from, to}}` of every attribute that changed; `{}` when none did. */
  changes: string
  /** The identity's attributes after the event (for an absent leaver: as last seen), as JSON. */
  attributes: string
  created_at: string
}

/** How far one consumer (a policy, say) has processed a source's events. */
export interface SourceCursorsTable {
  source: string
  consumer: string
  last_seq: number
  updated_at: string
}

/** One version of a policy's definition (0005_policies); a new one each time the definition changes. */
export interface PolicyVersionsTable {
  policy: string
  version: number
  /** Hash of the canonical JSON definition, to notice changes. */
  hash: string
  definition: string
  created_at: string
}

/** A membership a policy granted (it added it): the only kind a mover or leaver of that policy removes. */
export interface PolicyMembershipsTable {
  policy: string
  integration: string
  /** The identity's key in the policy's source. */
  identity: string
  /** Group display name, lower-cased. */
  group_name: string
  run_id: string | null
  granted_at: string
}

/** Applied migrations are tracked by Kysely's own tables; everything else is here. */
export interface Database {
  integrations: IntegrationsTable
  extraction_runs: ExtractionRunsTable
  accounts: AccountsTable
  groups: GroupsTable
  memberships: MembershipsTable
  target_schemas: TargetSchemasTable
  attribute_index: AttributeIndexTable
  staged_accounts: StagedAccountsTable
  staged_groups: StagedGroupsTable
  staged_memberships: StagedMembershipsTable
  leases: LeasesTable
  source_snapshots: SourceSnapshotsTable
  source_identities: SourceIdentitiesTable
  source_events: SourceEventsTable
  source_cursors: SourceCursorsTable
  lcm_runs: LcmRunsTable
  lcm_operations: LcmOperationsTable
  lcm_audit: LcmAuditTable
  lcm_links: LcmLinksTable
  integration_states: IntegrationStatesTable
  policy_versions: PolicyVersionsTable
  policy_memberships: PolicyMembershipsTable
}
