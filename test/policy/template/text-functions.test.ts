import { describe, expect, it } from 'vitest'
import { TemplateSyntaxError } from '../../../src/policy/template/errors.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { apply, render } from './helpers.ts'

describe('case', () => {
  it('lower and upper follow Unicode, ß included', () => {
    expect(apply('lower', 'ÉCOLE Ünd ABC')).toBe('école ünd abc')
    expect(apply('upper', 'straße é')).toBe('STRASSE É')
    expect(apply('lower', '')).toBe('')
    expect(render('[{missing | upper}]')).toBe('[]')
  })

  it('title capitalizes each word, after spaces and hyphens', () => {
    expect(apply('title', 'mary-jane o’neil')).toBe('Mary-Jane O’neil')
    expect(apply('title', 'ÉLODIE  DUPONT')).toBe('Élodie  Dupont')
    expect(apply('title', 'ada')).toBe('Ada')
    expect(apply('title', '')).toBe('')
  })

  it('sentence capitalizes the first letter only', () => {
    expect(apply('sentence', 'hELLO wORLD')).toBe('Hello world')
    expect(apply('sentence', '  42 élan')).toBe('  42 Élan')
    expect(apply('sentence', '')).toBe('')
  })

  it('snake_case and camel_case split on separators and on case changes', () => {
    expect(apply('snake_case', 'Cost Center')).toBe('cost_center')
    expect(apply('snake_case', 'costCenter')).toBe('cost_center')
    expect(apply('snake_case', 'HTTPServer  v2')).toBe('http_server_v2')
    expect(apply('snake_case', 'Straße-Nr.')).toBe('straße_nr')
    expect(apply('camel_case', 'cost center')).toBe('costCenter')
    expect(apply('camel_case', 'Cost_Center')).toBe('costCenter')
    expect(apply('camel_case', 'HTTP server')).toBe('httpServer')
    expect(apply('camel_case', '')).toBe('')
  })
})

describe('whitespace', () => {
  it('trim removes leading and trailing whitespace, no-break spaces included', () => {
    expect(apply('trim', '  a b \t\n')).toBe('a b')
    expect(apply('trim', '\u00a0x\u00a0')).toBe('x')
    expect(apply('trim', '   ')).toBe('')
  })

  it('remove_whitespace removes every whitespace character', () => {
    expect(apply('remove_whitespace', ' a b\tc\u00a0d\u2003e ')).toBe('abcde')
    expect(apply('remove_whitespace', '')).toBe('')
  })
})

describe('replace and remove_chars', () => {
  it('replaces every occurrence of literal text, regex characters included', () => {
    expect(apply('replace " ", "."', 'Ada Byron King')).toBe('Ada.Byron.King')
    expect(apply('replace ".", "-"', 'a.b.c')).toBe('a-b-c')
    expect(apply('replace "(x)", ""', 'a(x)b(x)')).toBe('ab')
    expect(apply('replace "é", "e"', 'épée')).toBe('epee')
  })

  it('removes the text when no replacement is given', () => {
    expect(apply('replace "\'"', "O'Brien")).toBe('OBrien')
  })

  it('refuses an empty search text at parse time', () => {
    expect(() => parseTemplate('{a | replace "", "x"}')).toThrow(/the text to find must not be empty/)
  })

  it('remove_chars removes each listed character, by code point', () => {
    expect(apply(`remove_chars "'- "`, "O'Brien-Smith Jr")).toBe('OBrienSmithJr')
    expect(apply('remove_chars "😀"', 'a😀b')).toBe('ab')
    expect(apply('remove_chars "x"', '')).toBe('')
  })
})

describe('substring, first_n and last_n', () => {
  it('cut by characters from a start and a length', () => {
    expect(apply('substring 0, 1', 'Lovelace')).toBe('L')
    expect(apply('substring 2', 'Lovelace')).toBe('velace')
    expect(apply('substring 6, 10', 'Lovelace')).toBe('ce')
    expect(apply('substring 20', 'Lovelace')).toBe('')
    expect(apply('substring 0, 0', 'Lovelace')).toBe('')
  })

  it('never split a character outside the Basic Multilingual Plane', () => {
    expect(apply('substring 0, 1', '😀ab')).toBe('😀')
    expect(apply('first_n 2', '𝒜𝒷c')).toBe('𝒜𝒷')
    expect(apply('last_n 2', '😀😁😂')).toBe('😁😂')
  })

  it('first_n and last_n keep short values whole and give empty for 0', () => {
    expect(apply('first_n 3', 'Zoë')).toBe('Zoë')
    expect(apply('first_n 3', 'Zo')).toBe('Zo')
    expect(apply('last_n 0', 'abc')).toBe('')
    expect(apply('last_n 2', '')).toBe('')
  })

  it('refuse negative positions at parse time', () => {
    expect(() => parseTemplate('{a | substring -1}')).toThrow(/START must be at least 0, found -1/)
    expect(() => parseTemplate('{a | first_n -2}')).toThrow(TemplateSyntaxError)
    expect(() => parseTemplate('{a | last_n 1.5}')).toThrow(/COUNT must be a whole number/)
  })
})

describe('emails and separators', () => {
  it('remove_domain keeps what comes before the last @', () => {
    expect(apply('remove_domain', 'ada@x.com')).toBe('ada')
    expect(apply('remove_domain', '"a@b"@x.com')).toBe('"a@b"')
    expect(apply('remove_domain', 'ada')).toBe('ada')
    expect(apply('remove_domain', '')).toBe('')
  })

  it('split picks a part by index, negative from the end, empty when out of range', () => {
    expect(apply('split ",", 1', 'a,b,c')).toBe('b')
    expect(apply('split ",", -1', 'a,b,c')).toBe('c')
    expect(apply('split ",", 5', 'a,b,c')).toBe('')
    expect(apply('split "@", 1', 'ada@x.com')).toBe('x.com')
    expect(apply('split ",", 0', '')).toBe('')
  })

  it('first and last split on whitespace, or on a separator when given', () => {
    expect(apply('first', '  Ada King  Lovelace ')).toBe('Ada')
    expect(apply('last', '  Ada King  Lovelace ')).toBe('Lovelace')
    expect(apply('first "@"', 'ada@x.com')).toBe('ada')
    expect(apply('last "."', 'a.b.c')).toBe('c')
    expect(apply('first', '')).toBe('')
    expect(apply('last', '   ')).toBe('')
  })

  it('refuses an empty separator at parse time', () => {
    expect(() => parseTemplate('{a | split "", 0}')).toThrow(/the separator must not be empty/)
    expect(() => parseTemplate('{a | first ""}')).toThrow(/the separator must not be empty/)
  })
})

describe('append, prepend and default', () => {
  it('append and prepend add text around a value', () => {
    expect(apply('append "-team"', 'eng')).toBe('eng-team')
    expect(apply('prepend "grp-"', 'eng')).toBe('grp-eng')
  })

  it('append and prepend leave a blank value empty, so optional parts vanish', () => {
    const name = '{first_name}{middle_name | prepend " "} {last_name}'
    expect(render(name, { first_name: 'Ada', middle_name: 'King', last_name: 'Lovelace' })).toBe(
      'Ada King Lovelace',
    )
    expect(render(name, { first_name: 'Ada', last_name: 'Lovelace' })).toBe('Ada Lovelace')
    expect(apply('append "x"', '  ')).toBe('')
  })

  it('default replaces a missing, empty or blank value and keeps the others', () => {
    expect(render('{nick | default "n/a"}')).toBe('n/a')
    expect(apply('default "n/a"', '')).toBe('n/a')
    expect(apply('default "n/a"', ' \t')).toBe('n/a')
    expect(apply('default "n/a"', 'Babs')).toBe('Babs')
    expect(apply('default 0', null)).toBe('0')
  })

  it('chains: default then the rest of the pipe', () => {
    expect(render('{dept | default "General" | lower | append "-team"}')).toBe('general-team')
  })
})
