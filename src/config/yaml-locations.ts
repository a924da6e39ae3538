/** Maps a path in the parsed data back to where it is written in the YAML text. */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml'

export interface Position {
  line: number
  column: number
}

/**
 * Line and column of the value at `path`, or of its key when `atKey` is set. A path that is not
 * in the file (a missing key) points at the key of the mapping it belongs in, else at the nearest
 * node that is there.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  atKey = false,
): Position {
  const at = (node: Node | null): Position => {
    const { line, col } = lines.linePos(node?.range?.[0] ?? 0)
    return { line, column: col }
  }
  let node: unknown = doc.contents
  let found: Node | null = isNode(node) ? node : null
  let parentKey: Node | null = null
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc)
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment))
      if (!pair) return at(parentKey ?? found)
      const key = isNode(pair.key) ? pair.key : null
      if (atKey && index === path.length - 1) return at(key ?? found)
      if (!isNode(pair.value)) return at(key ?? found)
      parentKey = key
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment]
      if (!isNode(node)) return at(found)
      parentKey = null
    } else {
      return at(found)
    }
    found = node as Node
  }
  return at(found)
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value)
}
