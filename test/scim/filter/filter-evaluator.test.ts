import { describe, expect, it } from 'vitest'
import {
  compileFilter,
  type EvaluationOptions,
  matchesFilter,
} from '../../../src/scim/filter/filter-evaluator.ts'
import { parseFilter } from '../../../src/scim/filter/filter-parser.ts'
import { bjensen, CORE, ENTERPRISE, userTraits } from './bjensen.ts'
import { syntaxError } from './helpers.ts'

const TYPED: EvaluationOptions = { traitsOf: userTraits, coreSchema: CORE }

const matches = (filter: string, resource = bjensen(), options?: EvaluationOptions): boolean =>
  matchesFilter(parseFilter(filter), resource, options)

/** Runs each [filter, expected] against bjensen, without and with schema traits. */
function table(cases: Array<[string, boolean]>, options?: EvaluationOptions): void {
  it.each(cases)('%s → %s', (filter, expected) => {
    expect(matches(filter, bjensen(), options)).toBe(expected)
  })
}

describe('RFC 7644 §3.4.2.2 examples on bjensen', () => {
  const cases: Array<[string, boolean]> = [
    ['userName eq "bjensen"', false],
    ['userName eq "bjensen@example.com"', true],
    [`name.familyName co "O'Malley"`, false],
    ['userName sw "J"', false],
    ['userName sw "B"', true],
    [`${CORE}:userName sw "b"`, true],
    ['title pr', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    [`schemas eq "${ENTERPRISE}"`, true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      true,
    ],
    [
      'emails[type eq "home" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      false,
    ],
  ]
  describe('without traits', () => table(cases))
  describe('with traits', () => table(cases, TYPED))
})

describe('operators', () => {
  table([
    ['userName eq "BJENSEN@EXAMPLE.COM"', true],
    ['userName ne "bjensen@example.com"', false],
    ['userName ne "someone@example.com"', true],
    ['name.familyName co "ens"', true],
    ['name.familyName co "ENS"', true],
    ['name.familyName co "x"', false],
    ['userName sw "bjen"', true],
    ['userName sw "jen"', false],
    ['userName ew "@EXAMPLE.com"', true],
    ['userName ew "@example"', false],
    ['name.familyName gt "Jensen"', false],
    ['name.familyName ge "jensen"', true],
    ['name.familyName gt "jansen"', true],
    ['name.familyName gt "JANSEN"', true],
    ['name.familyName lt "k"', true],
    ['name.familyName le "Jensen"', true],
    ['name.familyName lt "Jensen"', false],
  ])
})

describe('case sensitivity', () => {
  it('compares strings ignoring case unless the attribute is caseExact', () => {
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(true)
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"', bjensen(), TYPED)).toBe(false)
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"', bjensen(), TYPED)).toBe(true)
    expect(matches('id sw "2819C"', bjensen(), TYPED)).toBe(false)
    expect(matches('id gt "2819C"', bjensen(), TYPED)).toBe(true)
    expect(matches('userName eq "BJensen@Example.com"', bjensen(), TYPED)).toBe(true)
  })

  it('orders caseExact strings by code unit, others after folding', () => {
    // 'a' (97) sorts after 'B' (66) exactly, but before 'b' once folded.
    const resource = { code: 'a' }
    const exact: EvaluationOptions = {
      traitsOf: () => ({ type: 'string', caseExact: true, multiValued: false }),
    }
    expect(matches('code gt "B"', resource, exact)).toBe(true)
    expect(matches('code gt "B"', resource)).toBe(false)
  })

  it('matches attribute names and sub-attribute names in any case', () => {
    expect(matches('USERNAME eq "bjensen@example.com"')).toBe(true)
    expect(matches('Name.FamilyName eq "jensen"')).toBe(true)
    expect(matches('EMAILS[TYPE eq "work"]')).toBe(true)
    expect(matches('META.lastmodified eq "2011-05-13T04:42:34Z"', bjensen(), TYPED)).toBe(true)
  })
})

describe('dateTime', () => {
  table(
    [
      ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
      ['meta.lastModified lt "2011-05-13T04:42:35Z"', true],
      ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', true],
      ['meta.lastModified gt "2011-05-13T05:42:33+02:00"', true],
      ['meta.lastModified eq "2011-05-13T04:42:34.000Z"', true],
      ['meta.lastModified eq "2011-05-13T04:42:34"', true],
      ['meta.lastModified lt "2011-05-13T04:42:34.001Z"', true],
      ['meta.created lt "2011-05-13T04:42:34Z"', true],
    ],
    TYPED,
  )

  it('compares chronologically even without traits when both sides read as dateTimes', () => {
    expect(matches('meta.lastModified eq "2011-05-13T06:42:34+02:00"')).toBe(true)
    // Text order would say "2011-05-13T04…" < "2011-05-13T05…"; the instant is earlier than 04:42:34Z.
    expect(matches('meta.lastModified gt "2011-05-13T05:00:00+01:00"')).toBe(true)
  })

  it('falls back to text comparison when the literal is no dateTime and there are no traits', () => {
    expect(matches('meta.lastModified gt "2011"')).toBe(true)
    expect(matches('meta.lastModified sw "2011-05"')).toBe(true)
  })

  it('refuses a literal that is no dateTime for a dateTime attribute', () => {
    const error = syntaxError(() => matches('meta.lastModified gt "yesterday"', bjensen(), TYPED))
    expect(error.scimType).toBe('invalidFilter')
    expect(error.message).toMatch(/^expected a dateTime string .* for dateTime attribute meta.lastModified/)
    expect(() => matches('meta.lastModified gt 5', bjensen(), TYPED)).toThrow(/dateTime attribute/)
  })
})

describe('numbers', () => {
  const device = { loginCount: 12, ratio: 0.5, label: '12' }
  it.each<[string, boolean]>([
    ['loginCount gt 9', true],
    ['loginCount lt 1.2e1', false],
    ['loginCount le 12', true],
    ['loginCount eq 12.0', true],
    ['loginCount ne 12', false],
    ['ratio ge 5e-1', true],
    ['ratio lt -1', false],
    ['label eq 12', false],
    ['label ne 12', true],
    ['loginCount eq "12"', false],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter, device)).toBe(expected)
  })

  it('refuses a string literal for an integer attribute', () => {
    expect(() => matches('loginCount gt "3"', device, TYPED)).toThrow(
      /expected a number for integer attribute/,
    )
  })
})

describe('booleans', () => {
  table([
    ['active eq true', true],
    ['active eq false', false],
    ['active ne true', false],
    ['emails.primary eq true', true],
    ['emails.primary eq false', false],
    ['active eq "true"', false],
  ])

  it.each(['gt', 'ge', 'lt', 'le'])(
    'refuses %s on a boolean attribute (RFC 7644: 400 invalidFilter)',
    (op) => {
      const error = syntaxError(() => matches(`active ${op} true`, bjensen(), TYPED))
      expect(error.scimType).toBe('invalidFilter')
      expect(error.message).toBe(
        `${op} is not defined for boolean attribute active at position 1 of "active ${op} true"`,
      )
    },
  )

  it('refuses ordering a boolean value even without traits', () => {
    expect(() => matches('active gt true')).toThrow(/^gt is not defined for boolean values/)
    expect(() => matches('active gt "a"')).toThrow(/^gt is not defined for boolean attribute active/)
    // A resource without the attribute never reveals its type.
    expect(matches('active gt "a"', { userName: 'x' })).toBe(false)
  })

  it('refuses ordering binary attributes and substrings of non-strings', () => {
    expect(() => matches('x509Certificates.value gt "M"', bjensen(), TYPED)).toThrow(
      /^gt is not defined for binary attribute x509Certificates.value/,
    )
    expect(() => matches('active co "tr"', bjensen(), TYPED)).toThrow(
      /^co is not defined for boolean attribute active/,
    )
    expect(() => matches('title co 5')).toThrow(/^co needs a string value/)
    expect(() => matches('active eq "true"', bjensen(), TYPED)).toThrow(
      /expected true or false for boolean attribute/,
    )
  })
})

describe('presence and null', () => {
  table([
    ['title pr', true],
    ['nonexistent pr', false],
    ['name pr', true],
    ['emails pr', true],
    ['emails.type pr', true],
    ['ims.display pr', false],
    [`${ENTERPRISE}:manager pr`, true],
    ['title eq null', false],
    ['title ne null', true],
    ['nonexistent eq null', true],
    ['nonexistent ne null', false],
  ])

  it('treats empty strings, arrays, objects and nulls as no value (RFC 7643 §2.5)', () => {
    const sparse = {
      title: '',
      emails: [],
      name: {},
      nickName: null,
      phoneNumbers: [{ value: null }],
      active: false,
    }
    for (const attribute of ['title', 'emails', 'name', 'nickName', 'phoneNumbers', 'phoneNumbers.value']) {
      expect(matches(`${attribute} pr`, sparse), attribute).toBe(false)
      expect(matches(`${attribute} eq null`, sparse), attribute).toBe(true)
      expect(matches(`${attribute} ne null`, sparse), attribute).toBe(false)
    }
    expect(matches('active pr', sparse)).toBe(true)
  })

  it('refuses null with operators other than eq and ne', () => {
    expect(() => matches('title gt null')).toThrow(/^gt null is not defined/)
  })
})

describe('absent attributes', () => {
  table([
    ['nonexistent eq "x"', false],
    ['nonexistent co "x"', false],
    ['nonexistent gt "x"', false],
    ['nonexistent le "x"', false],
    ['nonexistent ne "x"', true],
    ['name.nonexistent ne "x"', true],
    ['title.nonexistent eq "x"', false],
    ['not (nonexistent eq "x")', true],
  ])

  it('never finds inherited properties of the resource object', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(matches(`${name} pr`), name).toBe(false)
      expect(matches(`name.${name} pr`), name).toBe(false)
    }
  })
})

describe('multi-valued attributes', () => {
  table([
    ['emails.type eq "home"', true],
    ['emails.type eq "other"', false],
    ['emails.value ew "jensen.org"', true],
    ['emails eq "babs@jensen.org"', true],
    ['emails co "EXAMPLE.com"', true],
    ['emails sw "nobody"', false],
    ['groups.display eq "US Employees"', true],
    ['groups.$ref ew "/fc348aa8-3835-40eb-a20b-c726e15c55b5"', true],
    // ne is "any value differs": true with a work and a home email; "none is work" needs not ( … eq … ).
    ['emails.type ne "work"', true],
    ['not (emails.type eq "work")', false],
    ['phoneNumbers.type ne "fax"', true],
    // Dotted paths match across values; value filters need one value to match all conditions.
    ['emails.type eq "home" and emails.value co "@example.com"', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
  ])

  it('compares each value of a multi-valued simple attribute', () => {
    const group = { tags: ['Blue', 'green'] }
    expect(matches('tags eq "blue"', group)).toBe(true)
    expect(matches('tags sw "gr"', group)).toBe(true)
    expect(matches('tags eq "red"', group)).toBe(false)
    expect(matches('tags[value eq "GREEN"]', group)).toBe(true)
  })
})

describe('value filters', () => {
  table([
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[not (type eq "work")]', true],
    ['emails[type eq "work" and not (primary eq true)]', false],
    ['addresses[type eq "work" and locality eq "hollywood"]', true],
    ['addresses[type eq "home" and primary eq true]', false],
    ['groups[display eq "Employees"]', true],
    ['groups[$ref ew "/fc348aa8-3835-40eb-a20b-c726e15c55b5" and display sw "emp"]', true],
    [`schemas[value eq "${ENTERPRISE}"]`, true],
    ['ims[type eq "aim"]', true],
    ['photos[type eq "aim"]', false],
    ['nonexistent[type eq "work"]', false],
    [`${ENTERPRISE}:manager[displayName eq "john smith"]`, true],
  ])

  it('hands the traits of outer.sub to the inner comparisons', () => {
    expect(() => matches('emails[primary gt true]', bjensen(), TYPED)).toThrow(
      /^gt is not defined for boolean attribute emails.primary/,
    )
    const seen: string[] = []
    compileFilter(parseFilter(`${ENTERPRISE}:manager[value eq "x"]`), {
      traitsOf: (path) => {
        seen.push(JSON.stringify(path))
        return undefined
      },
    })
    expect(seen).toEqual([JSON.stringify({ uri: ENTERPRISE, name: 'manager', subAttribute: 'value' })])
  })

  it('refuses nested value filters and qualified names inside, even in hand-built ASTs', () => {
    const nested = {
      kind: 'valuePath',
      path: { name: 'emails' },
      filter: { kind: 'valuePath', path: { name: 'x' }, filter: { kind: 'present', path: { name: 'y' } } },
    } as const
    expect(() => compileFilter(nested)).toThrow(/value filters cannot be nested/)
  })
})

describe('schema URNs', () => {
  table([
    [`${ENTERPRISE}:employeeNumber eq "701984"`, true],
    [`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
    [`${ENTERPRISE}:manager.displayName sw "john"`, true],
    [`${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701984"`, true],
    [`${CORE}:name.givenName eq "Barbara"`, true],
    ['employeeNumber pr', false],
    ['urn:example:schemas:Other:employeeNumber pr', false],
  ])
  describe('with coreSchema and traits', () =>
    table(
      [
        [`${ENTERPRISE}:employeeNumber eq "701984"`, true],
        [`${CORE}:userName eq "bjensen@example.com"`, true],
      ],
      TYPED,
    ))

  it('finds the extension object under a key of any case', () => {
    const user = bjensen()
    const extension = user[ENTERPRISE]
    delete user[ENTERPRISE]
    user[ENTERPRISE.toLowerCase()] = extension
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`, user)).toBe(true)
  })

  it('resolves core-qualified paths through coreSchema when the resource lists no schemas', () => {
    const bare = { userName: 'bjensen' }
    expect(matches(`${CORE}:userName eq "bjensen"`, bare)).toBe(false)
    expect(matches(`${CORE}:userName eq "bjensen"`, bare, { coreSchema: CORE })).toBe(true)
    expect(matches(`${CORE.toUpperCase()}:userName eq "bjensen"`, bare, { coreSchema: CORE })).toBe(true)
  })

  it('treats a listed extension without its object as empty when the core schema is known', () => {
    const user = bjensen()
    delete user[ENTERPRISE]
    user.employeeNumber = '701984'
    expect(matches(`${ENTERPRISE}:employeeNumber pr`, user, { coreSchema: CORE })).toBe(false)
  })
})

describe('logic', () => {
  table([
    // a or (b and c): true; (a or b) and c would be false.
    ['title pr or nickName eq "x" and userType eq "y"', true],
    ['(title pr or nickName eq "x") and userType eq "y"', false],
    ['userType eq "y" and nickName eq "x" or title pr', true],
    ['not (title pr)', false],
    ['not (nonexistent pr)', true],
    ['not (not (title pr))', true],
    ['title pr and nickName pr and userType pr and not (nonexistent pr)', true],
    ['nonexistent pr or nickName eq "x" or userType eq "Employee"', true],
    ['nonexistent pr or nickName eq "x" or userType eq "y"', false],
  ])
})

describe('compileFilter', () => {
  it('compiles once and evaluates many resources', () => {
    const users = Array.from({ length: 10 }, (_, i) => ({
      userName: `user${i}`,
      active: i % 2 === 0,
      emails: [{ value: `user${i}@example.com`, type: i < 5 ? 'work' : 'home' }],
    }))
    const test = compileFilter(parseFilter('active eq true and emails[type eq "work"]'))
    expect(users.filter(test).map((u) => u.userName)).toEqual(['user0', 'user2', 'user4'])
  })

  it('reports refused comparisons when compiling, before any resource is seen', () => {
    expect(() => compileFilter(parseFilter('active gt true'), TYPED)).toThrow(/gt is not defined/)
  })

  it('evaluates 100,000 resources quickly', () => {
    const users = Array.from({ length: 100_000 }, (_, i) => ({
      schemas: [CORE],
      userName: `user${i}@example.com`,
      name: { givenName: `Given${i}`, familyName: `Family${i % 1000}` },
      active: i % 3 !== 0,
      emails: [
        { value: `user${i}@example.com`, type: 'work' },
        { value: `u${i}@home.example`, type: 'home' },
      ],
      meta: { lastModified: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString() },
    }))
    const test = compileFilter(
      parseFilter(
        'active eq true and (name.familyName sw "family99" or emails[type eq "home" and value co "9@"]) and meta.lastModified gt "2020-01-15T00:00:00Z"',
      ),
    )
    const started = performance.now()
    const count = users.filter(test).length
    const elapsed = performance.now() - started
    expect(count).toBe(5802)
    expect(elapsed).toBeLessThan(2000)
  })
})
