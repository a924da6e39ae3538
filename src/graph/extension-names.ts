/**
 * Names of custom extension attributes: `scim_extension_<vendor>_<attribute>`, derived from the
 * schema URN and the attribute path alone, so the same target always yields the same names. The
 * rule is documented with examples in docs/attribute-names.md; keep the two in step.
 */
import { createHash } from 'node:crypto'

export const EXTENSION_PREFIX = 'scim_extension_'

/** URN segments that say "this is a SCIM schema" and nothing about whose. */
const GENERIC_SEGMENTS = new Set([
  'urn',
  'ietf',
  'params',
  'scim',
  'schemas',
  'schema',
  'extension',
  'extensions',
  'http',
  'https',
  'www',
  // Resource type names: the index already keys rows by resource type.
  'user',
  'users',
  'group',
  'groups',
])

/** `1.0`, `2.0`, `v2`, `18.0`: versions change without the attributes changing meaning. */
const VERSION = /^v?\d+(\.\d+)*$/i

/** Vendor part when nothing specific is left, e.g. `urn:ietf:params:scim:schemas:extension:2.0:User`. */
const NO_VENDOR = 'custom'

/** Lower snake case: `badgeColor` → `badge_color`, `URLPath` → `url_path`, `atlassian-external` → `atlassian_external`. */
export function snakeCase(text: string): string {
  return (
    text
      // Latin letters with diacritics keep their base letter instead of becoming `_`.
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
  )
}

/**
 * The `<vendor>` part of a schema URN: its segments (split on `:` and `/`) without the generic
 * words, version numbers and resource type names, each in snake case, joined with `_`.
 */
export function extensionVendorOf(urn: string): string {
  const kept = urn
    .split(/[:/]+/)
    .filter(
      (segment) => segment !== '' && !GENERIC_SEGMENTS.has(segment.toLowerCase()) && !VERSION.test(segment),
    )
    .map(snakeCase)
    .filter((segment) => segment !== '')
  return kept.length > 0 ? kept.join('_') : NO_VENDOR
}

/** The `<attribute>` part: the path in snake case, sub-attributes joined with `_` (`manager.value` → `manager_value`). */
export function extensionAttributePart(path: string): string {
  const part = path.split('.').map(snakeCase).filter(Boolean).join('_')
  // A name in a script without ASCII letters leaves nothing readable; the hash keeps it distinct.
  return part !== '' ? part : `attr_${discriminator('', path)}`
}

/** The name before collision handling: `scim_extension_<vendor>_<attribute>`. */
export function extensionAttributeName(urn: string, path: string): string {
  return `${EXTENSION_PREFIX}${extensionVendorOf(urn)}_${extensionAttributePart(path)}`
}

/**
 * Six hex digits of the SHA-256 of the lower-cased `urn#path`: stable across runs, machines and
 * the case a target happens to use (URNs and attribute names are case-insensitive).
 */
export function discriminator(urn: string, path: string, length = 6): string {
  return hashOf(pairKey(urn, path), length)
}

function pairKey(urn: string, path: string): string {
  return `${urn.toLowerCase()}#${path.toLowerCase()}`
}

function hashOf(key: string, length: number): string {
  return createHash('sha256').update(key).digest('hex').slice(0, length)
}

/** One extension attribute to name: the schema URN and the attribute path within it. */
export interface ExtensionAttributeRef {
  urn: string
  path: string
}

/**
 * Names for all extension attributes of one integration, in input order. Distinct (urn, path)
 * pairs whose names coincide all get `_` + discriminator, none keeps the plain name, so no name
 * depends on the order in which schemas were discovered. The same pair given twice (an extension
 * shared by User and Group) is one attribute and gets one name.
 */
export function assignExtensionNames(refs: readonly ExtensionAttributeRef[]): string[] {
  const keys = refs.map((ref) => pairKey(ref.urn, ref.path))
  // One pair spelled in several cases takes the name of one spelling whatever the order: the
  // greatest in code-unit order, which prefers the usual lower-case `urn:`.
  const chosen = new Map<string, { spelling: string; name: string }>()
  refs.forEach((ref, i) => {
    const key = keys[i] ?? ''
    const spelling = `${ref.urn}#${ref.path}`
    const current = chosen.get(key)
    if (!current || spelling > current.spelling) {
      chosen.set(key, { spelling, name: extensionAttributeName(ref.urn, ref.path) })
    }
  })
  const pairsByName = new Map<string, string[]>()
  for (const [key, { name }] of chosen) pairsByName.set(name, [...(pairsByName.get(name) ?? []), key])
  return keys.map((key) => {
    const name = chosen.get(key)?.name ?? ''
    const pairs = pairsByName.get(name) ?? []
    if (pairs.length < 2) return name
    // 24 bits make a second collision among the few colliding pairs practically impossible; should
    // it happen anyway, the whole group takes a longer suffix, just as deterministic.
    const short = new Set(pairs.map((pair) => hashOf(pair, 6)))
    return `${name}_${hashOf(key, short.size === pairs.length ? 6 : 16)}`
  })
}
