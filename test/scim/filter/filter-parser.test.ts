import { describe, expect, it } from 'vitest'
import { ScimSyntaxError } from '../../../src/scim/errors.ts'
import type { Filter } from '../../../src/scim/filter/filter-ast.ts'
import { formatFilter } from '../../../src/scim/filter/filter-format.ts'
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from '../../../src/scim/filter/filter-parser.ts'
import { attr, cmp, pr, syntaxError } from './helpers.ts'

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const DATE = '2011-05-13T04:42:34Z'

/** Every example filter of RFC 7644 §3.4.2.2, its AST, and its canonical text when that differs. */
const RFC_EXAMPLES: Array<[text: string, ast: Filter, canonical?: string]> = [
  ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
  [`name.familyName co "O'Malley"`, cmp('name.familyName', 'co', "O'Malley")],
  ['userName sw "J"', cmp('userName', 'sw', 'J')],
  [
    `${CORE}:userName sw "J"`,
    { kind: 'compare', path: attr('userName', undefined, CORE), op: 'sw', value: 'J' },
  ],
  ['title pr', pr('title')],
  [`meta.lastModified gt "${DATE}"`, cmp('meta.lastModified', 'gt', DATE)],
  [`meta.lastModified ge "${DATE}"`, cmp('meta.lastModified', 'ge', DATE)],
  [`meta.lastModified lt "${DATE}"`, cmp('meta.lastModified', 'lt', DATE)],
  [`meta.lastModified le "${DATE}"`, cmp('meta.lastModified', 'le', DATE)],
  [
    'title pr and userType eq "Employee"',
    { kind: 'and', filters: [pr('title'), cmp('userType', 'eq', 'Employee')] },
  ],
  [
    'title pr or userType eq "Intern"',
    { kind: 'or', filters: [pr('title'), cmp('userType', 'eq', 'Intern')] },
  ],
  [`schemas eq "${ENTERPRISE}"`, cmp('schemas', 'eq', ENTERPRISE)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    {
      kind: 'and',
      filters: [
        cmp('userType', 'eq', 'Employee'),
        {
          kind: 'or',
          filters: [cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')],
        },
      ],
    },
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    {
      kind: 'and',
      filters: [
        cmp('userType', 'ne', 'Employee'),
        {
          kind: 'not',
          filter: {
            kind: 'or',
            filters: [cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')],
          },
        },
      ],
    },
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    { kind: 'and', filters: [cmp('userType', 'eq', 'Employee'), cmp('emails.type', 'eq', 'work')] },
    'userType eq "Employee" and emails.type eq "work"',
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    {
      kind: 'and',
      filters: [
        cmp('userType', 'eq', 'Employee'),
        {
          kind: 'valuePath',
          path: attr('emails'),
          filter: { kind: 'and', filters: [cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')] },
        },
      ],
    },
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    {
      kind: 'or',
      filters: [
        {
          kind: 'valuePath',
          path: attr('emails'),
          filter: { kind: 'and', filters: [cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')] },
        },
        {
          kind: 'valuePath',
          path: attr('ims'),
          filter: { kind: 'and', filters: [cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com')] },
        },
      ],
    },
  ],
]

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  it('covers all 17 examples', () => {
    expect(RFC_EXAMPLES).toHaveLength(17)
  })

  it.each(RFC_EXAMPLES)('%s', (text, ast, canonical) => {
    expect(parseFilter(text)).toEqual(ast)
    expect(formatFilter(ast)).toBe(canonical ?? text)
    expect(parseFilter(formatFilter(parseFilter(text)))).toEqual(ast)
  })

  it('reads the examples as the RFC prints them, broken over lines', () => {
    const text = 'userType eq "Employee" and (emails co "example.com" or\n     emails.value co "example.org")'
    expect(parseFilter(text)).toEqual(RFC_EXAMPLES[12]?.[1])
  })
})

describe('parseFilter: operators and keywords', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('reads %s', (op) => {
    expect(parseFilter(`userName ${op} "x"`)).toEqual(cmp('userName', op, 'x'))
    expect(parseFilter(`userName ${op.toUpperCase()} "x"`)).toEqual(cmp('userName', op, 'x'))
  })

  it('reads keywords in any case', () => {
    expect(parseFilter('a Pr AND b PR Or NOT (c eQ TRUE)')).toEqual({
      kind: 'or',
      filters: [
        { kind: 'and', filters: [pr('a'), pr('b')] },
        { kind: 'not', filter: cmp('c', 'eq', true) },
      ],
    })
  })

  it('binds and tighter than or', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual({
      kind: 'or',
      filters: [pr('a'), { kind: 'and', filters: [pr('b'), pr('c')] }],
    })
    expect(parseFilter('a pr and b pr or c pr')).toEqual({
      kind: 'or',
      filters: [{ kind: 'and', filters: [pr('a'), pr('b')] }, pr('c')],
    })
  })

  it('flattens chains into one node', () => {
    expect(parseFilter('a pr and b pr and c pr and d pr')).toEqual({
      kind: 'and',
      filters: [pr('a'), pr('b'), pr('c'), pr('d')],
    })
    expect(parseFilter('a pr or b pr or c pr')).toEqual({ kind: 'or', filters: [pr('a'), pr('b'), pr('c')] })
  })

  it('lets parentheses regroup, and keeps an explicit group as its own node', () => {
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual({
      kind: 'and',
      filters: [{ kind: 'or', filters: [pr('a'), pr('b')] }, pr('c')],
    })
    expect(parseFilter('(a pr and b pr) and c pr')).toEqual({
      kind: 'and',
      filters: [{ kind: 'and', filters: [pr('a'), pr('b')] }, pr('c')],
    })
    expect(parseFilter('((a pr))')).toEqual(pr('a'))
  })

  it('reads not with and without a space before the parenthesis, and nested', () => {
    expect(parseFilter('not(a pr)')).toEqual({ kind: 'not', filter: pr('a') })
    expect(parseFilter('not (not (a pr))')).toEqual({ kind: 'not', filter: { kind: 'not', filter: pr('a') } })
    expect(parseFilter('a pr and not (b pr)')).toEqual({
      kind: 'and',
      filters: [pr('a'), { kind: 'not', filter: pr('b') }],
    })
  })

  it('tolerates any run of spaces, tabs and newlines between tokens', () => {
    expect(parseFilter('  userName\teq\t\t"x"   and\r\n title   pr  ')).toEqual({
      kind: 'and',
      filters: [cmp('userName', 'eq', 'x'), pr('title')],
    })
    expect(parseFilter('( a pr )')).toEqual(pr('a'))
    expect(parseFilter('emails[ type eq "work" ]')).toEqual({
      kind: 'valuePath',
      path: attr('emails'),
      filter: cmp('type', 'eq', 'work'),
    })
  })

  it('reads keywords as attribute names where an attribute is expected', () => {
    expect(parseFilter('and eq "x"')).toEqual(cmp('and', 'eq', 'x'))
    expect(parseFilter('or pr')).toEqual(pr('or'))
    expect(parseFilter('not pr')).toEqual(pr('not'))
    expect(parseFilter('pr pr')).toEqual(pr('pr'))
    expect(parseFilter('eq eq true')).toEqual(cmp('eq', 'eq', true))
    expect(parseFilter('not[type pr]')).toEqual({ kind: 'valuePath', path: attr('not'), filter: pr('type') })
  })
})

describe('parseFilter: attribute paths', () => {
  it('splits a URN prefix at the last colon', () => {
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915"`)).toEqual({
      kind: 'compare',
      path: { uri: ENTERPRISE, name: 'manager', subAttribute: 'value' },
      op: 'eq',
      value: '26118915',
    })
    expect(parseFilter('urn:acme:schemas:Device:serial pr')).toEqual({
      kind: 'present',
      path: { uri: 'urn:acme:schemas:Device', name: 'serial' },
    })
  })

  it('qualifies a value path with a URN', () => {
    expect(parseFilter(`${CORE}:emails[type eq "work"]`)).toEqual({
      kind: 'valuePath',
      path: { uri: CORE, name: 'emails' },
      filter: cmp('type', 'eq', 'work'),
    })
  })

  it('accepts digits, hyphens, underscores and $ref in names', () => {
    expect(parseFilter('x509Certificates.value pr')).toEqual(pr('x509Certificates.value'))
    expect(parseFilter('my-attr_2 pr')).toEqual(pr('my-attr_2'))
    expect(parseFilter('members.$ref eq "x"')).toEqual(cmp('members.$ref', 'eq', 'x'))
    expect(parseFilter('groups[$Ref pr]')).toEqual({
      kind: 'valuePath',
      path: attr('groups'),
      filter: pr('$Ref'),
    })
  })

  it('keeps the spelling of names and URNs as written', () => {
    expect(parseFilter('USERNAME eq "x"')).toEqual(cmp('USERNAME', 'eq', 'x'))
    expect(parseFilter(`${ENTERPRISE.toUpperCase()}:EmployeeNumber pr`)).toEqual({
      kind: 'present',
      path: { uri: ENTERPRISE.toUpperCase(), name: 'EmployeeNumber' },
    })
  })

  it('reads value filters with or, not and groups inside', () => {
    expect(parseFilter('emails[not (type eq "work") or (primary eq true and value pr)]')).toEqual({
      kind: 'valuePath',
      path: attr('emails'),
      filter: {
        kind: 'or',
        filters: [
          { kind: 'not', filter: cmp('type', 'eq', 'work') },
          { kind: 'and', filters: [cmp('primary', 'eq', true), pr('value')] },
        ],
      },
    })
  })
})

describe('parseFilter: literals', () => {
  it('decodes every JSON escape', () => {
    const text = String.raw`x eq "q\" b\\ s\/ \b\f\n\r\t \u00e9 \uD83D\uDE00 \u0000"`
    expect(parseFilter(text)).toEqual(cmp('x', 'eq', 'q" b\\ s/ \b\f\n\r\t é 😀 \u0000'))
  })

  it('keeps raw non-ASCII text and brackets or keywords inside strings', () => {
    expect(parseFilter('x eq "Ünïcödé ✓"')).toEqual(cmp('x', 'eq', 'Ünïcödé ✓'))
    expect(parseFilter('x eq ") or y pr and [z] ("')).toEqual(cmp('x', 'eq', ') or y pr and [z] ('))
    expect(parseFilter('x eq ""')).toEqual(cmp('x', 'eq', ''))
  })

  it.each([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['1e3', 1000],
    ['1E+3', 1000],
    ['2.5e-3', 0.0025],
    ['-12.5E2', -1250],
  ])('reads the number %s', (text, value) => {
    expect(parseFilter(`x gt ${text}`)).toEqual(cmp('x', 'gt', value))
  })

  it('reads true, false and null in any case', () => {
    expect(parseFilter('x eq True')).toEqual(cmp('x', 'eq', true))
    expect(parseFilter('x eq FALSE')).toEqual(cmp('x', 'eq', false))
    expect(parseFilter('x eq Null')).toEqual(cmp('x', 'eq', null))
  })

  it('reads a string right after the operator or before a parenthesis', () => {
    expect(parseFilter('(x eq"a")')).toEqual(cmp('x', 'eq', 'a'))
  })
})

/** [filter, 0-based position, start of the message] */
const ERRORS: Array<[string, number, string]> = [
  ['', 0, 'empty filter'],
  ['  \t ', 0, 'empty filter'],
  ['userName', 8, 'expected a comparison operator after userName, found end of input'],
  ['userName equals "x"', 9, "expected a comparison operator after userName, found 'equals'"],
  ['userName "x"', 9, 'expected a comparison operator after userName, found string "x"'],
  ['userName eq "bjensen', 12, 'unterminated string'],
  ['userName eq "bjensen\\', 12, 'unterminated string'],
  ['userName eq "bjensen")', 21, "unexpected ')' without a matching '('"],
  ['(userName eq "x"', 16, "expected 'and', 'or' or ')' closing the '(' at position 1, found end of input"],
  ['x pr and (y pr or (z pr)', 24, "expected 'and', 'or' or ')' closing the '(' at position 10"],
  ['userName eq bjensen', 12, "expected a value after eq, found 'bjensen': strings must be in double quotes"],
  ['userName eq', 11, 'expected a value (string, number, true, false or null) after eq, found end of input'],
  ['userName eq (', 12, "expected a value (string, number, true, false or null) after eq, found '('"],
  ["userName eq 'bjensen'", 12, 'unexpected character "\'": strings are written in double quotes'],
  ['userName == "x"', 9, "unexpected character '='"],
  ['userName eq "a" and', 19, "expected an attribute path, '(' or 'not', found end of input"],
  ['userName eq "a" xor title pr', 16, "expected 'and', 'or' or end of filter, found 'xor'"],
  ['title pr "x"', 9, "expected 'and', 'or' or end of filter, found string \"x\""],
  ['x pr ]', 5, "expected 'and', 'or' or end of filter, found ']'"],
  ['()', 1, "expected an attribute path, '(' or 'not', unexpected ')'"],
  ['"x" eq userName', 0, "expected an attribute path, '(' or 'not', found string \"x\""],
  ['not title pr', 4, "expected '(' after 'not', found 'title'"],
  ['not', 3, "expected '(' after 'not', found end of input"],
  ['a.b.c pr', 3, 'an attribute path has at most one sub-attribute'],
  ['name. pr', 5, "expected an attribute name after '.'"],
  ['name.1x pr', 5, "attribute name '1x' must start with a letter"],
  ['name.$x pr', 5, "attribute name '$x' must start with a letter"],
  ['1abc pr', 0, "invalid number '1abc'"],
  ['name:givenName pr', 0, "'name' is not a schema URN"],
  [`${CORE} pr`, 0, "a schema URN alone is not an attribute path; append ':' and an attribute name"],
  [`${ENTERPRISE} eq "x"`, 0, 'a schema URN alone is not an attribute path'],
  ['urn:foo::userName pr', 8, "empty segment in schema URI 'urn:foo:'"],
  ['urn:$x:userName pr', 4, "invalid character in schema URI segment '$x'"],
  [
    'emails[type eq "work"',
    21,
    "expected 'and', 'or' or ']' closing the '[' at position 7, found end of input",
  ],
  ['emails [type eq "work"]', 7, "'[' must directly follow emails, without whitespace"],
  ['emails[]', 7, 'empty value filter in emails[]'],
  ['emails[type eq "work"].value eq "x"', 22, "a sub-attribute after ']' is only allowed in PATCH paths"],
  ['emails[type eq "work" and phones[type pr]]', 32, 'value filters cannot be nested'],
  [
    'emails[emails.type eq "work"]',
    13,
    "inside emails[...] write a sub-attribute name of emails alone, not 'emails.type'",
  ],
  [`emails[${CORE}:type eq "work"]`, 7, 'inside emails[...] write a sub-attribute name of emails alone'],
  [
    'emails.value[type pr]',
    12,
    'a value filter applies to an attribute, not to the sub-attribute emails.value',
  ],
  ['x eq "\\q"', 6, "invalid escape '\\q' in string"],
  ['x eq "\\u12G4"', 6, 'invalid unicode escape: expected \\u and 4 hex digits'],
  ['x eq "a\tb"', 7, 'control character U+0009 in string must be escaped'],
  ['x eq 01', 5, "invalid number '01'"],
  ['x eq 1.', 5, "invalid number '1.'"],
  ['x eq -', 5, "invalid number '-'"],
  ['x eq 1e', 5, "invalid number '1e'"],
  ['x eq 1e999', 5, "number '1e999' is out of range"],
  ['x eq +1', 5, "unexpected character '+'"],
  ['x eq truthy', 5, "expected a value after eq, found 'truthy'"],
  ['x eq "a" \u0001', 9, 'unexpected character U+0001'],
]

describe('parseFilter: errors', () => {
  it.each(ERRORS)('%j fails at %i', (text, position, problem) => {
    const error = syntaxError(() => parseFilter(text))
    expect(error.scimType).toBe('invalidFilter')
    expect(error.text).toBe(text)
    expect(error.position).toBe(position)
    expect(error.message.slice(0, problem.length)).toBe(problem)
    expect(error.message.endsWith(`at position ${position + 1} of ${JSON.stringify(text)}`)).toBe(true)
  })

  it('throws ScimSyntaxError, the class the HTTP layer maps to 400 invalidFilter', () => {
    expect(() => parseFilter('userName eq')).toThrow(ScimSyntaxError)
  })

  it(`refuses filters longer than ${MAX_FILTER_LENGTH} characters before reading them`, () => {
    const long = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`
    const error = syntaxError(() => parseFilter(long))
    expect(error.message).toMatch(/^filter is longer than 10000 characters/)
    expect(error.position).toBe(MAX_FILTER_LENGTH)
    const fits = `x eq "${'y'.repeat(MAX_FILTER_LENGTH - 7)}"`
    expect(fits).toHaveLength(MAX_FILTER_LENGTH)
    expect(parseFilter(fits)).toEqual(cmp('x', 'eq', 'y'.repeat(MAX_FILTER_LENGTH - 7)))
  })

  it('takes other limits when given', () => {
    expect(syntaxError(() => parseFilter('title pr', { maxLength: 5 })).message).toMatch(
      /^filter is longer than 5 characters/,
    )
    expect(syntaxError(() => parseFilter('((a pr))', { maxDepth: 1 })).position).toBe(1)
  })

  it(`accepts ${MAX_FILTER_DEPTH} levels of nesting and refuses one more`, () => {
    const nested = (levels: number): string => `${'('.repeat(levels)}a pr${')'.repeat(levels)}`
    expect(parseFilter(nested(MAX_FILTER_DEPTH))).toEqual(pr('a'))
    const error = syntaxError(() => parseFilter(nested(MAX_FILTER_DEPTH + 1)))
    expect(error.message).toMatch(/^filter nests deeper than 50 levels/)
    expect(error.position).toBe(MAX_FILTER_DEPTH)
  })

  it('counts not and value filters as nesting levels', () => {
    const nots = `${'not ('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`
    expect(() => parseFilter(nots)).not.toThrow()
    expect(syntaxError(() => parseFilter(`not (${nots})`)).position).toBe(4 + 5 * MAX_FILTER_DEPTH)
    const inBrackets = `emails[${'('.repeat(MAX_FILTER_DEPTH - 1)}type pr${')'.repeat(MAX_FILTER_DEPTH - 1)}]`
    expect(() => parseFilter(inBrackets)).not.toThrow()
    expect(syntaxError(() => parseFilter(`(${inBrackets})`)).message).toMatch(/nests deeper/)
  })

  it('survives hostile input of the maximum length quickly', () => {
    const started = performance.now()
    for (const text of [
      '('.repeat(10_000),
      '"'.repeat(10_000),
      'a pr and '.repeat(1111),
      '\\'.repeat(10_000),
    ]) {
      expect(() => parseFilter(text)).toThrow(ScimSyntaxError)
    }
    const chain = Array.from({ length: 900 }, (_, i) => `a${i} pr`).join(' or ')
    expect((parseFilter(chain) as { filters: Filter[] }).filters).toHaveLength(900)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
