/** A progress bar for long work on a terminal; silent in `--json` mode or without a TTY. */
import cliProgress from 'cli-progress'
import type { ExtractionProgress } from '../extract/extraction-target.ts'

export interface ExtractionProgressBar {
  update(progress: ExtractionProgress): void
  stop(): void
}

/** A bar showing pages, users, groups and memberships of an extraction. */
export function extractionProgressBar(label: string, enabled: boolean): ExtractionProgressBar {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {phase} | pages {pages} | users {users} | groups {groups} | memberships {memberships}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(progress) {
      const total = Math.max(progress.expected ?? 0, 1)
      const done = progress.phase === 'groups' ? progress.groups : progress.users
      const payload = { ...progress }
      if (!started) {
        bar.start(total, done, payload)
        started = true
      } else {
        bar.setTotal(total)
        bar.update(Math.min(done, total), payload)
      }
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
