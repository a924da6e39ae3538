import { describe, expect, it } from 'vitest'
import {
  type Condition,
  ConditionEvaluationError,
  ConditionSyntaxError,
  compileCondition,
} from '../../src/policy/conditions.ts'

/** Saturday 2026-11-28, 15:00 UTC. */
const NOW = new Date('2026-11-28T15:00:00Z')
const matches = (text: string, attributes: Record<string, unknown>, now: Date = NOW): boolean =>
  compileCondition(text).matches(attributes, now)
const where = { policy: 'employees', location: 'workflow 2 when' }

function syntaxError(text: string): ConditionSyntaxError {
  try {
    compileCondition(text, where)
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionSyntaxError)
    return error as ConditionSyntaxError
  }
  throw new Error(`expected ${text} to be refused`)
}

describe('SCIM filter syntax over source attributes', () => {
  const engineer = { department: 'Engineering', title: 'VP Platform', active: true, manager_email: '' }

  it('compares strings without regard to case, as the SCIM evaluator does', () => {
    expect(matches('department eq "engineering"', engineer)).toBe(true)
    expect(matches('title sw "vp"', engineer)).toBe(true)
    expect(matches('title co "platform"', engineer)).toBe(true)
    expect(matches('title ew "sales"', engineer)).toBe(false)
  })

  it('combines with and, or, not and parentheses', () => {
    expect(matches('department eq "Engineering" and active eq true', engineer)).toBe(true)
    expect(matches('department eq "Sales" or (title sw "VP" and not (active eq false))', engineer)).toBe(true)
    expect(matches('not (department eq "Engineering")', engineer)).toBe(false)
  })

  it('tests presence with pr, an empty string counting as absent', () => {
    expect(matches('title pr', engineer)).toBe(true)
    expect(matches('manager_email pr', engineer)).toBe(false)
    expect(matches('nick_name pr', engineer)).toBe(false)
  })

  it('treats an absent attribute as SCIM does: ne is true, every other comparison false', () => {
    expect(matches('location eq "Paris"', engineer)).toBe(false)
    expect(matches('location ne "Paris"', engineer)).toBe(true)
  })

  it('reads attribute names without regard to case', () => {
    expect(matches('Department eq "Engineering"', { department: 'Engineering' })).toBe(true)
    expect(matches('department eq "Engineering"', { DEPARTMENT: 'Engineering' })).toBe(true)
  })
})

describe('source values written as text', () => {
  it('reads "true" and "false" as booleans when compared with a boolean', () => {
    expect(matches('active eq true', { active: 'true' })).toBe(true)
    expect(matches('active eq true', { active: ' TRUE ' })).toBe(true)
    expect(matches('active eq false', { active: 'False' })).toBe(true)
    expect(matches('active eq true', { active: 'yes' })).toBe(false)
    expect(matches('active eq true', { active: true })).toBe(true)
  })

  it('reads numeric text as a number when compared with a number', () => {
    expect(matches('level gt 5', { level: '10' })).toBe(true)
    expect(matches('level gt 5', { level: 10 })).toBe(true)
    expect(matches('level le 5', { level: '10' })).toBe(false)
    expect(matches('level eq 3', { level: '3.0' })).toBe(true)
    expect(matches('level gt 5', { level: 'ten' })).toBe(false)
  })

  it('leaves text compared with text alone, leading zeros included', () => {
    expect(matches('employee_id eq "00123"', { employee_id: '00123' })).toBe(true)
    expect(matches('employee_id eq "123"', { employee_id: '00123' })).toBe(false)
  })

  it('coerces each comparison on its own, so one attribute can be read both ways', () => {
    expect(matches('code eq "007" and code eq 7', { code: '007' })).toBe(true)
  })
})

describe('nested and multi-valued attributes', () => {
  it('reads a dotted name as a nested attribute or as a flat key of that name', () => {
    expect(matches('address.country eq "FR"', { address: { country: 'FR' } })).toBe(true)
    expect(matches('address.country eq "FR"', { 'address.country': 'FR' })).toBe(true)
    expect(matches('address.country eq "FR"', { address: 'FR' })).toBe(false)
  })

  it('matches when any value of a multi-valued attribute matches', () => {
    const person = {
      emails: [
        { value: 'a@home.org', type: 'home' },
        { value: 'a@example.com', type: 'work' },
      ],
    }
    expect(matches('emails.value ew "@example.com"', person)).toBe(true)
    expect(matches('emails[type eq "work" and value ew "@example.com"]', person)).toBe(true)
    expect(matches('emails[type eq "home" and value ew "@example.com"]', person)).toBe(false)
    expect(matches('tags eq "remote"', { tags: ['onsite', 'Remote'] })).toBe(true)
  })
})

describe('dates', () => {
  it('compares a date literal in time, whatever the form of the value', () => {
    expect(matches('start_date ge "2026-12-01"', { start_date: '2026-12-01T10:00:00Z' })).toBe(true)
    expect(matches('start_date eq "2026-12-01"', { start_date: '2026-12-01T00:00:00Z' })).toBe(true)
    expect(matches('start_date lt "2026-12-01"', { start_date: '2026-11-30' })).toBe(true)
    expect(matches('hired lt "2026-12-01T00:00:00+01:00"', { hired: '2026-11-30T23:30:00Z' })).toBe(false)
    expect(matches('hired lt "2026-12-01T00:00:00+01:00"', { hired: '2026-11-30T22:59:59Z' })).toBe(true)
  })

  it('keeps a date literal as text for co, sw and ew', () => {
    expect(matches('note co "2026-12-01"', { note: 'starts 2026-12-01' })).toBe(true)
  })
})

describe('relative dates', () => {
  it('finds a pre-hire window: start date within the next 3 days', () => {
    const window = compileCondition('start_date ge "today" and start_date le "today+3d"')
    expect(window.matches({ start_date: '2026-11-27' }, NOW)).toBe(false)
    expect(window.matches({ start_date: '2026-11-28' }, NOW)).toBe(true)
    expect(window.matches({ start_date: '2026-12-01' }, NOW)).toBe(true)
    expect(window.matches({ start_date: '2026-12-02' }, NOW)).toBe(false)
  })

  it('finds an end date that has passed: before today, not today itself', () => {
    const ended = compileCondition('end_date lt "today"')
    expect(ended.matches({ end_date: '2026-11-27' }, NOW)).toBe(true)
    expect(ended.matches({ end_date: '2026-11-28' }, NOW)).toBe(false)
    expect(ended.matches({ end_date: '2026-11-27T23:59:59Z' }, NOW)).toBe(true)
  })

  it('takes a date without time as the start of its day against now', () => {
    expect(matches('end_date lt "now"', { end_date: '2026-11-28' })).toBe(true)
    expect(matches('start_date eq "today"', { start_date: '2026-11-28' })).toBe(true)
    expect(matches('start_date eq "today"', { start_date: '2026-11-28T09:00:00Z' })).toBe(false)
  })

  it('resolves now with offsets in seconds, minutes, hours, days and weeks, at the boundary', () => {
    expect(matches('seen lt "now-12h"', { seen: '2026-11-28T02:59:59Z' })).toBe(true)
    expect(matches('seen lt "now-12h"', { seen: '2026-11-28T03:00:00Z' })).toBe(false)
    expect(matches('seen le "now-12h"', { seen: '2026-11-28T03:00:00Z' })).toBe(true)
    expect(matches('seen ge "now-90s"', { seen: '2026-11-28T14:58:30Z' })).toBe(true)
    expect(matches('seen ge "now-90s"', { seen: '2026-11-28T14:58:29Z' })).toBe(false)
    expect(matches('seen gt "now+30m"', { seen: '2026-11-28T15:30:01Z' })).toBe(true)
    expect(matches('seen lt "today-2w"', { seen: '2026-11-13' })).toBe(true)
    expect(matches('seen lt "today-2w"', { seen: '2026-11-14' })).toBe(false)
    expect(matches('seen gt "now + 1d"', { seen: '2026-11-29T15:00:01Z' })).toBe(true)
  })

  it('counts the zone of a date-time value', () => {
    expect(matches('seen lt "now"', { seen: '2026-11-28T16:30:00+02:00' })).toBe(true)
    expect(matches('seen lt "now"', { seen: '2026-11-28T15:30:00-01:00' })).toBe(false)
  })

  it('reads the clock at each evaluation', () => {
    const started = compileCondition('start_date le "today"')
    expect(started.matches({ start_date: '2026-12-01' }, NOW)).toBe(false)
    expect(started.matches({ start_date: '2026-12-01' }, new Date('2026-12-01T00:00:00Z'))).toBe(true)
    expect(started.matches({ start_date: '2000-01-01' })).toBe(true)
    expect(compileCondition('start_date gt "now"').matches({ start_date: '2999-01-01' })).toBe(true)
  })

  it('accepts Date objects and lists of dates', () => {
    expect(matches('end_date lt "today"', { end_date: new Date('2026-11-01T00:00:00Z') })).toBe(true)
    expect(matches('dates gt "today"', { dates: ['2026-01-01', '2027-01-01'] })).toBe(true)
  })

  it('treats a value that is no date like an absent one: false except for ne', () => {
    expect(matches('end_date lt "today"', { end_date: 'soon' })).toBe(false)
    expect(matches('end_date ge "today"', { end_date: 'soon' })).toBe(false)
    expect(matches('end_date ne "today"', { end_date: 'soon' })).toBe(true)
    expect(matches('end_date lt "today"', { end_date: '' })).toBe(false)
    expect(matches('end_date lt "today"', {})).toBe(false)
    expect(matches('end_date ne "today"', {})).toBe(true)
  })

  it('keeps words that only look alike as text: other case, or with co, sw and ew', () => {
    expect(matches('availability eq "NOW"', { availability: 'now' })).toBe(true)
    expect(matches('title co "today"', { title: 'Today show host' })).toBe(true)
    expect(matches('note eq "today is fine"', { note: 'today is fine' })).toBe(true)
  })

  it('refuses a malformed relative date at its column', () => {
    const error = syntaxError('start_date le "today+3x"')
    expect(error.problem).toMatch(/^invalid relative date "today\+3x": write now or today/)
    expect(error.column).toBe(15)
    expect(error.message).toMatch(/^policy "employees", workflow 2 when, column 15: invalid relative date/)
  })

  it('refuses a relative date inside a value filter', () => {
    const error = syntaxError('dates[type eq "start" and value le "today"]')
    expect(error.problem).toMatch(/relative dates cannot be used inside \[\.\.\.\]/)
    expect(error.column).toBe(36)
  })
})

describe('errors', () => {
  it('reports SCIM syntax errors with the column and the caller context', () => {
    const error = syntaxError('department eq Engineering')
    expect(error.column).toBe(15)
    expect(error.message).toBe(
      'policy "employees", workflow 2 when, column 15: expected a value after eq, found \'Engineering\': strings must be in double quotes',
    )
    expect(error.text).toBe('department eq Engineering')
    expect(error.context).toEqual(where)
  })

  it('reports a comparison SCIM refuses in the words of the condition, at the attribute', () => {
    const error = syntaxError('department eq "x" and active gt true')
    expect(error.problem).toBe('gt is not defined for boolean values (active gt true)')
    expect(error.column).toBe(23)
  })

  it('refuses schema URNs: conditions read source attributes by name', () => {
    const error = syntaxError('department eq "x" or urn:ietf:params:scim:schemas:core:2.0:User:title eq "y"')
    expect(error.problem).toMatch(/schema URN cannot be used here/)
    expect(error.column).toBe(22)
  })

  it('reports a comparison that cannot be decided on a record as an evaluation error', () => {
    const condition = compileCondition('active gt "a"', where)
    let caught: unknown
    try {
      condition.matches({ active: true })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConditionEvaluationError)
    expect((caught as ConditionEvaluationError).message).toBe(
      'policy "employees", workflow 2 when, column 1: gt is not defined for boolean attribute active',
    )
  })
})

describe('compiled conditions', () => {
  it('list the attributes they read, once each', () => {
    const condition: Condition = compileCondition(
      'department eq "x" and (address.country eq "FR" or department sw "y") and emails[type eq "work"]',
    )
    expect(condition.attributes).toEqual(['department', 'address.country', 'emails'])
  })

  it('are frozen and keep their text and context', () => {
    const condition = compileCondition('a eq "b"', where)
    expect(Object.isFrozen(condition)).toBe(true)
    expect(condition.text).toBe('a eq "b"')
    expect(condition.context).toEqual(where)
  })
})
