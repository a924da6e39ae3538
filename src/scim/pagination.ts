/**
 * Paging through a SCIM list as an async iterator. Servers cap pages, report wrong
 * `totalResults`, return short or empty pages; the iterator ends correctly on all of them.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ScimMalformedResponseError } from './errors.ts'
import type { ListReading } from './http/transport.ts'
import type { ListResponse, ScimResource } from './resources.ts'

/** One page of a list, as the server answered it. */
export interface Page<T extends ScimResource> {
  resources: T[]
  totalResults: number
  /** 1-based index of the page's first resource (index pagination). */
  startIndex: number
  /** Each resource's JSON text as the target sent it, where the reader kept it (see FetchedPage). */
  texts?: Array<string | undefined>
}

/** A page's answer: its envelope at once, its resources once read (see ListReading). */
export type FetchedPage = ListReading

/** A page's answer read whole: its envelope is the answer itself. */
export function wholePage(body: unknown): FetchedPage {
  const record =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
  const resources = record.Resources ?? record.resources
  return { envelope: record, count: Array.isArray(resources) ? resources.length : 0, read: () => ({ body }) }
}

/** Fetches one page: index paging passes `startIndex`, cursor paging passes `cursor`. */
export type PageFetcher = (position: {
  startIndex?: number
  cursor?: string
  count: number
}) => Promise<FetchedPage>

export interface PagingOptions {
  pageSize: number
  /** RFC 9865 cursor pagination. */
  cursor: boolean
  /** When false, a full page is followed by one more request even if `totalResults` says it was the last. */
  totalResultsReliable: boolean
  /** Names the request in errors. */
  describe: () => { integration?: string | undefined; request?: { method: string; url: string } | undefined }
  /** Start of the first page (index pagination). */
  startIndex?: number
}

/** Pages of a list, fetched one at a time as the consumer asks for them. */
export async function* paginate<T extends ScimResource>(
  fetchPage: PageFetcher,
  options: PagingOptions,
): AsyncGenerator<Page<T>> {
  if (options.cursor) {
    yield* paginateByCursor<T>(fetchPage, options)
    return
  }
  let startIndex = Math.max(1, options.startIndex ?? 1)
  let previousFirstId: string | undefined
  let firstIdOfList: string | undefined
  for (;;) {
    const { body, resourceTexts } = (await fetchPage({ startIndex, count: options.pageSize })).read()
    const page = readListResponse<T>(body, options)
    const resources = page.Resources ?? []
    if (resources.length === 0) return
    const firstId = resources[0]?.id
    // Asked past the total it reported (a full last page, totals not trusted), a server may start
    // over from the first result instead of answering an empty page (scimmy does): the list is done.
    const pastReportedEnd = reportsTotal(body) && startIndex > page.totalResults
    if (pastReportedEnd && firstId !== undefined && firstId === firstIdOfList) return
    if (firstId !== undefined && firstId === previousFirstId) {
      throw new ScimMalformedResponseError(
        `the server returned the same page again for startIndex ${startIndex}`,
        {
          ...options.describe(),
          status: 200,
          body: '',
        },
      )
    }
    previousFirstId = firstId
    firstIdOfList ??= firstId
    yield withTexts({ resources, totalResults: page.totalResults, startIndex }, resourceTexts)
    const nextIndex = startIndex + resources.length
    const totalSaysMore = nextIndex <= page.totalResults
    // A server may cap the page below what was asked; the reported total then says more is left.
    // When the total cannot be trusted, or the server left it out, only a short page proves the end.
    const fullPage = resources.length >= options.pageSize
    const trustTotal = options.totalResultsReliable && reportsTotal(body)
    if (!totalSaysMore && (trustTotal || !fullPage)) return
    startIndex = nextIndex
  }
}

async function* paginateByCursor<T extends ScimResource>(
  fetchPage: PageFetcher,
  options: PagingOptions,
): AsyncGenerator<Page<T>> {
  let position = 1
  const seen = new Set<string>()
  let fetching = fetchPage({ cursor: '', count: options.pageSize })
  for (;;) {
    const fetched = await fetching
    // The next page is asked for as soon as this one's cursor is known, before its resources are
    // parsed and handed out: the target works on it meanwhile (100,000 users: 1 ms of every 6 ms
    // page was parsing that the target otherwise waited for).
    const next = nextCursorOf(fetched.envelope)
    const askedNext = next !== undefined && fetched.count > 0 && !seen.has(next)
    if (askedNext) {
      seen.add(next)
      fetching = fetchPage({ cursor: next, count: options.pageSize })
      // A failure is seen when the page is used; one never used (this page fails) is dropped.
      fetching.catch(() => undefined)
      await requestSent()
    }
    const { body, resourceTexts } = fetched.read()
    const page = readListResponse<T>(body, options)
    const resources = page.Resources ?? []
    if (resources.length > 0)
      yield withTexts({ resources, totalResults: page.totalResults, startIndex: position }, resourceTexts)
    position += resources.length
    if (!page.nextCursor || resources.length === 0) return
    if (!askedNext) {
      throw new ScimMalformedResponseError(
        `the server returned cursor ${JSON.stringify(page.nextCursor)} twice`,
        {
          ...options.describe(),
          status: 200,
          body: '',
        },
      )
    }
  }
}

function nextCursorOf(envelope: Record<string, unknown>): string | undefined {
  return typeof envelope.nextCursor === 'string' && envelope.nextCursor !== ''
    ? envelope.nextCursor
    : undefined
}

/**
 * Resolves once a request just asked for is on the wire: undici writes it from setImmediate,
 * after a turn of the event loop that checks the keep-alive connection is still sound, so
 * synchronous work right after asking (parsing or storing a page) would otherwise hold it back.
 */
export async function requestSent(): Promise<void> {
  await nextTurn()
  await nextTurn()
}

/** The page with its resources' texts, when there is one for each resource. */
function withTexts<T extends ScimResource>(
  page: Page<T>,
  texts: Array<string | undefined> | undefined,
): Page<T> {
  return texts && texts.length === page.resources.length ? { ...page, texts } : page
}

/** Whether a ListResponse states `totalResults` (RFC 7644 requires it; some servers leave it out). */
function reportsTotal(body: unknown): boolean {
  const total = (body as { totalResults?: unknown } | null | undefined)?.totalResults
  return total !== undefined && total !== null
}

/** Checks the envelope of a ListResponse; resources themselves are passed through as JSON. */
export function readListResponse<T extends ScimResource>(
  body: unknown,
  options: Pick<PagingOptions, 'describe'>,
): ListResponse<T> {
  const fail = (problem: string): never => {
    throw new ScimMalformedResponseError(problem, {
      ...options.describe(),
      status: 200,
      body: JSON.stringify(body) ?? '',
    })
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return fail('expected a ListResponse object')
  const record = body as Record<string, unknown>
  // Servers differ in the casing of "Resources" (Egnyte sends "resources").
  const resources = record.Resources ?? record.resources ?? []
  if (!Array.isArray(resources)) return fail('"Resources" is not an array')
  for (const item of resources) {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      return fail('a resource is not an object')
  }
  const total = Number(record.totalResults ?? resources.length)
  if (!Number.isFinite(total)) return fail('"totalResults" is not a number')
  const nextCursor = typeof record.nextCursor === 'string' ? record.nextCursor : undefined
  return {
    schemas: Array.isArray(record.schemas) ? (record.schemas as string[]) : [],
    totalResults: total,
    Resources: resources as T[],
    ...(nextCursor === undefined ? {} : { nextCursor }),
  }
}
