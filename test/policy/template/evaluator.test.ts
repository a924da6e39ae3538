import { describe, expect, it } from 'vitest'
import { TemplateEvaluationError, TemplateLimitError } from '../../../src/policy/template/errors.ts'
import { evaluateTemplate } from '../../../src/policy/template/evaluator.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { DEFAULT_TEMPLATE_LIMITS } from '../../../src/policy/template/template.ts'
import { NOW, render, templateError } from './helpers.ts'

describe('reading attributes', () => {
  it('reads a missing, undefined or null attribute as the empty string', () => {
    expect(render('[{missing}]')).toBe('[]')
    expect(render('[{a}{b}]', { a: undefined, b: null })).toBe('[]')
  })

  it('writes numbers, booleans and dates as text', () => {
    expect(render('{n} {f} {t} {d}', { n: 42, f: 1.5, t: false, d: new Date('2026-12-01T00:00:00Z') })).toBe(
      '42 1.5 false 2026-12-01T00:00:00.000Z',
    )
  })

  it('walks nested objects and lists with a dotted name', () => {
    const attributes = { address: { country: 'FR' }, emails: [{ value: 'a@x' }, { value: 'b@x' }] }
    expect(render('{address.country} {emails.1.value}', attributes)).toBe('FR b@x')
    expect(render('[{address.city}][{emails.5.value}][{address.country.code}]', attributes)).toBe('[][][]')
  })

  it('prefers a flat key with dots, as a CSV header gives it, over a nested walk', () => {
    expect(render('{address.country}', { 'address.country': 'flat', address: { country: 'nested' } })).toBe(
      'flat',
    )
  })

  it('matches attribute names without regard to case when no exact name exists', () => {
    expect(render('{first_name}', { First_Name: 'Ada' })).toBe('Ada')
    expect(render('{first_name}', { First_Name: 'no', first_name: 'yes' })).toBe('yes')
    expect(render('{Address.Country}', { address: { country: 'FR' } })).toBe('FR')
  })

  it('refuses a list or an object where a single value is needed, naming the attribute', () => {
    const list = templateError(() => render('ab{emails}', { emails: ['a', 'b'] }))
    expect(list).toBeInstanceOf(TemplateEvaluationError)
    expect(list.problem).toBe(
      'attribute emails holds a list, not a single value: name one of its fields, e.g. emails.0',
    )
    expect(list.column).toBe(4)
    expect(templateError(() => render('{address}', { address: { country: 'FR' } })).problem).toMatch(
      /holds an object.*address\.value/,
    )
  })

  it('reads the clock from the options, and the current time without them', () => {
    expect(render('{"now" | date_format YYYY-MM-DD[T]HH:mm}', {}, NOW)).toBe('2026-11-28T15:00')
    const year = String(new Date().getUTCFullYear())
    expect(evaluateTemplate(parseTemplate('{"today" | date_format YYYY}'), {})).toBe(year)
  })
})

describe('evaluation errors', () => {
  it('name the policy, the attribute, the column and the function', () => {
    const template = parseTemplate('{first_name} {hired | date_format YYYY}', {
      policy: 'employees',
      attribute: 'title',
    })
    const error = templateError(() => evaluateTemplate(template, { hired: 'soon' }))
    expect(error).toBeInstanceOf(TemplateEvaluationError)
    expect(error.message).toBe(
      'policy "employees", attribute title, column 23: date_format: cannot read "soon" as a date (expected ISO 8601 such as 2026-12-01 or 2026-12-01T09:30:00Z, or a relative date such as today+3d)',
    )
    expect(error.text).toBe('{first_name} {hired | date_format YYYY}')
    expect(error.offset).toBe(22)
  })
})

describe('limits', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_TEMPLATE_LIMITS).toEqual({
      maxTemplateLength: 4096,
      maxInputLength: 4096,
      maxSteps: 10_000,
      maxOutputLength: 8192,
    })
    expect(Object.isFrozen(DEFAULT_TEMPLATE_LIMITS)).toBe(true)
  })

  it('refuses an attribute value longer than the input limit, at the attribute', () => {
    expect(render('{a}', { a: 'x'.repeat(4096) })).toHaveLength(4096)
    const error = templateError(() => render('ab {a | lower}', { a: 'x'.repeat(4097) }))
    expect(error).toBeInstanceOf(TemplateLimitError)
    expect((error as TemplateLimitError).limit).toBe('inputLength')
    expect(error.problem).toBe('attribute a is 4097 characters long, over the limit of 4096')
    expect(error.column).toBe(5)
  })

  it('stops after the step limit: one step per text, expression and call', () => {
    const template = parseTemplate('a{b | lower | upper}', {}, { maxSteps: 4 })
    expect(evaluateTemplate(template, { b: 'x' })).toBe('aX')
    const tight = parseTemplate('a{b | lower | upper}', {}, { maxSteps: 3 })
    const error = templateError(() => evaluateTemplate(tight, { b: 'x' }))
    expect((error as TemplateLimitError).limit).toBe('steps')
    expect(error.problem).toBe('evaluation needs more than 3 steps')
    expect(error.column).toBe(15)
  })

  it('refuses a result longer than the output limit', () => {
    const template = parseTemplate('{a}{a}', {}, { maxOutputLength: 5 })
    expect(evaluateTemplate(template, { a: 'ab' })).toBe('abab')
    const error = templateError(() => evaluateTemplate(template, { a: 'abc' }))
    expect((error as TemplateLimitError).limit).toBe('outputLength')
    expect(error.column).toBe(4)
  })

  it('refuses an intermediate value over the output limit, naming the function', () => {
    const template = parseTemplate('{a | append "xyz" | first_n 1}', {}, { maxOutputLength: 4 })
    const error = templateError(() => evaluateTemplate(template, { a: 'ab' }))
    expect(error.problem).toBe('append gives 5 characters, over the limit of 4')
  })

  it('refuses a replacement that would balloon before building it', () => {
    const template = parseTemplate(`{a | replace "a", "${'b'.repeat(4000)}"}`)
    const started = performance.now()
    const error = templateError(() => evaluateTemplate(template, { a: 'a'.repeat(4000) }))
    expect((error as TemplateLimitError).limit).toBe('outputLength')
    expect(error.problem).toBe(
      'replace: the result would be 16000000 characters long, over the limit of 8192',
    )
    expect(performance.now() - started).toBeLessThan(500)
  })
})
