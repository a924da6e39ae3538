import { describe, expect, it } from 'vitest'
import { FUNCTION_NAMES, findFunction, suggestFunction } from '../../../src/policy/template/functions.ts'

describe('the function registry', () => {
  it('holds every function of the language', () => {
    expect(FUNCTION_NAMES).toEqual([
      'append',
      'camel_case',
      'country_code',
      'date_add',
      'date_format',
      'default',
      'first',
      'first_n',
      'if',
      'last',
      'last_n',
      'lower',
      'prepend',
      'remove_chars',
      'remove_diacritics',
      'remove_domain',
      'remove_whitespace',
      'replace',
      'sentence',
      'snake_case',
      'split',
      'substring',
      'title',
      'trim',
      'upper',
    ])
  })

  it('finds a function whatever the case of its name', () => {
    expect(findFunction('LOWER')?.name).toBe('lower')
    expect(findFunction('Date_Format')?.name).toBe('date_format')
    expect(findFunction('lowr')).toBeUndefined()
  })

  it('suggests the nearest name for a typo or a longer spelling, and nothing for a stranger', () => {
    expect(suggestFunction('lowr')).toBe('lower')
    expect(suggestFunction('UPPR')).toBe('upper')
    expect(suggestFunction('substr')).toBe('substring')
    expect(suggestFunction('dateformat')).toBe('date_format')
    expect(suggestFunction('uppercase')).toBe('upper')
    expect(suggestFunction('frobnicate')).toBeUndefined()
    expect(suggestFunction('x')).toBeUndefined()
  })
})
