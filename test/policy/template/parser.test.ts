import { describe, expect, it } from 'vitest'
import { TemplateSyntaxError } from '../../../src/policy/template/errors.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { referencedAttributes } from '../../../src/policy/template/template.ts'
import { render, templateError } from './helpers.ts'

const syntaxError = (text: string) => {
  const error = templateError(() => parseTemplate(text, { policy: 'employees', attribute: 'user_name' }))
  expect(error).toBeInstanceOf(TemplateSyntaxError)
  return error
}

describe('template text', () => {
  it('keeps text without expressions as it is', () => {
    expect(render('all-staff')).toBe('all-staff')
    expect(render('')).toBe('')
  })

  it('reads {{ and }} as literal braces, inside and around expressions', () => {
    expect(render('{{x}}')).toBe('{x}')
    expect(render('{{{a}}}', { a: 'v' })).toBe('{v}')
    expect(render('}}{{')).toBe('}{')
  })

  it('substitutes attributes between literal text', () => {
    expect(render('{first_name} {last_name}', { first_name: 'Ada', last_name: 'Lovelace' })).toBe(
      'Ada Lovelace',
    )
    expect(render('cn={a},ou=people', { a: 'x' })).toBe('cn=x,ou=people')
  })

  it('ignores whitespace, newlines included, between the tokens of an expression', () => {
    expect(render('{  email\n |   lower  }', { email: 'A@B' })).toBe('a@b')
    expect(render('{a|lower|upper}', { a: 'x' })).toBe('X')
  })
})

describe('attribute names', () => {
  it('accepts snake case, dots, hyphens, a leading underscore and letters of any script', () => {
    const attributes = {
      first_name: 'a',
      'employee-id': 'b',
      _id: 'c',
      prénom: 'd',
      名前: 'e',
      address: { country: 'f' },
    }
    expect(render('{first_name}{employee-id}{_id}{prénom}{名前}{address.country}', attributes)).toBe('abcdef')
  })

  it('refuses a name that starts with a digit, at its column', () => {
    const error = syntaxError('x {1st}')
    expect(error.column).toBe(4)
    expect(error.problem).toMatch(/invalid attribute name "1st"/)
  })

  it('refuses an empty expression', () => {
    expect(syntaxError('a{}').problem).toMatch(/empty expression/)
    expect(syntaxError('a{  }').column).toBe(2)
  })

  it('says what it found when a name has a space in it', () => {
    const error = syntaxError('{first name}')
    expect(error.problem).toBe(`expected '|' or '}', found "name"`)
    expect(error.column).toBe(8)
  })
})

describe('string literals', () => {
  it('reads double- and single-quoted strings with escapes', () => {
    expect(render(`{"say \\"hi\\""}`)).toBe('say "hi"')
    expect(render(`{'it\\'s'}`)).toBe("it's")
    expect(render(`{"a\\tb\\\\c\\u00e9"}`)).toBe('a\tb\\cé')
    expect(render(`{"}|{,"}`)).toBe('}|{,')
  })

  it('refuses an unknown escape and an unterminated string, at their columns', () => {
    const badEscape = syntaxError('{"a\\qb"}')
    expect(badEscape.problem).toMatch(/invalid escape '\\q'/)
    expect(badEscape.column).toBe(4)
    const open = syntaxError('ab{"abc}')
    expect(open.problem).toMatch(/unterminated string/)
    expect(open.column).toBe(4)
  })
})

describe('function calls', () => {
  it('finds functions whatever the case of their name', () => {
    expect(render('{a | LOWER}{a | Lower}{a | lower}', { a: 'X' })).toBe('xxx')
  })

  it('takes quoted, numeric and bare-word arguments separated by commas', () => {
    expect(render('{a | substring 1, 2}', { a: 'abcd' })).toBe('bc')
    expect(render('{a | substring "1", "2"}', { a: 'abcd' })).toBe('bc')
    expect(render('{a | append -team}', { a: 'eng' })).toBe('eng-team')
    expect(render('{a | date_format YYYY/MM/DD}', { a: '2026-12-01' })).toBe('2026/12/01')
  })

  it('keeps a bare number as written when it is used as text', () => {
    expect(render('{a | append 007}', { a: 'x' })).toBe('x007')
  })

  it('names the unknown function and suggests the nearest', () => {
    const error = syntaxError('{first_name | lowr}')
    expect(error.problem).toBe('unknown function "lowr" (did you mean "lower"?)')
    expect(error.column).toBe(15)
    expect(error.message).toBe(
      'policy "employees", attribute user_name, column 15: unknown function "lowr" (did you mean "lower"?)',
    )
    expect(syntaxError('{a | lowercase}').problem).toMatch(/did you mean "lower"/)
    expect(syntaxError('{a | frobnicate}').problem).toBe('unknown function "frobnicate"')
  })

  it('refuses arguments without a comma between them', () => {
    const error = syntaxError('{a | substring 0 1}')
    expect(error.problem).toBe(`expected ',' between the arguments of substring, found "1"`)
    expect(error.column).toBe(18)
  })

  it('refuses a trailing comma and a missing function name', () => {
    expect(syntaxError('{a | substring 0,}').problem).toMatch(/expected an argument after ','/)
    expect(syntaxError('{a | substring 0, , 1}').problem).toMatch(/expected an argument after ','/)
    expect(syntaxError('{a | }').problem).toMatch(/expected a function name after '\|'/)
    expect(syntaxError('{a | "lower"}').problem).toMatch(/expected a function name/)
  })

  it('checks the number of arguments against the function', () => {
    expect(syntaxError('{a | lower x}').problem).toBe('lower takes no arguments (lower), found 1')
    expect(syntaxError('{a | substring}').problem).toBe(
      'substring takes 1 to 2 arguments (substring START[, LENGTH]), found 0',
    )
    const extra = syntaxError('{a | split ",", 1, 2}')
    expect(extra.problem).toMatch(/split takes 2 arguments/)
    expect(extra.column).toBe(20)
  })

  it('checks argument values at parse time, at the argument column', () => {
    const error = syntaxError('{a | substring x}')
    expect(error.problem).toBe('substring: START must be a whole number, found "x"')
    expect(error.column).toBe(16)
  })

  it('refuses a brace inside an expression, explaining that arguments are literal', () => {
    expect(syntaxError('{a | append {b}}').problem).toMatch(/arguments are literal text/)
  })
})

describe('structure errors', () => {
  it('points at the unclosed brace', () => {
    const error = syntaxError('ab {first_name | lower')
    expect(error.problem).toMatch(/unclosed '\{'/)
    expect(error.column).toBe(4)
  })

  it('points at an unmatched closing brace', () => {
    const error = syntaxError('ab}c')
    expect(error.problem).toBe("unmatched '}': write '}}' for a literal brace")
    expect(error.column).toBe(3)
  })

  it('counts columns in characters, so an emoji before the error counts once', () => {
    expect(syntaxError('😀😀}').column).toBe(3)
  })

  it('refuses a template over the length limit before parsing it', () => {
    const error = syntaxError('x'.repeat(4097))
    expect(error.problem).toBe('template is 4097 characters long, over the limit of 4096')
    expect(() => parseTemplate('x'.repeat(4096))).not.toThrow()
    expect(() => parseTemplate('x'.repeat(11), {}, { maxTemplateLength: 10 })).toThrow(TemplateSyntaxError)
  })
})

describe('parsed templates', () => {
  it('are frozen and can be evaluated many times', () => {
    const template = parseTemplate('{a | upper}')
    expect(Object.isFrozen(template)).toBe(true)
    expect(Object.isFrozen(template.parts)).toBe(true)
    expect(Object.isFrozen(template.context)).toBe(true)
    expect(render('{a | upper}', { a: 'x' })).toBe('X')
    expect(render('{a | upper}', { a: 'y' })).toBe('Y')
  })

  it('list the attributes they read, in order, once each, without literals', () => {
    const template = parseTemplate('{b}{a | default "x"}{"lit"}{b | upper}{address.country}')
    expect(referencedAttributes(template)).toEqual(['b', 'a', 'address.country'])
    expect(referencedAttributes(parseTemplate('static'))).toEqual([])
  })

  it('keep the text and context they were parsed with', () => {
    const template = parseTemplate('{a}', { policy: 'p', attribute: 'title' })
    expect(template.text).toBe('{a}')
    expect(template.context).toEqual({ policy: 'p', attribute: 'title' })
  })
})
