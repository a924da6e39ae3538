/** The one JSON line per headline figure that every benchmark ends with. */

export interface Figure {
  bench: string
  unit: string
  provisio: number
  baseline: number
  peak_rss_mb?: number
  /** Further figures printed after the ratio, e.g. CPU seconds. */
  extra?: Record<string, number>
}

/** Prints a figure with its ratio provisio/baseline. */
export function reportFigure(figure: Figure): void {
  const ratio = figure.baseline > 0 ? figure.provisio / figure.baseline : 0
  const line = {
    bench: figure.bench,
    unit: figure.unit,
    provisio: round(figure.provisio),
    baseline: round(figure.baseline),
    ratio: Math.round(ratio * 1000) / 1000,
    ...(figure.peak_rss_mb === undefined ? {} : { peak_rss_mb: round(figure.peak_rss_mb) }),
    ...figure.extra,
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

function round(n: number): number {
  return n >= 100 ? Math.round(n) : Math.round(n * 100) / 100
}

/** Runs `task` and returns operations per second for `count` operations. */
export async function rate(count: number, task: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint()
  await task()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return count / seconds
}
