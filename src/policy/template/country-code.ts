/** The `country_code` function: any ISO 3166-1 code or country name to the form asked for. */
import { COUNTRIES, type CountryRow } from './country-codes.ts'
import { removeDiacritics } from './diacritics.ts'
import { type Apply, type Args, FunctionProblem, type FunctionSpec } from './function-contract.ts'

/** Output forms of `country_code`. */
const FORMS = ['alpha2', 'alpha3', 'numeric', 'name'] as const
type Form = (typeof FORMS)[number]

/** Names compare without case, accents, punctuation, a leading "the", or "St." against "Saint". */
export function countryKey(text: string): string {
  return removeDiacritics(text)
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\bst\b\.?/g, 'saint')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '')
}

const byCode = new Map<string, CountryRow>()
const byName = new Map<string, CountryRow>()
for (const row of COUNTRIES) {
  const [alpha2, alpha3, numeric, name, aliases] = row
  byCode.set(alpha2, row)
  byCode.set(alpha3, row)
  byCode.set(numeric, row)
  for (const alias of [name, ...aliases]) byName.set(countryKey(alias), row)
}

/** The country a code (`FR`, `fra`, `250`) or name (`France`, `Côte d'Ivoire`, `USA`) stands for. */
export function findCountry(text: string): CountryRow | undefined {
  const trimmed = text.trim()
  return byCode.get(trimmed.toUpperCase()) ?? byName.get(countryKey(trimmed))
}

const OUTPUT: Readonly<Record<Form, (row: CountryRow) => string>> = {
  alpha2: (row) => row[0],
  alpha3: (row) => row[1],
  numeric: (row) => row[2],
  name: (row) => row[3],
}

export const countryCode: FunctionSpec = {
  name: 'country_code',
  usage: 'country_code [alpha2|alpha3|numeric|name]',
  minArgs: 0,
  maxArgs: 1,
  compile(args: Args): Apply {
    const output = OUTPUT[args.count === 0 ? 'alpha2' : args.choice(0, 'the output form', FORMS)]
    return (value) => {
      if (value.trim() === '') return ''
      const row = findCountry(value)
      if (row === undefined) throw new FunctionProblem(`unknown country ${JSON.stringify(value)}`)
      return output(row)
    }
  },
}
