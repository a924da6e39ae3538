/** Errors of the lifecycle engine: each names the integration and identity it concerns. */

export interface ActionErrorFacts {
  readonly integration?: string | undefined
  readonly identity?: string | undefined
  readonly runId?: string | undefined
}

/** An action that cannot be planned or run as given (unknown attribute, read-only, missing group…). */
export class ActionError extends Error {
  override name = 'ActionError'
  readonly integration: string | undefined
  readonly identity: string | undefined

  constructor(message: string, facts: ActionErrorFacts = {}) {
    super(message)
    this.integration = facts.integration
    this.identity = facts.identity
  }
}

/** A run that cannot be started, resumed, approved or rolled back in its current state. */
export class RunStateError extends Error {
  override name = 'RunStateError'
  readonly runId: string | undefined

  constructor(message: string, runId?: string) {
    super(message)
    this.runId = runId
  }
}
