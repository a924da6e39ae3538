import { expect } from 'vitest'
import type { Environment } from '../../src/config/index.ts'
import { ConfigError, type ConfigIssue, parseConfig } from '../../src/config/index.ts'

/** A secret key long enough for the schema. */
export const SECRET_KEY = 'f'.repeat(64)

/** The issues parseConfig reports for `text`; fails the test when it does not throw a ConfigError. */
export function issuesOf(text: string, env: Environment = {}): ConfigIssue[] {
  try {
    parseConfig(text, 'provisio.yaml', env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return [...(error as ConfigError).issues]
  }
  throw new Error('expected a ConfigError')
}

/** Lines of YAML joined with newlines, so line numbers in tests are easy to count. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`
}
