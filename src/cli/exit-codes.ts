/** Exit codes of every command (DESIGN.md: 0 ok, 1 failure, 2 bad usage or config). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** Bad arguments or configuration: exit code 2, message printed as is. */
export class UsageError extends Error {
  override name = 'UsageError'
}
