/**
 * The journal: every operation is written to the store before it is sent and after it answers.
 * Writes of concurrent operations are grouped into one transaction per turn of the event loop
 * (group commit), so journaling costs one commit per batch instead of two per request, while an
 * operation is still never sent before its "sending" record is committed.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, OperationStatus } from '../store/index.ts'
import type { PlannedOperation } from './plan.ts'

type Write = (trx: Kysely<Database>) => Promise<void>

/**
 * Answers queued with answeredLater are committed together, this many at most or after this long:
 * a commit costs a write of every page it touches, and a thousand answers share most of theirs.
 */
const ANSWERS_PER_COMMIT = 1000
const ANSWERS_WAIT_MS = 50

/** Rows per multi-row statement: 11 audit columns × 200 stays far below both backends' parameter limits. */
const ROWS_PER_STATEMENT = 200

/** How an operation ended. */
export interface Answer {
  status: Extract<OperationStatus, 'succeeded' | 'failed' | 'skipped' | 'pending'>
  outcome?: string | undefined
  responseStatus?: number | undefined
  resultId?: string | undefined
  error?: string | undefined
}

/** Batches journal writes of one run. */
export class Journal {
  readonly #db: Kysely<Database>
  readonly #runId: string
  readonly #actor: string
  #queue: Array<{ write: Write; resolve: () => void; reject: (error: unknown) => void }> = []
  #scheduled = false
  #flushing: Promise<void> = Promise.resolve()
  /** The first commit that failed for an answer nobody waited for; the run stops on it. */
  #failure: { error: unknown } | undefined
  /** Answers nobody waits for, committed in batches (see ANSWERS_PER_COMMIT). */
  #answers: Write[] = []
  #answersTimer: NodeJS.Timeout | undefined

  constructor(db: Kysely<Database>, runId: string, actor: string) {
    this.#db = db
    this.#runId = runId
    this.#actor = actor
  }

  /** Records that these operations are about to be sent (one audit row each); resolves once committed. */
  sending(
    ops: readonly PlannedOperation[],
    request: (op: PlannedOperation) => { method: string; path: string; body: unknown },
    at: Date,
  ): Promise<string[]> {
    // Nothing more is sent once an answer could not be journaled.
    if (this.#failure) return Promise.reject(this.#failure.error)
    const auditIds = ops.map(() => randomUUID())
    const when = at.toISOString()
    return this.#enqueue(async (trx) => {
      // A bulk batch marks hundreds of operations: a few statements for all of them, not two each.
      for (let start = 0; start < ops.length; start += ROWS_PER_STATEMENT) {
        const chunk = ops.slice(start, start + ROWS_PER_STATEMENT)
        const seqs = chunk.map((op) => op.seq)
        await trx
          .updateTable('lcm_operations')
          .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), sent_at: when }))
          .where('run_id', '=', this.#runId)
          .where('seq', 'in', seqs)
          .execute()
        await trx
          .insertInto('lcm_audit')
          .values(
            chunk.map((op, i) => {
              const sent = request(op)
              return {
                id: auditIds[start + i] as string,
                run_id: this.#runId,
                seq: op.seq,
                integration: op.integration,
                actor: this.#actor,
                at: when,
                method: sent.method,
                path: sent.path,
                request: sent.body === undefined ? null : JSON.stringify(sent.body),
                status: null,
                error: null,
              }
            }),
          )
          .execute()
      }
    }).then(() => auditIds)
  }

  /** Records an operation's end, with the graph changes its answer implies, in one transaction. */
  answered(op: PlannedOperation, answer: Answer, at: Date, auditId?: string, graph?: Write): Promise<void> {
    return this.#enqueue(this.#answerWrite(op, answer, at, auditId, graph))
  }

  #answerWrite(op: PlannedOperation, answer: Answer, at: Date, auditId?: string, graph?: Write): Write {
    const when = at.toISOString()
    return async (trx) => {
      await trx
        .updateTable('lcm_operations')
        .set({
          status: answer.status,
          outcome: answer.outcome ?? null,
          response_status: answer.responseStatus ?? null,
          result_id: answer.resultId ?? null,
          error: answer.error ?? null,
          answered_at: answer.status === 'pending' ? null : when,
        })
        .where('run_id', '=', this.#runId)
        .where('seq', '=', op.seq)
        .execute()
      if (auditId !== undefined) {
        await trx
          .updateTable('lcm_audit')
          .set({ status: answer.responseStatus ?? null, error: answer.error ?? null })
          .where('id', '=', auditId)
          .execute()
      }
      if (graph && answer.status === 'succeeded') await graph(trx)
    }
  }

  /**
   * Queues an operation's end without waiting for its commit, so the lane (and its concurrency
   * slot) moves on at once. It is committed with other answers, possibly after later operations'
   * "sending" records: should the process die in between, resuming finds the operation still
   * "sending" and verifies it against the target, as for any operation whose answer was not kept.
   * Should the commit fail, the next sending() and flush() throw.
   */
  answeredLater(op: PlannedOperation, answer: Answer, at: Date, auditId?: string, graph?: Write): void {
    this.#answers.push(this.#answerWrite(op, answer, at, auditId, graph))
    if (this.#answers.length >= ANSWERS_PER_COMMIT) this.#commitAnswers()
    else this.#answersTimer ??= setTimeout(() => this.#commitAnswers(), ANSWERS_WAIT_MS)
  }

  #commitAnswers(): void {
    clearTimeout(this.#answersTimer)
    this.#answersTimer = undefined
    const answers = this.#answers
    if (answers.length === 0) return
    this.#answers = []
    this.#enqueue(async (trx) => {
      for (const write of answers) await write(trx)
    }).catch((error: unknown) => {
      this.#failure ??= { error }
    })
  }

  /** Waits for every queued write; throws if an answer queued with answeredLater failed. */
  async flush(): Promise<void> {
    this.#commitAnswers()
    while (this.#queue.length > 0 || this.#scheduled) {
      await this.#flushing
      if (this.#queue.length > 0 && !this.#scheduled) this.#schedule()
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    await this.#flushing
    if (this.#failure) throw this.#failure.error
  }

  #enqueue(write: Write): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ write, resolve, reject })
      if (!this.#scheduled) this.#schedule()
    })
  }

  #schedule(): void {
    this.#scheduled = true
    setImmediate(() => {
      this.#flushing = this.#flushing.then(() => this.#commit())
    })
  }

  async #commit(): Promise<void> {
    const batch = this.#queue
    this.#queue = []
    this.#scheduled = false
    if (batch.length === 0) return
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const item of batch) await item.write(trx)
      })
      for (const item of batch) item.resolve()
    } catch (error) {
      for (const item of batch) item.reject(error)
    }
  }
}
