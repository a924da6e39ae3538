import { describe, expect, it } from 'vitest'
import { canonicalJson, contentHash } from '../../src/graph/content-hash.ts'
import { normalizeUser } from '../../src/graph/normalize.ts'
import type { ScimUser } from '../../src/scim/resources.ts'
import { bjensenEnterprise, ENTERPRISE, USER } from './fixtures.ts'

/** Reverses the key order of every object, deeply. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  )
}

describe('contentHash', () => {
  it('is a SHA-256 hex digest, the same whatever the key order', () => {
    const user = bjensenEnterprise()
    expect(contentHash(user)).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(reversed(user))).not.toBe(JSON.stringify(user))
    expect(contentHash(reversed(user))).toBe(contentHash(user))
    expect(contentHash(JSON.parse(JSON.stringify(user)))).toBe(contentHash(user))
  })

  it('differs for different values, array order included', () => {
    const user = bjensenEnterprise()
    const hashes = new Set([
      contentHash(user),
      contentHash({ ...user, active: false }),
      contentHash({ ...user, emails: [...(user.emails ?? [])].reverse() }),
      contentHash({ ...user, [ENTERPRISE]: { department: 'Tour Operations' } }),
      contentHash({ ...user, title: 'Tour Guide ' }),
      contentHash({ a: 1 }),
      contentHash({ a: '1' }),
      contentHash({ a: [1] }),
      contentHash({ a: null }),
      contentHash({}),
      contentHash([]),
      contentHash(null),
    ])
    expect(hashes.size).toBe(12)
  })

  it('writes canonical JSON with JSON.stringify semantics', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined, 'x'], c: true }, e: undefined })).toBe(
      '{"a":{"c":true,"d":[3,null,"x"]},"b":1}',
    )
    const tricky = { 'quo"te': 'back\\slash\n\u0001\u2028é😀\ud800', n: -0, big: 1e21, nan: Number.NaN }
    expect(JSON.parse(canonicalJson(tricky))).toEqual(JSON.parse(JSON.stringify(tricky)))
    expect(canonicalJson(tricky)).toBe(
      '{"big":1e+21,"n":0,"nan":null,"quo\\"te":"back\\\\slash\\n\\u0001\u2028é😀\\ud800"}',
    )
    expect(canonicalJson(new Date('2024-01-02T03:04:05Z'))).toBe('"2024-01-02T03:04:05.000Z"')
    expect(canonicalJson(undefined)).toBe('null')
    expect(() => contentHash({ n: 1n })).toThrow(TypeError)
  })
})

/** A user of about 900 bytes, the size a typical target returns with the enterprise extension. */
function syntheticUser(i: number): ScimUser {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
  return {
    schemas: [USER, ENTERPRISE],
    id,
    externalId: `E${i}`,
    userName: `user${i}@example.com`,
    name: { givenName: `Given${i}`, familyName: `Family${i}`, formatted: `Given${i} Family${i}` },
    displayName: `Given${i} Family${i}`,
    title: 'Engineer',
    active: i % 7 !== 0,
    emails: [
      { value: `user${i}@example.com`, type: 'work', primary: true },
      { value: `u${i}@home.example.org`, type: 'home' },
    ],
    phoneNumbers: [{ value: `+1 555 01${String(i % 100).padStart(2, '0')}`, type: 'work' }],
    [ENTERPRISE]: {
      employeeNumber: String(i),
      department: 'R&D',
      costCenter: 'CC-1',
      manager: { value: `00000000-0000-4000-8000-${String(i >> 3).padStart(12, '0')}`, displayName: 'Boss' },
    },
    meta: {
      resourceType: 'User',
      created: '2024-01-01T00:00:00Z',
      lastModified: '2024-06-01T12:34:56Z',
      location: `https://scim.example.com/v2/Users/${id}`,
      version: `W/"${i}"`,
    },
  }
}

describe('normalize + hash throughput', () => {
  it('prints µs per user over 100,000 users (measured, not asserted)', () => {
    // Parsed from JSON like a response page, so objects have the shapes the client produces.
    const users = JSON.parse(
      JSON.stringify(Array.from({ length: 100_000 }, (_, i) => syntheticUser(i))),
    ) as ScimUser[]
    const bytes = JSON.stringify(users[0]).length
    const measure = (work: (user: ScimUser) => unknown): number => {
      // A warm-up slice lets the JIT settle, so the timed pass measures steady-state code.
      for (const user of users.slice(0, 10_000)) work(user)
      const start = performance.now()
      for (const user of users) work(user)
      return ((performance.now() - start) * 1000) / users.length
    }
    const stringify = measure((user) => JSON.stringify(user))
    const normalize = measure((user) => normalizeUser(user))
    const hash = measure((user) => contentHash(user))
    const both = measure((user) => [normalizeUser(user), contentHash(user)])
    console.log(
      `normalize+hash of ${users.length} users of ${bytes} bytes: ${both.toFixed(2)} µs/user ` +
        `(normalize ${normalize.toFixed(2)}, hash ${hash.toFixed(2)}; JSON.stringify alone ${stringify.toFixed(2)})`,
    )
    expect(both).toBeGreaterThan(0)
  }, 120_000)
})
