/** The public API as the engine uses it: one import, a policy's templates and conditions. */
import { describe, expect, it } from 'vitest'
import {
  ConditionSyntaxError,
  compileCondition,
  compileTransformer,
  evaluateTemplate,
  FUNCTION_NAMES,
  parseTemplate,
  referencedAttributes,
  TemplateSyntaxError,
} from '../../src/policy/index.ts'

const now = new Date('2026-11-28T15:00:00Z')
const hire = {
  employee_id: '00042',
  first_name: 'Zoë',
  last_name: 'Łukasiewicz',
  email: 'Zoe.Lukasiewicz@Example.com',
  department: 'Engineering',
  country: 'Poland',
  status: 'active',
  start_date: '2026-12-01',
}

describe('the policy API', () => {
  it('maps an HR record onto target attributes and decides its workflow', async () => {
    const context = { policy: 'employees', location: 'workflow 1 action 1' }
    const attributes = {
      user_name: compileTransformer('{email | lower}', { ...context, attribute: 'user_name' }),
      display_name: compileTransformer('{first_name} {last_name}', { ...context, attribute: 'display_name' }),
      nick_name: compileTransformer(
        [
          '{first_name | remove_diacritics | lower}',
          '{first_name | remove_diacritics | lower}.{last_name | first_n 1 | lower}',
        ],
        { ...context, attribute: 'nick_name' },
      ),
      country: compileTransformer('{country | country_code}', { ...context, attribute: 'country' }),
      group: compileTransformer('{department | lower}-team', { ...context, attribute: 'group' }),
    }
    const taken = new Set(['zoe', 'zoe.ł'])
    const values: Record<string, string | undefined> = {}
    for (const [name, transformer] of Object.entries(attributes)) {
      values[name] = await transformer.resolve(hire, (v) => taken.has(v), { now })
    }
    expect(values).toEqual({
      user_name: 'zoe.lukasiewicz@example.com',
      display_name: 'Zoë Łukasiewicz',
      nick_name: 'zoe.ł2',
      country: 'PL',
      group: 'engineering-team',
    })

    const preHire = compileCondition(
      'status eq "active" and start_date le "today+3d" and start_date ge "today"',
      {
        policy: 'employees',
        location: 'workflow 1 when',
      },
    )
    expect(preHire.matches(hire, now)).toBe(true)
    expect(preHire.matches({ ...hire, start_date: '2026-12-05' }, now)).toBe(false)
    expect(preHire.attributes).toEqual(['status', 'start_date'])
  })

  it('exposes parsing, evaluation, attribute lists and the function names', () => {
    const template = parseTemplate('{first_name | upper}')
    expect(evaluateTemplate(template, hire)).toBe('ZOË')
    expect(referencedAttributes(template)).toEqual(['first_name'])
    expect(FUNCTION_NAMES).toContain('country_code')
  })

  it('throws the named error classes', () => {
    expect(() => compileTransformer('{a | nope}')).toThrow(TemplateSyntaxError)
    expect(() => compileCondition('a eq')).toThrow(ConditionSyntaxError)
  })

  it('refuses an invalid clock instead of computing with it', () => {
    expect(() => evaluateTemplate(parseTemplate('x'), {}, { now: new Date(Number.NaN) })).toThrow(RangeError)
    expect(() => compileCondition('a eq "b"').matches({}, new Date(Number.NaN))).toThrow(RangeError)
  })
})
