import { describe, expect, it } from 'vitest'
import { TemplateSyntaxError } from '../../../src/policy/template/errors.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { apply, render, templateError } from './helpers.ts'

describe('if', () => {
  it('chooses THEN or ELSE on equality, ignoring case as conditions do', () => {
    expect(apply('if eq "sales", "S", "other"', 'Sales')).toBe('S')
    expect(apply('if eq "sales", "S", "other"', 'Engineering')).toBe('other')
    expect(apply('if ne "sales", "not sales", "sales"', 'SALES')).toBe('sales')
  })

  it('passes a failing value through unchanged when ELSE is left out', () => {
    expect(apply('if eq "United States of America", "USA"', 'United States of America')).toBe('USA')
    expect(apply('if eq "United States of America", "USA"', 'France')).toBe('France')
  })

  it('gives empty with an explicit empty ELSE, for groups only some people get', () => {
    const group = '{department | if eq "Engineering", "eng-all", ""}'
    expect(render(group, { department: 'engineering' })).toBe('eng-all')
    expect(render(group, { department: 'Sales' })).toBe('')
  })

  it('tests text with co, sw and ew', () => {
    expect(apply('if co "manager", "yes", "no"', 'Senior Manager, EMEA')).toBe('yes')
    expect(apply('if sw "vp", "exec", "staff"', 'VP Sales')).toBe('exec')
    expect(apply('if ew "@contractor.com", "ext", "int"', 'a@Contractor.com')).toBe('ext')
    expect(apply('if ew "@contractor.com", "ext", "int"', 'a@x.com')).toBe('int')
  })

  it('orders numbers as numbers, not as text', () => {
    expect(apply('if gt 9, "high", "low"', '10')).toBe('high')
    expect(apply('if ge 10, "high", "low"', '10')).toBe('high')
    expect(apply('if lt 9, "low", "high"', '10')).toBe('high')
    expect(apply('if le 2.5, "low", "high"', '2.50')).toBe('low')
    expect(apply('if eq 7, "seven", "other"', '007')).toBe('seven')
  })

  it('orders dates in time, relative dates included', () => {
    expect(apply('if lt "today", "ended", "active"', '2026-11-27')).toBe('ended')
    expect(apply('if lt "today", "ended", "active"', '2026-11-28')).toBe('active')
    expect(apply('if gt "2026-12-01", "later", "earlier"', '2026-12-01T00:00:01Z')).toBe('later')
    expect(apply('if gt "2026-12-01", "later", "earlier"', '2026-12-01T00:00:00Z')).toBe('earlier')
  })

  it('orders other text alphabetically without case', () => {
    expect(apply('if lt "m", "first half", "second half"', 'Alice')).toBe('first half')
    expect(apply('if lt "m", "first half", "second half"', 'zed')).toBe('second half')
  })

  it('tests presence with pr and empty, blank counting as empty', () => {
    expect(apply('if pr, "has", "none"', 'x')).toBe('has')
    expect(apply('if pr, "has", "none"', '  ')).toBe('none')
    expect(apply('if empty, "none"', '')).toBe('none')
    expect(render('{nick | if empty, "no nickname"}')).toBe('no nickname')
  })

  it('takes its operator in any case', () => {
    expect(apply('if EQ "x", "y"', 'X')).toBe('y')
  })

  it('refuses malformed tests at parse time, at the test', () => {
    const unknown = templateError(() => parseTemplate('{a | if is "x", "y"}'))
    expect(unknown).toBeInstanceOf(TemplateSyntaxError)
    expect(unknown.problem).toBe(
      'if: the test must start with an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr, empty), found "is"',
    )
    expect(unknown.column).toBe(9)
    expect(() => parseTemplate('{a | if "eq" "x", "y"}')).toThrow(/the test must start with an operator/)
    expect(() => parseTemplate('{a | if pr "x", "y"}')).toThrow(/pr takes no operand/)
    expect(() => parseTemplate('{a | if eq, "y"}')).toThrow(/eq needs an operand/)
    expect(() => parseTemplate('{a | if eq "x"}')).toThrow(/if takes 2 to 3 arguments/)
    expect(() => parseTemplate('{a | if eq "x" "y", "z"}')).toThrow(
      /expected ',' between the arguments of if/,
    )
    expect(() => parseTemplate('{a | if lt "today+3x", "y"}')).toThrow(/invalid relative date "today\+3x"/)
  })
})
