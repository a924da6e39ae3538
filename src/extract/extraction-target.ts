/** What an extraction needs to know about one integration. */
import type { ScimClient } from '../scim/index.ts'

export interface ExtractionTarget {
  /** Integration name, as in the configuration. */
  integration: string
  client: ScimClient
  /** False for targets without groups (a vendor profile may say so): users only. */
  groups: boolean
  /** Read `/Schemas` and extract custom extension attributes (`extensionSchemas: true`). */
  extensionSchemas: boolean
}

/** Phases an extraction reports progress for. */
export interface ExtractionProgress {
  phase: 'discovery' | 'users' | 'groups' | 'applying'
  pages: number
  users: number
  groups: number
  memberships: number
  /** `totalResults` of the listing in progress, when the target reported it. */
  expected?: number
}

export type ExtractionMode = 'full' | 'incremental'

/** The outcome of one extraction run. */
export interface ExtractionSummary {
  runId: string
  integration: string
  mode: ExtractionMode
  status: 'succeeded' | 'failed'
  usersSeen: number
  groupsSeen: number
  membershipsSeen: number
  /** Graph rows created or changed. Zero when nothing changed in the target. */
  rowsWritten: number
  /** Accounts, groups and memberships newly marked removed. */
  rowsRemoved: number
  durationMs: number
  /** Facts worth telling the operator, e.g. "users only: the vendor profile says the target has no groups". */
  notes: string[]
  error?: string
}
