/** Parsers for command-line option values, failing with the option's name. */
import { InvalidArgumentError } from 'commander'

/** A non-negative integer option. */
export function integerOption(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`)
    }
    return parsed
  }
}
