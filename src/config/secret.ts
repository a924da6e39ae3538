/**
 * A credential held by the configuration. Printing, logging or JSON-serialising it shows
 * `[redacted]`; only `reveal()` gives the value, so a leak needs an explicit, greppable call.
 */
import { inspect } from 'node:util'

const REDACTED = '[redacted]'

export class Secret {
  // A private field: invisible to Object.keys, JSON.stringify, util.inspect and structuredClone.
  readonly #value: string

  constructor(value: string) {
    this.#value = value
    Object.freeze(this)
  }

  /** The secret value itself; call it only where the value leaves for its destination. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return REDACTED
  }
}
