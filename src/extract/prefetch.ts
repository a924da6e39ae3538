/** Reading ahead one item of an async iterator, so the next page is on the wire while this one is written. */
import { requestSent } from '../scim/index.ts'

/** Yields the items of `source`, always having asked for the next one before handing out the current. */
export async function* prefetch<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
  let pending = source.next()
  for (;;) {
    const current = await pending
    if (current.done) return
    pending = source.next()
    // A rejection of the read-ahead is observed when it is awaited; until then keep it from being "unhandled".
    pending.catch(() => undefined)
    // Asking is not sending: without this the target got the next request only once this page was
    // stored, and sat idle while it was (traced: every request went out after the page before it was written).
    await requestSent()
    yield current.value
  }
}
