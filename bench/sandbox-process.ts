/** Starts `provisio sandbox` in its own process, so the target does not share the client's core. */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface SandboxProcess {
  url: string
  token: string
  stop(): Promise<void>
}

/** Spawns the sandbox CLI and resolves with the base URL it prints first. */
export async function spawnSandbox(args: string[] = []): Promise<SandboxProcess> {
  const token = 'bench-token'
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/provisio.js', 'sandbox', '--port', '0', '--token', token, ...args],
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
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
