/**
 * Opaque cursors of RFC 9865 pagination. Unsorted listings of one resource type resume after the
 * insertion sequence number of the last resource served, so creations and deletions between pages
 * neither skip nor repeat anything; sorted listings resume at an offset. A cursor is bound to its
 * query by a fingerprint, so it cannot be replayed against a different filter or sort.
 */
import { ScimProtocolError } from '../scim/errors.ts'

/** Where the next page starts. */
export type CursorPosition = { mode: 'afterSeq'; seq: number } | { mode: 'offset'; offset: number }

interface CursorPayload {
  v: 1
  m: 's' | 'o'
  p: number
  f: string
}

const invalidCursor = (detail: string): ScimProtocolError =>
  new ScimProtocolError(400, detail, 'invalidCursor')

/** FNV-1a of the query text: short, stable, good enough to tell queries apart. */
export function queryFingerprint(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}

/** Encodes a position for the `nextCursor` of a ListResponse. */
export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  const payload: CursorPayload =
    position.mode === 'afterSeq'
      ? { v: 1, m: 's', p: position.seq, f: fingerprint }
      : { v: 1, m: 'o', p: position.offset, f: fingerprint }
  return Buffer.from(JSON.stringify(payload)).toString('base64url')
}

/** Decodes a `cursor` parameter; throws `invalidCursor` when it is not one of ours or not for this query. */
export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor(
      `The cursor ${JSON.stringify(cursor.slice(0, 40))} is not a cursor this server issued`,
    )
  }
  const p = payload as Partial<CursorPayload> | null
  if (
    typeof p !== 'object' ||
    p === null ||
    p.v !== 1 ||
    (p.m !== 's' && p.m !== 'o') ||
    typeof p.p !== 'number' ||
    !Number.isSafeInteger(p.p) ||
    p.p < 0
  ) {
    throw invalidCursor(
      `The cursor ${JSON.stringify(cursor.slice(0, 40))} is not a cursor this server issued`,
    )
  }
  if (p.f !== fingerprint) {
    throw invalidCursor(
      'The cursor was issued for a different query: keep filter, sortBy and sortOrder unchanged while paging',
    )
  }
  return p.m === 's' ? { mode: 'afterSeq', seq: p.p } : { mode: 'offset', offset: p.p }
}
