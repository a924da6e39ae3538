import { describe, expect, it } from 'vitest'
import { scanListResponse } from '../../src/scim/list-response-split.ts'

/** Scans then reads, as the transport does; undefined where either step gives up. */
const split = (text: string) => scanListResponse(Buffer.from(text, 'utf8'))?.read()

/** RFC 7644 §3.4.2 (Figure 4's response), as printed: indented, so its resources keep no text. */
const RFC_7644_LIST = `{
  "schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  "totalResults":2,
  "Resources":[
    {
      "id":"2819c223-7f76-453a-919d-413861904646",
      "userName":"bjensen"
    },
    {
      "id":"c75ad752-64ae-4823-840d-ffa80929976c",
      "userName":"jsmith",
      "displayName":"Smith, James"
    }
  ]
}`

describe('scanListResponse', () => {
  it('tells the envelope and the number of resources before any resource is parsed', () => {
    const text = '{"totalResults":3,"Resources":[{"id":"1"},{"id":"2"},{"id":"3"}],"nextCursor":"c2"}'
    const scanned = scanListResponse(Buffer.from(text))

    expect(scanned?.envelope).toEqual({ totalResults: 3, Resources: [], nextCursor: 'c2' })
    expect(scanned?.count).toBe(3)
    expect(scanned?.read()?.body).toEqual(JSON.parse(text))
  })

  it('scans a body whose resource is not JSON, and refuses it only when reading', () => {
    const scanned = scanListResponse(Buffer.from('{"Resources":[{"id":"1"},{"id":tru}],"nextCursor":"c2"}'))

    expect(scanned?.count).toBe(2)
    expect(scanned?.read()).toBeUndefined()
  })
})

describe('scanListResponse then read', () => {
  it('gives the body JSON.parse gives for RFC 7644’s list response, without texts for indented resources', () => {
    const result = split(RFC_7644_LIST)

    expect(result?.body).toEqual(JSON.parse(RFC_7644_LIST))
    expect(result?.texts).toEqual([undefined, undefined])
  })

  it('keeps each compact resource’s text byte for byte as sent, escapes and non-ASCII included', () => {
    const first = '{"id":"a","displayName":"Zoë \\"Z\\" O\'Brien","note":"braces } ] { [ and \\\\"}'
    const second =
      '{"id":"b","userName":"\\u00e9lodie","emails":[{"value":"e@x.io","primary":true}],"n":1.50}'
    const text = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[${first},${second}]}`

    const result = split(text)

    expect(result?.texts).toEqual([first, second])
    expect(result?.body).toEqual(JSON.parse(text))
  })

  it('finds Resources wherever it is among the envelope’s members, and reads Egnyte’s lowercase key', () => {
    const last = '{"totalResults":1,"itemsPerPage":1,"startIndex":1,"schemas":["x"],"Resources":[{"id":"1"}]}'
    const first = '{"Resources":[{"id":"1"}],"totalResults":1,"meta":{"nested":[1,{"a":"]"}]},"ok":true}'
    const lower = '{"totalResults":1,"resources":[{"id":"1"}],"x":null}'

    for (const text of [last, first, lower]) {
      const result = split(text)
      expect(result?.body).toEqual(JSON.parse(text))
      expect(result?.texts).toEqual(['{"id":"1"}'])
    }
  })

  it('reads a byte order mark, white space around the array and an empty list', () => {
    const text = '\ufeff { "totalResults" : 0 , "Resources" : [ ] } '

    const result = split(text)

    expect(result?.body).toEqual({ totalResults: 0, Resources: [] })
    expect(result?.texts).toEqual([])
  })

  it('gives up, for the caller to parse whole and report, on anything that is not a list of objects', () => {
    const refused = [
      '',
      '[]',
      '{}',
      '{"totalResults":1}',
      '{"Resources":[{"id":"1"},"text"]}',
      '{"Resources":[1,2]}',
      '{"Resources":{"id":"1"}}',
      '{"Resources":[{"id":"1"}',
      '{"Resources":[{"id":"1"]}',
      '{"Resources":[{"id":"1"}],',
      '{"Resources":[{"id":"1"}] "x":1}',
      '{"Resources":[{"id":"1","bad":tru}]}',
      '{"Resources":[{"id":"unterminated}]}',
      '<html><body>Sign in</body></html>',
      // Readers take `Resources` first: texts of `resources` would belong to another list.
      '{"resources":[{"id":"1"}],"Resources":[{"id":"2"}]}',
      // JSON.parse keeps the last of two equal keys.
      '{"Resources":[{"id":"1"}],"Resources":[{"id":"2"}]}',
    ]

    for (const text of refused) expect(split(text), text).toBeUndefined()
  })

  it('agrees with JSON.parse on generated list responses', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      'é',
      '€',
      '😀',
      '\n',
      '\u0001',
      '/',
    ]
    const text = () =>
      Array.from(
        { length: Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('')
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 2 ? 4 : 6))
      if (kind === 0) return text()
      if (kind === 1) return Math.floor(random() * 1e6) / 100
      if (kind === 2) return random() > 0.5
      if (kind === 3) return null
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1))
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)] as const),
      )
    }
    for (let round = 0; round < 300; round++) {
      const resources = Array.from({ length: Math.floor(random() * 5) }, () => ({
        id: text(),
        [text()]: value(0),
        [text()]: value(0),
      }))
      const body = {
        schemas: [text()],
        totalResults: resources.length,
        [text()]: value(1),
        Resources: resources,
      }
      const indent = round % 3 === 0 ? 2 : undefined
      const sent = JSON.stringify(body, null, indent)

      const result = split(sent)

      expect(result?.body).toEqual(JSON.parse(sent))
      expect(result?.texts).toEqual(
        resources.map((resource) => (indent ? undefined : JSON.stringify(resource))),
      )
    }
  })
})
