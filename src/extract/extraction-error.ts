/** An extraction that failed: which integration, which run, in which phase, and why. */
import { ScimError } from '../scim/index.ts'

export class ExtractionError extends Error {
  readonly integration: string
  readonly runId: string
  readonly phase: string

  constructor(integration: string, runId: string, phase: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    const hint =
      cause instanceof ScimError && cause.retryable
        ? ' The target may be temporarily unavailable; the next scheduled extraction will try again.'
        : ''
    const during =
      phase === 'applying'
        ? 'while applying it to the access graph'
        : phase === 'discovery'
          ? 'during discovery'
          : `while reading ${phase}`
    super(
      `Extraction of ${integration} failed ${during} (run ${runId}): ${reason}. The access graph keeps the previous extraction.${hint}`,
      { cause },
    )
    this.name = 'ExtractionError'
    this.integration = integration
    this.runId = runId
    this.phase = phase
  }
}
