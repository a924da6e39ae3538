import { describe, expect, it } from 'vitest'
import type { PatchPath } from '../../../src/scim/filter/filter-ast.ts'
import { formatAttributePath, formatPatchPath } from '../../../src/scim/filter/filter-format.ts'
import { parseAttributePath, parsePatchPath } from '../../../src/scim/filter/filter-parser.ts'
import { attr, cmp, syntaxError } from './helpers.ts'

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const MEMBER = '2819c223-7f76-453a-919d-413861904646'

/** The PATCH paths of RFC 7644 §3.5.2 (figure 8 and the add/remove/replace examples), and their ASTs. */
const RFC_PATHS: Array<[string, PatchPath]> = [
  ['members', { attribute: attr('members') }],
  ['name.familyName', { attribute: attr('name', 'familyName') }],
  ['addresses[type eq "work"]', { attribute: attr('addresses'), valueFilter: cmp('type', 'eq', 'work') }],
  [`members[value eq "${MEMBER}"]`, { attribute: attr('members'), valueFilter: cmp('value', 'eq', MEMBER) }],
  [
    `members[value eq "${MEMBER}"].displayName`,
    { attribute: attr('members'), valueFilter: cmp('value', 'eq', MEMBER), subAttribute: 'displayName' },
  ],
  [
    'emails[type eq "work" and value ew "example.com"]',
    {
      attribute: attr('emails'),
      valueFilter: { kind: 'and', filters: [cmp('type', 'eq', 'work'), cmp('value', 'ew', 'example.com')] },
    },
  ],
  [
    'addresses[type eq "work"].streetAddress',
    { attribute: attr('addresses'), valueFilter: cmp('type', 'eq', 'work'), subAttribute: 'streetAddress' },
  ],
  [`${ENTERPRISE}:employeeNumber`, { attribute: attr('employeeNumber', undefined, ENTERPRISE) }],
  [`${ENTERPRISE}:manager`, { attribute: attr('manager', undefined, ENTERPRISE) }],
  [`${ENTERPRISE}:manager.value`, { attribute: attr('manager', 'value', ENTERPRISE) }],
  [`${CORE}:name.givenName`, { attribute: attr('name', 'givenName', CORE) }],
  [
    'emails[type eq "work"].value',
    { attribute: attr('emails'), valueFilter: cmp('type', 'eq', 'work'), subAttribute: 'value' },
  ],
  [
    `${CORE}:emails[primary eq true]`,
    { attribute: attr('emails', undefined, CORE), valueFilter: cmp('primary', 'eq', true) },
  ],
  [
    'members[not (display sw "Tour")].$ref',
    {
      attribute: attr('members'),
      valueFilter: { kind: 'not', filter: cmp('display', 'sw', 'Tour') },
      subAttribute: '$ref',
    },
  ],
]

describe('parsePatchPath', () => {
  it.each(RFC_PATHS)('%s', (text, ast) => {
    expect(parsePatchPath(text)).toEqual(ast)
    expect(formatPatchPath(ast)).toBe(text)
  })

  it('tolerates whitespace inside the brackets only', () => {
    expect(parsePatchPath('emails[  type eq "work"\t]')).toEqual({
      attribute: attr('emails'),
      valueFilter: cmp('type', 'eq', 'work'),
    })
  })

  /** [path, position, scimType, start of the message] */
  const errors: Array<[string, number, 'invalidPath' | 'invalidFilter', string]> = [
    ['', 0, 'invalidPath', 'empty path'],
    ['   ', 0, 'invalidPath', 'empty path'],
    [' members', 0, 'invalidPath', 'a path cannot start with whitespace'],
    ['members ', 7, 'invalidPath', 'a path cannot end with whitespace'],
    ['members eq "x"', 8, 'invalidPath', "unexpected 'eq' after members"],
    ['"members"', 0, 'invalidPath', 'expected an attribute name, found string "members"'],
    [
      ENTERPRISE,
      0,
      'invalidPath',
      "a schema URN alone is not an attribute path; append ':' and an attribute name",
    ],
    [`${CORE}`, 0, 'invalidPath', 'a schema URN alone is not an attribute path'],
    ['name.givenName.x', 14, 'invalidPath', 'an attribute path has at most one sub-attribute'],
    ['emails.value[type eq "work"]', 12, 'invalidPath', 'a value filter applies to an attribute'],
    ['emails [type eq "work"]', 7, 'invalidPath', "'[' must directly follow emails"],
    ['emails[type eq "work"', 21, 'invalidPath', "expected 'and', 'or' or ']' closing the '[' at position 7"],
    ['emails[type eq "work"]x', 22, 'invalidPath', "expected '.' or end of path after ']', found 'x'"],
    ['emails[type eq "work"][x]', 22, 'invalidPath', "expected '.' or end of path after ']', found '['"],
    ['emails[type eq "work"] .value', 23, 'invalidPath', "whitespace is not allowed around '.'"],
    ['emails[type eq "work"]. value', 22, 'invalidPath', "whitespace is not allowed around '.'"],
    [
      'emails[type eq "work"].',
      23,
      'invalidPath',
      "expected a sub-attribute name after '.', found end of input",
    ],
    ['emails[type eq "work"].value.x', 28, 'invalidPath', "a path has at most one sub-attribute after ']'"],
    ['emails[type eq "work"].urn:x', 26, 'invalidPath', "a path has at most one sub-attribute after ']'"],
    ['emails[type eq "work"].value ', 28, 'invalidPath', 'a path cannot end with whitespace'],
    [
      'emails[type eq ]',
      15,
      'invalidFilter',
      'expected a value (string, number, true, false or null) after eq',
    ],
    ['emails[type eq "work]', 15, 'invalidFilter', 'unterminated string'],
    ['emails[type pr or]', 17, 'invalidFilter', "expected an attribute path, '(' or 'not', found ']'"],
    [
      'emails[value.x pr]',
      12,
      'invalidFilter',
      'inside emails[...] write a sub-attribute name of emails alone',
    ],
    ['emails[]', 7, 'invalidFilter', 'empty value filter in emails[]'],
  ]

  it.each(errors)('%j fails at %i with %s', (text, position, scimType, problem) => {
    const error = syntaxError(() => parsePatchPath(text))
    expect(error.message.slice(0, problem.length)).toBe(problem)
    expect(error.position).toBe(position)
    expect(error.scimType).toBe(scimType)
    expect(error.text).toBe(text)
  })

  it('refuses paths longer than the limit', () => {
    const error = syntaxError(() => parsePatchPath(`a${'b'.repeat(10_000)}`))
    expect(error.message).toMatch(/^path is longer than 10000 characters/)
    expect(error.scimType).toBe('invalidPath')
  })
})

describe('parseAttributePath', () => {
  it.each([
    ['userName', attr('userName')],
    ['name.givenName', attr('name', 'givenName')],
    ['members.$ref', attr('members', '$ref')],
    [`${CORE}:userName`, attr('userName', undefined, CORE)],
    [`${ENTERPRISE}:manager.displayName`, attr('manager', 'displayName', ENTERPRISE)],
  ])('%s', (text, ast) => {
    expect(parseAttributePath(text)).toEqual(ast)
    expect(formatAttributePath(ast)).toBe(text)
  })

  it.each([
    ['', 0, 'empty attribute path'],
    ['userName eq "x" or 1', 8, 'unexpected whitespace after attribute path userName'],
    ['userName)', 8, "unexpected ')' after attribute path userName"],
    [
      'emails[type eq "work"]',
      6,
      "unexpected '[' after attribute path emails: value filters are not allowed",
    ],
    ['"userName"', 0, "expected an attribute name, found '\"'"],
    ['-x', 0, "expected an attribute name, found '-'"],
    ['a.b.c', 3, 'an attribute path has at most one sub-attribute'],
    [ENTERPRISE, 0, 'a schema URN alone is not an attribute path'],
    ['urn:x:', 6, "expected an attribute name after the schema URN's ':'"],
    ['name:givenName', 0, "'name' is not a schema URN; sub-attributes are written with '.'"],
  ])('%j fails at %i', (text, position, problem) => {
    const error = syntaxError(() => parseAttributePath(text))
    expect(error.message.slice(0, problem.length)).toBe(problem)
    expect(error.position).toBe(position)
    expect(error.scimType).toBe('invalidPath')
  })
})

describe('formatPatchPath', () => {
  it('refuses a sub-attribute without a value filter: it belongs in attribute.subAttribute', () => {
    expect(() => formatPatchPath({ attribute: attr('name'), subAttribute: 'givenName' })).toThrow(RangeError)
  })

  it('refuses value filters the grammar cannot express', () => {
    const nested: PatchPath = {
      attribute: attr('emails'),
      valueFilter: { kind: 'valuePath', path: attr('x'), filter: cmp('y', 'eq', 1) },
    }
    expect(() => formatPatchPath(nested)).toThrow(/value filters cannot be nested/)
    expect(() =>
      formatPatchPath({ attribute: attr('emails', 'value'), valueFilter: cmp('type', 'eq', 'work') }),
    ).toThrow(/a value filter applies to an attribute/)
    expect(() =>
      formatPatchPath({ attribute: attr('emails'), valueFilter: cmp('type.x', 'eq', 'work') }),
    ).toThrow(/inside emails\[\.\.\.\] name a sub-attribute/)
  })

  it('escapes values inside the brackets', () => {
    const path: PatchPath = {
      attribute: attr('members'),
      valueFilter: cmp('value', 'eq', '"] or x pr or ["'),
    }
    const text = formatPatchPath(path)
    expect(text).toBe(String.raw`members[value eq "\"] or x pr or [\""]`)
    expect(parsePatchPath(text)).toEqual(path)
  })
})
