/**
 * Joiner, mover and leaver detection: a read (or a webhook delivery) compared with the stored
 * state by per-identity hash. Pure: it says which rows to write and which events happen; the
 * caller reads what it needs of previous attributes and writes everything in one transaction.
 */
import type { EventKind, EventReason, SourceAttributes } from './source-types.ts'

/** What is stored of an identity, enough to compare. */
export interface StoredState {
  readonly hash: string
  readonly leftAt: string | null
}

/** An identity of the read, encoded, with its leaver condition evaluated. */
export interface IncomingIdentity {
  readonly key: string
  readonly attributes: SourceAttributes
  readonly text: string
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
  const event = (incoming: IncomingIdentity, kind: EventKind, reason: EventReason, changed: boolean) => {
    events.push({ key: incoming.key, kind, reason, incoming, changed })
    if (changed) previousNeeded.push(incoming.key)
  }
  for (const identity of input.incoming) {
    seen.add(identity.key)
    const state = states.get(identity.key)
    const row = (leftAt: string | null) => writes.push({ ...pick(identity), leftAt })
    if (state === undefined) {
      // Someone seen for the first time as a leaver (a terminated record in a full HR export)
      // never joined here: stored as left, no event; reconcile deals with any account they have.
      row(identity.leaver ? now : null)
      if (!identity.leaver) event(identity, 'joiner', 'new', false)
      continue
    }
    const changed = state.hash !== identity.hash
    if (state.leftAt !== null) {
      if (!identity.leaver) {
        row(null)
        event(identity, 'joiner', 'returned', changed)
      } else if (changed) {
        row(state.leftAt)
      }
    } else if (identity.leaver) {
      row(now)
      event(identity, 'leaver', 'condition', changed)
    } else if (changed) {
      row(null)
      event(identity, 'mover', 'changed', true)
    }
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

function pick(identity: IncomingIdentity): { key: string; text: string; hash: string } {
  return { key: identity.key, text: identity.text, hash: identity.hash }
}
