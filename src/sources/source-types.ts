/** What reading a source yields: identity records, the problems met on the way, or a refusal. */
import type { SourceRefusedError } from './source-errors.ts'

/** An identity's attributes by name; values as the source gave them (CSV: strings). */
export type SourceAttributes = Readonly<Record<string, unknown>>

/** One identity as read from a source. */
export interface IdentityRecord {
  /** The value of the source's key attribute, as text. */
  readonly key: string
  readonly attributes: SourceAttributes
  /** 1-based line where the record starts in its file; absent for scim and webhook records. */
  readonly line?: number | undefined
}

/** Why one record was left out of a snapshot. */
export type ProblemCode =
  /** The key attribute is empty or absent: the row cannot be told apart from anyone. */
  | 'missing_key'
  /** Several rows carry one key: all of them are left out and the identity keeps its previous state. */
  | 'duplicate_key'
  /** The row is not a record (wrong number of fields, not an object, a key that is not text). */
  | 'malformed_record'
  /** A column named under `columns:` is not in the file; read on without it. */
  | 'missing_column'

/** A problem with one record (or one column) that did not stop the snapshot. */
export interface SourceProblem {
  readonly source: string
  /** The file read, for csv and json sources. */
  readonly file?: string | undefined
  readonly line?: number | undefined
  /** The identity concerned, when the record had a readable key. */
  readonly key?: string | undefined
  readonly code: ProblemCode
  readonly reason: string
}

/** The outcome of one read: records to compare with the stored state, or a refusal. */
export type SourceRead =
  | {
      readonly status: 'ok'
      readonly source: string
      readonly records: readonly IdentityRecord[]
      /**
       * Keys whose rows were left out (duplicated, malformed): neither changed nor gone, so the
       * identity keeps its stored state instead of becoming a leaver.
       */
      readonly heldKeys: readonly string[]
      readonly problems: readonly SourceProblem[]
    }
  | {
      readonly status: 'refused'
      readonly source: string
      readonly error: SourceRefusedError
      readonly problems: readonly SourceProblem[]
    }

/** Whether an identity's attributes make it a leaver: the source's `leaver` filter, compiled by the policy layer. */
export type LeaverPredicate = (attributes: SourceAttributes) => boolean

/** The kinds of events and, per kind, the reasons they happen for. */
export type EventKind = 'joiner' | 'mover' | 'leaver'
export type EventReason =
  /** joiner: a key never seen before. */
  | 'new'
  /** joiner: a key that had left is back (or its leaver condition no longer holds). */
  | 'returned'
  /** mover: some attributes changed. */
  | 'changed'
  /** leaver: the key is gone from a full read. */
  | 'absent'
  /** leaver: the source's leaver condition became true. */
  | 'condition'
  /** leaver: a webhook said so. */
  | 'deleted'

/** One attribute's change: `null` stands for absent. */
export interface AttributeChange {
  readonly from: unknown
  readonly to: unknown
}

/** A joiner, mover or leaver event as stored. */
export interface SourceEvent {
  readonly source: string
  /** Position in the source's event log: increasing, without reuse. */
  readonly seq: number
  readonly snapshotId: string
  readonly key: string
  readonly kind: EventKind
  readonly reason: EventReason
  /** Every attribute that changed, for movers (and for joiners and leavers that changed too). */
  readonly changes: Readonly<Record<string, AttributeChange>>
  /** The attributes after the event; for a leaver that is gone, as last seen. */
  readonly attributes: SourceAttributes
  readonly createdAt: string
}
