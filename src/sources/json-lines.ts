/**
 * Line numbers for the elements of a JSON array, which `JSON.parse` does not give: one pass over
 * text already known to be valid JSON, counting line breaks outside strings (JSON strings hold no
 * raw line break) and noting the line each element of the wanted array starts on.
 */

/**
 * The 1-based line of each element of the top-level array, or of the array under `member` of the
 * top-level object (the last one, as JSON.parse keeps the last of repeated members).
 */
export function arrayElementLines(text: string, member?: string): number[] {
  let lines: number[] = []
  let line = 1
  let depth = 0
  /** Depth of the elements of the wanted array while inside it, else -1. */
  let target = -1
  let expectElement = false
  let lastKey: string | undefined
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 10) {
      line += 1
      continue
    }
    if (code === 32 || code === 9 || code === 13) continue
    if (expectElement && depth === target && code !== 93 /* ] */) {
      lines.push(line)
      expectElement = false
    }
    if (code === 34 /* " */) {
      const end = stringEnd(text, i)
      if (depth === 1 && member !== undefined && nextSignificant(text, end + 1) === 58 /* : */) {
        lastKey = JSON.parse(text.slice(i, end + 1)) as string
      }
      i = end
    } else if (code === 91 /* [ */ || code === 123 /* { */) {
      depth += 1
      const wanted = member === undefined ? depth === 1 : depth === 2 && lastKey === member
      if (code === 91 && wanted) {
        lines = []
        target = depth
        expectElement = true
      }
    } else if (code === 93 || code === 125) {
      if (depth === target) target = -1
      depth -= 1
      if (depth === 1) lastKey = undefined
    } else if (code === 44 /* , */ && depth === target) {
      expectElement = true
    }
  }
  return lines
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (code === 92 /* \ */) i += 2
    else if (code === 34) return i
    else i += 1
  }
  return text.length - 1
}

function nextSignificant(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return code
  }
  return -1
}
