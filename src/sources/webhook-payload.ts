/**
 * The body of a webhook delivery: one item or a JSON array of items, applied all or nothing.
 *
 * - A record (any object without an `event` member) is a full upsert of one identity: its
 *   members are the identity's attributes, the source's key attribute among them. Attributes it
 *   leaves out are gone from the identity; `null` means unassigned.
 * - `{"event": "leaver", "key": "E123"}` says the identity has left (`"delete"` means the same).
 *
 * A delivery naming one key twice is refused: nothing says which item wins.
 */
import type { WebhookSourceConfig } from '../config/config-types.ts'
import { keyText } from './record-collector.ts'
import { WebhookPayloadError } from './source-errors.ts'
import type { IdentityRecord } from './source-types.ts'
import type { Delivery } from './take-snapshot.ts'

/** Items in one delivery at most; more should be sent as several deliveries. */
export const MAX_DELIVERY_ITEMS = 10_000

const LEAVER_EVENTS = new Set(['leaver', 'delete'])

/** The delivery in `body`; throws WebhookPayloadError listing every item at fault. */
export function parseDelivery(source: WebhookSourceConfig, body: Uint8Array): Delivery {
  const refuse = (reason: string): never => {
    throw new WebhookPayloadError(source.name, [{ reason }])
  }
  let text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
  if (text.includes('\uFFFD')) refuse('the body is not valid UTF-8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    refuse(`the body is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const items = Array.isArray(document) ? document : [document]
  if (items.length === 0) refuse('no items: send a record, a leaver event, or a list of them')
  if (items.length > MAX_DELIVERY_ITEMS)
    refuse(`${items.length} items; at most ${MAX_DELIVERY_ITEMS} per delivery`)

  const problems: { index?: number; reason: string }[] = []
  const upserts: IdentityRecord[] = []
  const leavers: string[] = []
  const seen = new Set<string>()
  items.forEach((item: unknown, index) => {
    const at = Array.isArray(document) ? index : undefined
    const problem = (reason: string) => problems.push(at === undefined ? { reason } : { index: at, reason })
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problem('an item must be a JSON object')
      return
    }
    const record = item as Record<string, unknown>
    const parsed = 'event' in record ? leaverItem(record) : upsertItem(record, source.key)
    if (typeof parsed === 'string') {
      problem(parsed)
      return
    }
    if (seen.has(parsed.key)) {
      problem(`key "${parsed.key}" is named by another item of this delivery`)
      return
    }
    seen.add(parsed.key)
    if (parsed.upsert) upserts.push(parsed.upsert)
    else leavers.push(parsed.key)
  })
  if (problems.length > 0) throw new WebhookPayloadError(source.name, problems)
  return { upserts, leavers }
}

type ParsedItem = { key: string; upsert?: IdentityRecord }

function leaverItem(item: Record<string, unknown>): ParsedItem | string {
  if (typeof item.event !== 'string' || !LEAVER_EVENTS.has(item.event)) {
    return `unknown event ${JSON.stringify(item.event)}; the only event is "leaver" (a record without "event" is an upsert)`
  }
  const extra = Object.keys(item).filter((member) => member !== 'event' && member !== 'key')
  if (extra.length > 0) return `a leaver event has only "event" and "key"; remove ${extra.join(', ')}`
  const key = keyText(item.key)
  return key === undefined ? 'a leaver event needs "key" (text or a number)' : { key }
}

function upsertItem(item: Record<string, unknown>, keyName: string): ParsedItem | string {
  const attributes: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(item)) if (value !== null) attributes[name] = value
  const key = keyText(attributes[keyName])
  if (key === undefined)
    return `the record has no value for the key attribute "${keyName}" (text or a number)`
  return { key, upsert: { key, attributes } }
}
