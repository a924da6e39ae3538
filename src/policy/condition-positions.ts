/**
 * Where each comparison of a parsed SCIM filter starts in its text. The filter AST carries no
 * positions, so the text is scanned once more, cheaply, for errors found after parsing.
 */

/** Offsets of one leaf: its attribute path and, for a comparison, its value. */
export interface LeafPosition {
  readonly path: number
  readonly value?: number
}

interface Token {
  readonly kind: 'word' | 'string' | 'punct'
  readonly text: string
  readonly start: number
}

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])

function tokens(text: string): Token[] {
  const found: Token[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i] as string
    if (/\s/.test(ch)) {
      i++
    } else if (ch === '"') {
      const start = i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      found.push({ kind: 'string', text: text.slice(start, ++i), start })
    } else if ('()[]'.includes(ch)) {
      found.push({ kind: 'punct', text: ch, start: i++ })
    } else {
      const start = i
      while (i < text.length && !/[\s()[\]"]/.test(text[i] as string)) i++
      found.push({ kind: 'word', text: text.slice(start, i), start })
    }
  }
  return found
}

/**
 * Positions of the leaves (comparisons, presence tests and value paths) in the order the parser
 * builds them, which is the order they are written in.
 */
export function leafPositions(text: string): LeafPosition[] {
  const list = tokens(text)
  const leaves: LeafPosition[] = []
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as Token
    const next = list[i + 1]
    if (token.kind !== 'word' || next === undefined) continue
    const op = next.text.toLowerCase()
    if (next.kind === 'punct' && next.text === '[') {
      leaves.push({ path: token.start })
    } else if (next.kind === 'word' && op === 'pr') {
      leaves.push({ path: token.start })
      i++
    } else if (next.kind === 'word' && OPERATORS.has(op)) {
      const value = list[i + 2]
      leaves.push(value === undefined ? { path: token.start } : { path: token.start, value: value.start })
      i += 2
    }
  }
  return leaves
}
