import { describe, expect, it } from 'vitest'
import { ScimSyntaxError } from '../../../src/scim/errors.ts'
import type { Filter } from '../../../src/scim/filter/filter-ast.ts'
import { formatAttributePath, formatFilter, formatValue } from '../../../src/scim/filter/filter-format.ts'
import { parseFilter } from '../../../src/scim/filter/filter-parser.ts'
import { attr, cmp, pr } from './helpers.ts'

const a = pr('a')
const b = pr('b')
const c = pr('c')
const and = (...filters: Filter[]): Filter => ({ kind: 'and', filters })
const or = (...filters: Filter[]): Filter => ({ kind: 'or', filters })
const not = (filter: Filter): Filter => ({ kind: 'not', filter })

describe('formatFilter: parentheses', () => {
  it.each<[Filter, string]>([
    [and(a, b, c), 'a pr and b pr and c pr'],
    [or(a, b, c), 'a pr or b pr or c pr'],
    [or(a, and(b, c)), 'a pr or b pr and c pr'],
    [or(and(a, b), c), 'a pr and b pr or c pr'],
    [and(or(a, b), c), '(a pr or b pr) and c pr'],
    [and(a, or(b, c)), 'a pr and (b pr or c pr)'],
    [and(and(a, b), c), '(a pr and b pr) and c pr'],
    [or(a, or(b, c)), 'a pr or (b pr or c pr)'],
    [not(a), 'not (a pr)'],
    [not(or(a, b)), 'not (a pr or b pr)'],
    [and(not(a), b), 'not (a pr) and b pr'],
    [not(not(a)), 'not (not (a pr))'],
    [
      or({ kind: 'valuePath', path: attr('emails'), filter: or(pr('type'), pr('value')) }, a),
      'emails[type pr or value pr] or a pr',
    ],
  ])('prints %j as %s and reads it back', (filter, text) => {
    expect(formatFilter(filter)).toBe(text)
    expect(parseFilter(text)).toEqual(filter)
  })

  it('prints a one-member and/or as its member', () => {
    expect(formatFilter(and(a))).toBe('a pr')
    expect(formatFilter(and(or(a), b))).toBe('a pr and b pr')
    expect(formatFilter(and(and(or(a, b)), c))).toBe('(a pr or b pr) and c pr')
  })

  it('refuses an empty and/or, which has no text form', () => {
    expect(() => formatFilter(and())).toThrow(RangeError)
    expect(() => formatFilter(or(a, or()))).toThrow(/an empty 'or' has no text form/)
  })
})

describe('formatFilter: literals', () => {
  it('escapes quotes, backslashes and control characters through JSON.stringify', () => {
    const value = 'x" or userName pr or "\\ \n\t\u0000\u001f'
    const text = formatFilter(cmp('userName', 'eq', value))
    expect(text).toBe(String.raw`userName eq "x\" or userName pr or \"\\ \n\t\u0000\u001f"`)
    expect(parseFilter(text)).toEqual(cmp('userName', 'eq', value))
  })

  it('keeps non-ASCII text, lone surrogates and line separators intact through a round trip', () => {
    for (const value of ['Ünïcödé ✓ 😀', '\ud800', 'a\u2028b', '']) {
      expect(parseFilter(formatFilter(cmp('x', 'eq', value)))).toEqual(cmp('x', 'eq', value))
    }
  })

  it.each<[number, string]>([
    [0, '0'],
    [-0, '-0'],
    [42, '42'],
    [-7.25, '-7.25'],
    [1e21, '1e+21'],
    [5e-7, '5e-7'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('prints the number %d as %s', (value, text) => {
    expect(formatValue(value)).toBe(text)
    expect(parseFilter(`x eq ${text}`)).toEqual(cmp('x', 'eq', value))
  })

  it('refuses numbers JSON cannot write', () => {
    expect(() => formatValue(Number.NaN)).toThrow(RangeError)
    expect(() => formatFilter(cmp('x', 'gt', Number.POSITIVE_INFINITY))).toThrow(/not a finite number/)
  })

  it('prints true, false and null in lower case', () => {
    expect(formatFilter(or(cmp('x', 'eq', true), cmp('y', 'ne', false), cmp('z', 'eq', null)))).toBe(
      'x eq true or y ne false or z eq null',
    )
  })
})

describe('formatAttributePath', () => {
  it('prints URN, name and sub-attribute', () => {
    expect(
      formatAttributePath(
        attr('manager', 'value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
      ),
    ).toBe('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value')
  })

  it.each([
    attr('userName eq "x" or 1'),
    attr('a.b'),
    attr('a', 'b.c'),
    attr('a', 'b:c'),
    attr('x', undefined, 'nouri'),
    attr('User', undefined, 'urn:ietf:params:scim:schemas:core:2.0'),
    attr(''),
    attr('name', ''),
  ])('refuses the hand-built path %j, so no text can be smuggled into a filter', (path) => {
    expect(() => formatAttributePath(path)).toThrow(ScimSyntaxError)
    expect(() => formatFilter({ kind: 'present', path })).toThrow(ScimSyntaxError)
  })
})
