/**
 * Who holds a run: `space:pid:uuid`, where the space says where the pid means something (host,
 * boot and pid namespace on Linux). A holder of this same space whose process no longer exists
 * was killed (`kill -9`, a crash): its run is taken over at once instead of after the heartbeat
 * goes stale. A holder anywhere else is judged by its heartbeat alone.
 */
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'

let space: string | undefined

/** This process's pid space: the same for every process whose pids this one can check. */
export function processSpace(): string {
  if (space === undefined) {
    const parts = [hostname()]
    try {
      parts.push(
        readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
        readlinkSync('/proc/self/ns/pid'),
      )
    } catch {
      // Not Linux: the host name alone (one pid space per host).
    }
    space = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16)
  }
  return space
}

/** A holder name unique to this process. */
export function processHolderName(): string {
  return `${processSpace()}:${process.pid}:${randomUUID()}`
}

/** Whether `holder` is a process of this pid space that has exited. */
export function holderGone(holder: string): boolean {
  const [holderSpace, pid, rest] = holder.split(':')
  if (holderSpace !== processSpace() || rest === undefined || !/^\d+$/.test(pid ?? '')) return false
  if (Number(pid) === process.pid) return false
  try {
    process.kill(Number(pid), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
