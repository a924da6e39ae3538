import { describe, expect, it, vi } from 'vitest'
import {
  TemplateEvaluationError,
  TemplateSyntaxError,
  UniqueValueExhaustedError,
} from '../../../src/policy/template/errors.ts'
import { compileTransformer, numbered } from '../../../src/policy/template/transformer.ts'
import { NOW } from './helpers.ts'

const ada = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' }
const context = { policy: 'employees', attribute: 'user_name' }
const USER_NAMES = [
  '{first_name | first_n 1 | lower}.{last_name | lower}',
  '{first_name | lower}.{last_name | lower}',
]

describe('candidates', () => {
  it('evaluates a single template', () => {
    expect(compileTransformer('{email | lower}', context).candidates(ada)).toEqual(['ada@example.com'])
  })

  it('gives the non-blank results of a fallback list in order, without repeats', () => {
    const transformer = compileTransformer([
      '{nick_name}',
      ...USER_NAMES,
      '{first_name | substring 0, 1 | lower}.{last_name | lower}',
      ' ',
    ])
    expect(transformer.candidates(ada)).toEqual(['a.lovelace', 'ada.lovelace'])
    expect(transformer.candidates({ ...ada, nick_name: 'countess' })).toEqual([
      'countess',
      'a.lovelace',
      'ada.lovelace',
    ])
  })

  it('gives nothing when every template is blank', () => {
    expect(compileTransformer(['{a}', '{b | trim}']).candidates({ b: '   ' })).toEqual([])
  })

  it('passes the clock to the templates', () => {
    expect(compileTransformer('{"today" | date_format YYYY}').candidates({}, { now: NOW })).toEqual(['2026'])
  })

  it('lists the attributes of all templates once', () => {
    expect(compileTransformer(['{nick_name}', ...USER_NAMES]).attributes).toEqual([
      'nick_name',
      'first_name',
      'last_name',
    ])
  })
})

describe('resolve', () => {
  it('returns the first candidate when nothing is asked about uniqueness', async () => {
    expect(await compileTransformer(USER_NAMES).resolve(ada)).toBe('a.lovelace')
  })

  it('returns the first candidate not taken, asking in order and no further', async () => {
    const isTaken = vi.fn((value: string) => value === 'a.lovelace')
    expect(await compileTransformer(USER_NAMES).resolve(ada, isTaken)).toBe('ada.lovelace')
    expect(isTaken.mock.calls.map(([value]) => value)).toEqual(['a.lovelace', 'ada.lovelace'])
  })

  it('awaits an asynchronous check', async () => {
    const taken = new Set(['a.lovelace'])
    const isTaken = async (value: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return taken.has(value)
    }
    expect(await compileTransformer(USER_NAMES).resolve(ada, isTaken)).toBe('ada.lovelace')
  })

  it('numbers the last candidate from 2 when every candidate is taken', async () => {
    const taken = new Set(['a.lovelace', 'ada.lovelace', 'ada.lovelace2'])
    expect(await compileTransformer(USER_NAMES).resolve(ada, (v) => taken.has(v))).toBe('ada.lovelace3')
  })

  it('puts the number before the @ of an email', async () => {
    const transformer = compileTransformer('{first_name | lower}.{last_name | lower}@example.com')
    const taken = new Set(['ada.lovelace@example.com'])
    expect(await transformer.resolve(ada, (v) => taken.has(v))).toBe('ada.lovelace2@example.com')
  })

  it('returns undefined without asking when every template is blank', async () => {
    const isTaken = vi.fn(() => true)
    expect(await compileTransformer('{nick_name}').resolve(ada, isTaken)).toBeUndefined()
    expect(isTaken).not.toHaveBeenCalled()
  })

  it('gives up after the highest number with a named error listing what it tried', async () => {
    const transformer = compileTransformer(USER_NAMES, context)
    const attempt = transformer.resolve(ada, () => true, { maxSuffix: 4 })
    await expect(attempt).rejects.toBeInstanceOf(UniqueValueExhaustedError)
    const error = (await attempt.catch((e: unknown) => e)) as UniqueValueExhaustedError
    expect(error.tried).toEqual([
      'a.lovelace',
      'ada.lovelace',
      'ada.lovelace2',
      'ada.lovelace3',
      'ada.lovelace4',
    ])
    expect(error.context).toEqual(context)
    expect(error.message).toBe(
      'policy "employees", attribute user_name: every candidate value is taken (a.lovelace, ada.lovelace, ada.lovelace2 … ada.lovelace4)',
    )
  })

  it('tries up to the 100th variant by default', async () => {
    const isTaken = vi.fn(() => true)
    await expect(compileTransformer('x').resolve({}, isTaken)).rejects.toThrow(UniqueValueExhaustedError)
    expect(isTaken).toHaveBeenCalledTimes(100)
    expect(isTaken).toHaveBeenLastCalledWith('x100')
  })

  it('propagates an evaluation error instead of skipping the template', async () => {
    const transformer = compileTransformer(['{hired | date_format YYYY}', '{first_name}'])
    await expect(transformer.resolve({ hired: 'soon', first_name: 'Ada' })).rejects.toBeInstanceOf(
      TemplateEvaluationError,
    )
  })
})

describe('numbered', () => {
  it('appends the number, before the last @ when there is one', () => {
    expect(numbered('john.doe', 2)).toBe('john.doe2')
    expect(numbered('john.doe@x.com', 12)).toBe('john.doe12@x.com')
    expect(numbered('"a@b"@x.com', 2)).toBe('"a@b"2@x.com')
    expect(numbered('@x', 2)).toBe('@x2')
  })
})

describe('compiling', () => {
  it('names the template of a fallback list that is wrong', () => {
    const error = (() => {
      try {
        compileTransformer(['{first_name}', '{last_name | lowr}'], context)
      } catch (e) {
        return e as TemplateSyntaxError
      }
    })()
    expect(error).toBeInstanceOf(TemplateSyntaxError)
    expect(error?.message).toBe(
      'policy "employees", attribute user_name, template 2, column 14: unknown function "lowr" (did you mean "lower"?)',
    )
  })

  it('leaves the template number out for a single template', () => {
    expect(() => compileTransformer('{a | lowr}', context)).toThrow(
      'policy "employees", attribute user_name, column 6: unknown function "lowr"',
    )
  })

  it('refuses an empty list', () => {
    expect(() => compileTransformer([], context)).toThrow(
      'policy "employees", attribute user_name, column 1: empty list of templates',
    )
  })

  it('applies the limits given to every template', () => {
    expect(() => compileTransformer(['ok', 'too long'], {}, { maxTemplateLength: 4 })).toThrow(
      'template 2, column 5: template is 8 characters long, over the limit of 4',
    )
  })

  it('gives a frozen transformer', () => {
    const transformer = compileTransformer(USER_NAMES)
    expect(Object.isFrozen(transformer)).toBe(true)
    expect(Object.isFrozen(transformer.templates)).toBe(true)
  })
})
