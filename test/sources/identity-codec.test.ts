import { describe, expect, it } from 'vitest'
import { canonicalJson, contentHash } from '../../src/graph/content-hash.ts'
import { diffAttributes, encodeAttributes } from '../../src/sources/identity-codec.ts'

describe('identity encoding', () => {
  it('is the canonical JSON and content hash of the graph, on the fast path and off it', () => {
    const cases: Array<Record<string, unknown>> = [
      { a: 'x', b: 'y', c: '"quoted" \\ \u0001 é 😀' },
      { b: 'y', a: 'x' },
      { '10': 'ten', '9': 'nine', name: 'digits first in insertion order' },
      { list: ['b', 'a'], nested: { z: 1, a: 2 }, flag: true, n: 1.5 },
      { a: Number.NaN, b: undefined, c: null },
      {},
    ]
    for (const attributes of cases) {
      const encoded = encodeAttributes(attributes)
      expect(encoded.text).toBe(canonicalJson(attributes))
      expect(encoded.hash).toBe(contentHash(attributes))
    }
  })

  it('lists every changed attribute from and to, lists and objects by content', () => {
    expect(
      diffAttributes(
        { title: 'Engineer', groups: ['a', 'b'], address: { city: 'Berlin', zip: '10115' }, gone: 'x' },
        { title: 'Manager', groups: ['a', 'b'], address: { zip: '10115', city: 'Berlin' }, added: 1 },
      ),
    ).toEqual({
      added: { from: null, to: 1 },
      gone: { from: 'x', to: null },
      title: { from: 'Engineer', to: 'Manager' },
    })
  })
})
