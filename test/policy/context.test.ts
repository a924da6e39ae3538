import { describe, expect, it } from 'vitest'
import { columnOf, describePlace, PolicyTextError } from '../../src/policy/context.ts'

describe('describePlace', () => {
  it('lists policy, location, attribute, template and column in that order', () => {
    expect(
      describePlace(
        { policy: 'employees', location: 'workflow 1 action 2', attribute: 'user_name', template: 2 },
        7,
      ),
    ).toBe('policy "employees", workflow 1 action 2, attribute user_name, template 2, column 7')
  })

  it('leaves out what is not given', () => {
    expect(describePlace({}, 3)).toBe('column 3')
    expect(describePlace({ attribute: 'title' })).toBe('attribute title')
    expect(describePlace({})).toBe('')
  })

  it('quotes the policy name', () => {
    expect(describePlace({ policy: 'say "hi"' })).toBe('policy "say \\"hi\\""')
  })
})

describe('columnOf', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(columnOf('abc', 0)).toBe(1)
    expect(columnOf('abc', 2)).toBe(3)
    expect(columnOf('😀x', 2)).toBe(2)
  })
})

describe('PolicyTextError', () => {
  it('keeps problem, text, offset, column and context apart from the message', () => {
    const error = new PolicyTextError('bad', 'a😀b', 3, { policy: 'p' })
    expect(error.message).toBe('policy "p", column 3: bad')
    expect([error.problem, error.text, error.offset, error.column]).toEqual(['bad', 'a😀b', 3, 3])
    expect(error.context).toEqual({ policy: 'p' })
  })
})
