/**
 * Joiner, mover and leaver detection: a read (or a webhook delivery) compared with the stored
 * state by per-identity hash. Pure: it says which rows to write and which events happen; the
 * caller reads what it needs of previous attributes and writes everything in one transaction.
 */
import { attributesText } from './identity-codec.ts'
import type { EventKind, EventReason, SourceAttributes } from './source-types.ts'

/** What is stored of an identity, enough to compare. */
export interface StoredState {
  readonly hash: string
  readonly leftAt: string | null
}

/**
 * An identity of the read, hashed, with its leaver condition evaluated. Its canonical text is not
 * kept: only the few identities written or in an event need it again, and 100,000 texts kept for
 * the length of a comparison are memory and garbage-collection work.
 */
export interface IncomingIdentity {
  readonly key: string
  readonly attributes: SourceAttributes
  readonly hash: string
  readonly leaver: boolean
}

/** An identity row to insert or update. */
export interface IdentityWrite {
  readonly key: string
  readonly text: string
  readonly hash: string
  readonly leftAt: string | null
}

/** An event before its previous attributes are known. */
export interface DetectedEvent {
  readonly key: string
  readonly kind: EventKind
  readonly reason: EventReason
  /** The attributes after the event; undefined for a departure, which keeps the stored ones. */
  readonly incoming: IncomingIdentity | undefined
  /** Whether the attributes changed, so the changes must be computed from the stored ones. */
  readonly changed: boolean
}

export interface DetectionInput {
  readonly incoming: Iterable<IncomingIdentity>
  /** Stored state of every identity of the source (full) or of the delivery's keys (incremental). */
  readonly states: ReadonlyMap<string, StoredState>
  readonly now: string
  /** Full read: a stored identity absent from it (and not held) has left. */
  readonly full: boolean
  /** Keys the read could not vouch for (duplicated, malformed): left as they are. */
  readonly held?: ReadonlySet<string> | undefined
  /** Keys a delivery says have left. */
  readonly deleted?: readonly string[] | undefined
}

export interface Detection {
  readonly writes: IdentityWrite[]
  /** Keys that left without new attributes: only `left_at` is set. */
  readonly departures: string[]
  readonly events: DetectedEvent[]
  /** Keys whose stored attributes the events need. */
  readonly previousNeeded: string[]
}

/** Compares incoming identities with the stored states; see the module comment. */
export function detectChanges(input: DetectionInput): Detection {
  const { states, now } = input
  const writes: IdentityWrite[] = []
  const departures: string[] = []
  const events: DetectedEvent[] = []
  const previousNeeded: string[] = []
  const seen = new Set<string>()
  // One pass without closures or temporaries per identity: it runs 100,000 times a read.
  for (const identity of input.incoming) {
    seen.add(identity.key)
    const state = states.get(identity.key)
    let leftAt: string | null | undefined // what to write; undefined: no write
    let kind: EventKind | undefined
    let reason: EventReason = 'new'
    if (state === undefined) {
      // Someone seen for the first time as a leaver (a terminated record in a full HR export)
      // never joined here: stored as left, no event; reconcile deals with any account they have.
      leftAt = identity.leaver ? now : null
      if (!identity.leaver) kind = 'joiner'
    } else if (state.leftAt !== null) {
      if (!identity.leaver) {
        leftAt = null
        kind = 'joiner'
        reason = 'returned'
      } else if (state.hash !== identity.hash) {
        leftAt = state.leftAt
      }
    } else if (identity.leaver) {
      leftAt = now
      kind = 'leaver'
      reason = 'condition'
    } else if (state.hash !== identity.hash) {
      leftAt = null
      kind = 'mover'
      reason = 'changed'
    }
    if (leftAt !== undefined)
      writes.push({
        key: identity.key,
        text: attributesText(identity.attributes),
        hash: identity.hash,
        leftAt,
      })
    if (kind === undefined) continue
    const changed = state !== undefined && state.hash !== identity.hash
    events.push({ key: identity.key, kind, reason, incoming: identity, changed })
    if (changed) previousNeeded.push(identity.key)
  }
  const depart = (key: string, reason: EventReason) => {
    seen.add(key)
    departures.push(key)
    events.push({ key, kind: 'leaver', reason, incoming: undefined, changed: false })
    previousNeeded.push(key)
  }
  if (input.full) {
    for (const [key, state] of states) {
      if (state.leftAt === null && !seen.has(key) && !input.held?.has(key)) depart(key, 'absent')
    }
  }
  for (const key of input.deleted ?? []) {
    if (states.get(key)?.leftAt === null && !seen.has(key)) depart(key, 'deleted')
  }
  return { writes, departures, events, previousNeeded }
}
