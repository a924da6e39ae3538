import { describe, expect, it } from 'vitest'
import { countryKey, findCountry } from '../../../src/policy/template/country-code.ts'
import { COUNTRIES } from '../../../src/policy/template/country-codes.ts'
import { TemplateEvaluationError } from '../../../src/policy/template/errors.ts'
import { parseTemplate } from '../../../src/policy/template/parser.ts'
import { apply, templateError } from './helpers.ts'

describe('the country table', () => {
  it('holds the 249 ISO 3166-1 codes, each code once', () => {
    expect(COUNTRIES).toHaveLength(249)
    for (const column of [0, 1, 2] as const) {
      expect(new Set(COUNTRIES.map((row) => row[column])).size).toBe(249)
    }
    for (const [alpha2, alpha3, numeric, name] of COUNTRIES) {
      expect(alpha2).toMatch(/^[A-Z]{2}$/)
      expect(alpha3).toMatch(/^[A-Z]{3}$/)
      expect(numeric).toMatch(/^\d{3}$/)
      expect(name.length).toBeGreaterThan(2)
    }
  })

  it('finds every row back from each of its codes and names', () => {
    for (const row of COUNTRIES) {
      const [alpha2, alpha3, numeric, name, aliases] = row
      for (const key of [alpha2, alpha3, numeric, name, ...aliases]) expect(findCountry(key)).toBe(row)
    }
  })

  it('gives no two countries the same name', () => {
    const owners = new Map<string, string>()
    for (const [alpha2, , , name, aliases] of COUNTRIES) {
      for (const key of [name, ...aliases].map(countryKey)) {
        expect(owners.get(key) ?? alpha2).toBe(alpha2)
        owners.set(key, alpha2)
      }
    }
  })
})

describe('country_code', () => {
  it('turns a name, alpha-3 or numeric code into alpha-2 by default', () => {
    expect(apply('country_code', 'France')).toBe('FR')
    expect(apply('country_code', 'FRA')).toBe('FR')
    expect(apply('country_code', 'fr')).toBe('FR')
    expect(apply('country_code', '250')).toBe('FR')
    expect(apply('country_code', ' Germany ')).toBe('DE')
  })

  it('gives alpha-3, numeric or the ISO short name when asked, in any case', () => {
    expect(apply('country_code alpha3', 'Germany')).toBe('DEU')
    expect(apply('country_code ALPHA3', 'DE')).toBe('DEU')
    expect(apply('country_code alpha2', 'DEU')).toBe('DE')
    expect(apply('country_code numeric', 'Japan')).toBe('392')
    expect(apply('country_code name', 'GB')).toBe('United Kingdom')
    expect(apply('country_code name', 'KR')).toBe('Korea, Republic of')
  })

  it('reads names as people write them: accents, case, "the", "St.", common and former names', () => {
    expect(apply('country_code', "Côte d'Ivoire")).toBe('CI')
    expect(apply('country_code', "cote d'ivoire")).toBe('CI')
    expect(apply('country_code', 'Ivory Coast')).toBe('CI')
    expect(apply('country_code', 'USA')).toBe('US')
    expect(apply('country_code', 'United States of America')).toBe('US')
    expect(apply('country_code', 'U.S.')).toBe('US')
    expect(apply('country_code', 'UK')).toBe('GB')
    expect(apply('country_code', 'St. Lucia')).toBe('LC')
    expect(apply('country_code', 'The Netherlands')).toBe('NL')
    expect(apply('country_code', 'South Korea')).toBe('KR')
    expect(apply('country_code', 'Republic of Korea')).toBe('KR')
    expect(apply('country_code', 'North Korea')).toBe('KP')
    expect(apply('country_code', 'Turkey')).toBe('TR')
    expect(apply('country_code', 'Türkiye')).toBe('TR')
    expect(apply('country_code', 'Czech Republic')).toBe('CZ')
    expect(apply('country_code', 'Bosnia & Herzegovina')).toBe('BA')
  })

  it('leaves an empty value empty', () => {
    expect(apply('country_code', '')).toBe('')
    expect(apply('country_code alpha3', '  ')).toBe('')
  })

  it('refuses a country it does not know, naming the value', () => {
    const error = templateError(() => apply('country_code', 'Atlantis'))
    expect(error).toBeInstanceOf(TemplateEvaluationError)
    expect(error.problem).toBe('country_code: unknown country "Atlantis"')
  })

  it('refuses an unknown output form at parse time', () => {
    expect(() => parseTemplate('{c | country_code iso}')).toThrow(
      'the output form must be one of alpha2, alpha3, numeric, name, found "iso"',
    )
  })
})
