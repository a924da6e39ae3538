/** Starts `provisio sandbox` in its own process, so the target does not share the client's core. */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'

export interface SandboxProcess {
  url: string
  token: string
  /** CPU seconds (user + system) the sandbox process has used so far. */
  cpuSeconds(): Promise<number>
  stop(): Promise<void>
}

/** Spawns the sandbox CLI and resolves with the base URL it prints first. */
export async function spawnSandbox(args: string[] = []): Promise<SandboxProcess> {
  const token = 'bench-token'
  const flags = (process.env.BENCH_SANDBOX_FLAGS ?? '').split(' ').filter(Boolean)
  const child: ChildProcess = spawn(
    process.execPath,
    // BENCH_SANDBOX_FLAGS: node flags for the sandbox, e.g. `--cpu-prof` to see where it spends its time.
    [...flags, 'bin/provisio.js', 'sandbox', '--port', '0', '--token', token, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before printing its URL`)))
  })
  return {
    url,
    token,
    cpuSeconds: async () => {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): utime, stime in clock ticks.
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
