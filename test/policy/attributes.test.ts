import { describe, expect, it } from 'vitest'
import { isBlank, lookupPath, lookupValues, member, valueText } from '../../src/policy/attributes.ts'

describe('member', () => {
  it('prefers the exact name, then any case', () => {
    expect(member({ Title: 'a', title: 'b' }, 'title')).toBe('b')
    expect(member({ Title: 'a' }, 'TITLE')).toBe('a')
    expect(member({}, 'title')).toBeUndefined()
  })

  it('does not read inherited properties', () => {
    expect(member({}, 'constructor')).toBeUndefined()
    expect(member({}, 'toString')).toBeUndefined()
  })
})

describe('lookupPath', () => {
  const record = { 'a.b': 'flat', a: { b: 'nested', c: { d: 'deep' } }, list: [{ v: 1 }, { v: 2 }] }

  it('reads a flat key first, then walks objects and list indexes', () => {
    expect(lookupPath(record, 'a.b', ['a', 'b'])).toBe('flat')
    expect(lookupPath(record, 'a.c.d', ['a', 'c', 'd'])).toBe('deep')
    expect(lookupPath(record, 'list.1.v', ['list', '1', 'v'])).toBe(2)
  })

  it('gives undefined past the end of what exists', () => {
    expect(lookupPath(record, 'a.x.y', ['a', 'x', 'y'])).toBeUndefined()
    expect(lookupPath(record, 'list.x', ['list', 'x'])).toBeUndefined()
    expect(lookupPath(record, 'a.b.c', ['a', 'b', 'c'])).toBeUndefined()
  })
})

describe('lookupValues', () => {
  it('reads a sub-attribute of every item of a list', () => {
    expect(lookupValues({ emails: [{ value: 'a' }, 'x', { value: 'b' }] }, 'emails', 'value')).toEqual([
      'a',
      'b',
    ])
  })

  it('reads a flat dotted key before a nested object', () => {
    expect(lookupValues({ 'a.b': 1, a: { b: 2 } }, 'a', 'b')).toBe(1)
    expect(lookupValues({ a: { b: 2 } }, 'a', 'b')).toBe(2)
    expect(lookupValues({ a: 'text' }, 'a', 'b')).toBeUndefined()
  })
})

describe('valueText and isBlank', () => {
  it('writes scalars as text and refuses lists and objects', () => {
    expect(valueText('x')).toBe('x')
    expect(valueText(3)).toBe('3')
    expect(valueText(10n)).toBe('10')
    expect(valueText(true)).toBe('true')
    expect(valueText(null)).toBe('')
    expect(valueText(undefined)).toBe('')
    expect(valueText(new Date(Number.NaN))).toBe('')
    expect(valueText([])).toBeUndefined()
    expect(valueText({})).toBeUndefined()
  })

  it('calls empty and whitespace-only text blank', () => {
    expect(isBlank('')).toBe(true)
    expect(isBlank(' \t\u00a0')).toBe(true)
    expect(isBlank(' x ')).toBe(false)
  })
})
