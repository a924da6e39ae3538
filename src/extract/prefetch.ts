/** Reading ahead one item of an async iterator, so the next page is on the wire while this one is written. */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Yields the items of `source`, always having asked for the next one before handing out the current. */
export async function* prefetch<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
  let pending = source.next()
  for (;;) {
    const current = await pending
    if (current.done) return
    pending = source.next()
    // A rejection of the read-ahead is observed when it is awaited; until then keep it from being "unhandled".
    pending.catch(() => undefined)
    // Asking is not sending: undici writes a request on a pooled keep-alive connection from
    // setImmediate, after a turn of the event loop that checks the connection is still sound, and
    // what the caller does with the current item (normalizing and storing a page) is synchronous.
    // Without two turns here the target got the next request only once this page was stored, and
    // sat idle while it was (traced: every request went out after the page before it was written).
    await nextTurn()
    await nextTurn()
    yield current.value
  }
}
