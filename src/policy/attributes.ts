/**
 * Reading source attributes by name. Names are matched exactly first and then case-insensitively,
 * as SCIM matches attribute names, so `{First_Name}` and `first_name eq "x"` read the same column.
 * A dotted name (`address.country`) is a flat key of that name when the record has one (CSV
 * headers), else a walk into nested objects (JSON records); a numeric part indexes a list.
 */

/** A source record: attribute name to value, as a source reads it. */
export type SourceAttributes = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The member of `object` named `name`, exactly or else case-insensitively. */
export function member(object: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key]
  return undefined
}

/** The value at a dotted path such as `address.country` or `emails.0.value`; undefined when absent. */
export function lookupPath(attributes: SourceAttributes, path: string, parts: readonly string[]): unknown {
  const flat = member(attributes, path)
  if (flat !== undefined || parts.length === 1) return flat
  let current: unknown = attributes
  for (const part of parts) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)]
    else if (isRecord(current)) current = member(current, part)
    else return undefined
  }
  return current
}

/**
 * Every value an attribute path reaches, for conditions: `emails.value` over a list of emails is
 * the list of their values, as SCIM reads a sub-attribute of a multi-valued attribute.
 */
export function lookupValues(attributes: SourceAttributes, name: string, sub: string | undefined): unknown {
  if (sub === undefined) return member(attributes, name)
  const flat = member(attributes, `${name}.${sub}`)
  if (flat !== undefined) return flat
  const outer = member(attributes, name)
  if (isRecord(outer)) return member(outer, sub)
  if (!Array.isArray(outer)) return undefined
  const values: unknown[] = []
  for (const item of outer) if (isRecord(item)) values.push(member(item, sub))
  return values
}

/** Text of a scalar attribute value; undefined for a list or an object, which have no single text. */
export function valueText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value)
    case 'undefined':
      return ''
    default:
      if (value === null) return ''
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString()
      return undefined
  }
}

/** Blank means empty or only whitespace: such a value takes `default` and is no fallback candidate. */
export const isBlank = (text: string): boolean => text.trim() === ''
