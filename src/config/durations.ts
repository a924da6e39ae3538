/** Durations as written in provisio.yaml: `30s`, `15m`, `6h`, `1d`, or combined as `1h30m`. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/
const PART = /(\d+)(ms|s|m|h|d)/g

/** Thrown for text that is not a duration; the message shows the accepted forms. */
export class DurationError extends Error {
  override name = 'DurationError'
}

/** Milliseconds in a duration such as `30s`, `15m`, `6h`, `1d` or `1h30m`; throws DurationError otherwise. */
export function parseDuration(text: string): number {
  const compact = text.trim()
  if (!WHOLE.test(compact)) {
    throw new DurationError(
      `${JSON.stringify(text)} is not a duration; write a number and a unit (ms, s, m, h, d) with no space, e.g. 30s, 15m, 6h, 1d or 1h30m`,
    )
  }
  let total = 0
  for (const [, amount, unit] of compact.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]
  }
  if (!Number.isSafeInteger(total)) throw new DurationError(`${JSON.stringify(text)} is too long a duration`)
  return total
}

/** The shortest text for a duration in milliseconds, e.g. 5_400_000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = ms
  let text = ''
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]
    const amount = Math.floor(rest / size)
    if (amount > 0) {
      text += `${amount}${unit}`
      rest -= amount * size
    }
  }
  return text
}
