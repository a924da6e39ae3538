/** Whether a JSON value fits an attribute's data type (RFC 7643 §2.3). */
import type { AttributeDefinition } from './resources.ts'

const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * What a value of a simple (non-complex) attribute must be, when `value` is not that; undefined
 * when it fits. The phrase completes "must be …", e.g. "a JSON boolean (true or false)".
 */
export function simpleTypeMismatch(def: AttributeDefinition, value: unknown): string | undefined {
  switch (def.type) {
    case 'string':
    case 'reference':
      return typeof value === 'string' ? undefined : 'a string'
    case 'boolean':
      // Real clients send "True"/"False" strings (Entra legacy); the RFC wants JSON booleans.
      return typeof value === 'boolean' ? undefined : 'a JSON boolean (true or false)'
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'an integer'
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number'
    case 'dateTime':
      return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'an xsd:dateTime string such as "2024-01-31T08:00:00Z"'
    case 'binary':
      return typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value)
        ? undefined
        : 'a base64 string'
    case 'complex':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'an object'
  }
}
