/**
 * What a seeded sandbox fault spec will do to a sequence of requests: the sandbox draws one fault
 * decision per request received, so replaying the same FaultInjector predicts every answer, and
 * with it how often a client retries and which calls fail.
 */
import { FaultInjector } from '../../src/sandbox/faults.ts'
import type { FaultSpec } from '../../src/sandbox/index.ts'

export type FaultKind = 'none' | 'drop' | 'dropAfter' | `${number}`

/** The kinds of fault after which the client sends the request again, per method. */
export const RETRIED_ON = {
  /** Idempotent requests: 429, 5xx and dropped connections. */
  read: (kind: FaultKind) => kind === 'drop' || kind === '429' || kind === '503' || kind.startsWith('5'),
  /** Creates (plain POST): only answers proving nothing was done. */
  create: (kind: FaultKind) => kind === '429' || kind === '503',
}

export interface Prediction {
  /** Requests the sandbox will receive. */
  requests: number
  /** Retries the client will make. */
  retries: number
  /** Per call: the fault that made it fail, or undefined when it succeeds. */
  outcomes: Array<FaultKind | undefined>
}

/** A replay of the sandbox's fault dice. */
export class FaultDice {
  readonly #injector: FaultInjector

  constructor(spec: FaultSpec) {
    if (spec.seed === undefined || spec.rps !== undefined) {
      throw new Error('only seeded specs without an rps cap can be predicted')
    }
    this.#injector = new FaultInjector(spec)
  }

  /** The fault of the next request. */
  next(): FaultKind {
    const { fault } = this.#injector.decide()
    return fault.kind === 'status' ? `${fault.status}` : fault.kind
  }

  /** Plays `calls` sequential calls, each retried on `retriedOn` up to `maxAttempts` attempts. */
  play(calls: number, retriedOn: (kind: FaultKind) => boolean, maxAttempts: number): Prediction {
    const prediction: Prediction = { requests: 0, retries: 0, outcomes: [] }
    for (let call = 0; call < calls; call++)
      prediction.outcomes.push(this.call(prediction, retriedOn, maxAttempts))
    return prediction
  }

  /** One call: the fault it ends with, or undefined on success; counts into `into`. */
  call(
    into: Prediction,
    retriedOn: (kind: FaultKind) => boolean,
    maxAttempts: number,
  ): FaultKind | undefined {
    for (let attempt = 1; ; attempt++) {
      const kind = this.next()
      into.requests += 1
      if (kind === 'none') return undefined
      if (!retriedOn(kind) || attempt >= maxAttempts) return kind
      into.retries += 1
    }
  }
}
