/**
 * The text functions of the template language. Lengths and positions count characters (code
 * points), so an emoji or a letter outside the Basic Multilingual Plane is never cut in half.
 */
import { isBlank } from '../attributes.ts'
import { removeDiacritics } from './diacritics.ts'
import { type Apply, type Args, type FunctionSpec, LimitProblem } from './function-contract.ts'

/** A function of no arguments. */
const plain = (name: string, apply: (value: string) => string): FunctionSpec => ({
  name,
  usage: name,
  minArgs: 0,
  maxArgs: 0,
  compile: () => apply,
})

const chars = (text: string): string[] => Array.from(text)
const upperFirst = (word: string): string => {
  const [first = '', ...rest] = chars(word)
  return first.toUpperCase() + rest.join('')
}

/** Words of an identifier-like text: split at anything not a letter or digit, and at aB boundaries. */
function words(text: string): string[] {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '')
}

const WHITESPACE = /\s+/u

export const TEXT_FUNCTIONS: readonly FunctionSpec[] = [
  plain('lower', (v) => v.toLowerCase()),
  plain('upper', (v) => v.toUpperCase()),
  // Words start after whitespace or a hyphen, so Mary-Jane stays Mary-Jane; O'neil is left as such.
  plain('title', (v) =>
    v.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase()),
  ),
  plain('sentence', (v) => v.toLowerCase().replace(/\p{L}/u, (ch) => ch.toUpperCase())),
  plain('trim', (v) => v.trim()),
  plain('remove_diacritics', removeDiacritics),
  plain('remove_whitespace', (v) => v.replace(/\s+/gu, '')),
  plain('remove_domain', (v) => {
    const at = v.lastIndexOf('@')
    return at < 0 ? v : v.slice(0, at)
  }),
  plain('snake_case', (v) =>
    words(v)
      .map((w) => w.toLowerCase())
      .join('_'),
  ),
  plain('camel_case', (v) =>
    words(v)
      .map((w, i) => (i === 0 ? w.toLowerCase() : upperFirst(w.toLowerCase())))
      .join(''),
  ),
  {
    name: 'replace',
    usage: 'replace FIND[, REPLACEMENT]',
    minArgs: 1,
    maxArgs: 2,
    compile(args: Args): Apply {
      const find = args.nonEmptyText(0, 'the text to find')
      const replacement = args.optionalText(1, '')
      return (v, env) => {
        const pieces = v.split(find)
        // Checked before joining: 4,000 a's each replaced by 4,000 characters must not be built first.
        const length = v.length + (pieces.length - 1) * (replacement.length - find.length)
        if (length > env.maxLength) {
          throw new LimitProblem(
            `the result would be ${length} characters long, over the limit of ${env.maxLength}`,
          )
        }
        return pieces.join(replacement)
      }
    },
  },
  {
    name: 'remove_chars',
    usage: 'remove_chars CHARACTERS',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const remove = new Set(chars(args.nonEmptyText(0, 'the characters to remove')))
      return (v) =>
        chars(v)
          .filter((c) => !remove.has(c))
          .join('')
    },
  },
  {
    name: 'substring',
    usage: 'substring START[, LENGTH]',
    minArgs: 1,
    maxArgs: 2,
    compile(args: Args): Apply {
      const start = args.integer(0, 'START', 0)
      const length = args.count > 1 ? args.integer(1, 'LENGTH', 0) : undefined
      return (v) => {
        const all = chars(v)
        return all.slice(start, length === undefined ? all.length : start + length).join('')
      }
    },
  },
  {
    name: 'first_n',
    usage: 'first_n COUNT',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const n = args.integer(0, 'COUNT', 0)
      return (v) => chars(v).slice(0, n).join('')
    },
  },
  {
    name: 'last_n',
    usage: 'last_n COUNT',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const n = args.integer(0, 'COUNT', 0)
      return (v) => (n === 0 ? '' : chars(v).slice(-n).join(''))
    },
  },
  {
    name: 'split',
    usage: 'split SEPARATOR, INDEX',
    minArgs: 2,
    maxArgs: 2,
    compile(args: Args): Apply {
      const separator = args.nonEmptyText(0, 'the separator')
      const index = args.integer(1, 'INDEX')
      return (v) => (v === '' ? '' : (v.split(separator).at(index) ?? ''))
    },
  },
  {
    name: 'first',
    usage: 'first [SEPARATOR]',
    minArgs: 0,
    maxArgs: 1,
    compile(args: Args): Apply {
      const separator = args.count === 0 ? undefined : args.nonEmptyText(0, 'the separator')
      if (separator === undefined) return (v) => v.trim().split(WHITESPACE)[0] ?? ''
      return (v) => v.split(separator)[0] ?? ''
    },
  },
  {
    name: 'last',
    usage: 'last [SEPARATOR]',
    minArgs: 0,
    maxArgs: 1,
    compile(args: Args): Apply {
      const separator = args.count === 0 ? undefined : args.nonEmptyText(0, 'the separator')
      if (separator === undefined) return (v) => v.trim().split(WHITESPACE).at(-1) ?? ''
      return (v) => v.split(separator).at(-1) ?? ''
    },
  },
  {
    // A blank value gives empty, so an optional part can carry its separator: {middle_name | append " "}.
    name: 'append',
    usage: 'append TEXT',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const suffix = args.text(0)
      return (v) => (isBlank(v) ? '' : v + suffix)
    },
  },
  {
    name: 'prepend',
    usage: 'prepend TEXT',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const prefix = args.text(0)
      return (v) => (isBlank(v) ? '' : prefix + v)
    },
  },
  {
    name: 'default',
    usage: 'default TEXT',
    minArgs: 1,
    maxArgs: 1,
    compile(args: Args): Apply {
      const fallback = args.text(0)
      return (v) => (isBlank(v) ? fallback : v)
    },
  },
]
