/**
 * The parameters of list and search requests, read from a query string (GET, RFC 7644 §3.4.2) or
 * from a SearchRequest body (POST …/.search, §3.4.3), with RFC 9865's `cursor`.
 */

import { ScimProtocolError } from '../scim/errors.ts'
import { MESSAGE } from '../scim/schemas.ts'
import { splitAttributeList } from './attribute-selection.ts'

/** The parameters of a list request, from a query string or a SearchRequest body. */
export interface ListQuery {
  filter?: string
  sortBy?: string
  sortOrder?: 'ascending' | 'descending'
  startIndex?: number
  count?: number
  /** RFC 9865: present (possibly empty, for the first page) to ask for cursor pagination. */
  cursor?: string
  attributes: string[]
  excludedAttributes: string[]
}

/** Page sizes: `maxResults` caps every page, `defaultPageSize` applies when `count` is absent. */
export interface QueryLimits {
  maxResults: number
  defaultPageSize: number
}

function invalidValue(detail: string): ScimProtocolError {
  return new ScimProtocolError(400, detail, 'invalidValue')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sortOrderOf(raw: unknown): ListQuery['sortOrder'] {
  if (raw === undefined || raw === null || raw === '') return undefined
  const order = typeof raw === 'string' ? raw.toLowerCase() : raw
  if (order === 'ascending' || order === 'descending') return order
  throw invalidValue(`"sortOrder" must be "ascending" or "descending", not ${JSON.stringify(raw)}`)
}

function integerOf(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined
  const n = typeof raw === 'string' ? Number(raw) : raw
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw invalidValue(`"${name}" must be an integer, not ${JSON.stringify(raw)}`)
  }
  return n
}

function withOptional(
  query: ListQuery,
  fields: { [K in keyof ListQuery]?: ListQuery[K] | undefined },
): ListQuery {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (query as unknown as Record<string, unknown>)[key] = value
  }
  return query
}

/** Reads a list request from query parameters (GET). */
export function listQueryFromParams(params: URLSearchParams): ListQuery {
  return withOptional(
    {
      attributes: splitAttributeList(params.get('attributes')),
      excludedAttributes: splitAttributeList(params.get('excludedAttributes')),
    },
    {
      filter: params.get('filter') ?? undefined,
      sortBy: params.get('sortBy') || undefined,
      sortOrder: sortOrderOf(params.get('sortOrder')),
      startIndex: integerOf('startIndex', params.get('startIndex')),
      count: integerOf('count', params.get('count')),
      cursor: params.get('cursor') ?? undefined,
    },
  )
}

function stringList(name: string, raw: unknown): string[] {
  if (raw === undefined || raw === null) return []
  if (typeof raw === 'string') return splitAttributeList(raw)
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.flatMap(splitAttributeList)
  throw invalidValue(`"${name}" must be an array of attribute names`)
}

function optionalString(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== 'string') throw invalidValue(`"${name}" must be a string`)
  return raw
}

/** Reads a SearchRequest body (POST …/.search, RFC 7644 §3.4.3). */
export function listQueryFromSearchRequest(body: unknown): ListQuery {
  if (!isObject(body))
    throw new ScimProtocolError(400, 'The request body must be a JSON object', 'invalidSyntax')
  const schemas = body.schemas
  if (!Array.isArray(schemas) || !schemas.includes(MESSAGE.searchRequest)) {
    throw new ScimProtocolError(400, `"schemas" must be ["${MESSAGE.searchRequest}"]`, 'invalidSyntax')
  }
  return withOptional(
    {
      attributes: stringList('attributes', body.attributes),
      excludedAttributes: stringList('excludedAttributes', body.excludedAttributes),
    },
    {
      filter: optionalString('filter', body.filter),
      sortBy: optionalString('sortBy', body.sortBy) || undefined,
      sortOrder: sortOrderOf(body.sortOrder),
      startIndex: integerOf('startIndex', body.startIndex),
      count: integerOf('count', body.count),
      cursor: optionalString('cursor', body.cursor),
    },
  )
}
