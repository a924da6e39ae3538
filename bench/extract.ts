/**
 * `npm run bench -- extract`: the sandbox seeded with 100,000 users and 2,000 groups holding about
 * 300,000 memberships; extraction into SQLite beside a bare paging loop reading the same pages
 * from the same sandbox in the same run. Prints users/s for both, the ratio, and the peak RSS.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Pool } from 'undici'
import { reportFigure } from './report.ts'
import { spawnSandbox } from './sandbox-process.ts'

// Smaller sizes (BENCH_USERS=20000 BENCH_GROUPS=400) are for iterating; the headline figure is 100,000.
const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const GROUPS = Number(process.env.BENCH_GROUPS ?? 2_000)
const PAGE_SIZE = 100
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
// Node flags for the extraction's process, e.g. `--cpu-prof` to see where it spends its time.
const CHILD_FLAGS = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean)

interface ChildResult {
  seconds: number
  users: number
  groups: number
  memberships: number
  rowsWritten: number
  peakRssMb: number
  cpuSeconds: number
}

/** Runs the extraction benchmark and prints its figure. */
export async function runExtractBenchmark(): Promise<void> {
  const sandbox = await spawnSandbox([
    '--seed-users',
    String(USERS),
    '--seed-groups',
    String(GROUPS),
    '--seed-teams-per-user',
    '2',
  ])
  const origin = new URL(sandbox.url)
  const basePath = origin.pathname.replace(/\/$/, '')
  const pool = new Pool(origin.origin, { connections: 2 })
  const headers = { authorization: `Bearer ${sandbox.token}`, accept: 'application/scim+json' }
  const folder = await mkdtemp(join(tmpdir(), 'provisio-bench-'))

  const readAll = async (endpoint: string) => {
    let seen = 0
    for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
      const response = await pool.request({
        method: 'GET',
        path: `${basePath}${endpoint}?startIndex=${startIndex}&count=${PAGE_SIZE}`,
        headers,
      })
      const page = (await response.body.json()) as { Resources?: unknown[]; totalResults: number }
      const got = page.Resources?.length ?? 0
      seen += got
      if (got === 0 || startIndex + got > page.totalResults) return seen
    }
  }
  const bareLoop = async () => {
    const sandboxCpu = await sandbox.cpuSeconds()
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    const users = await readAll('/Users')
    const groups = await readAll('/Groups')
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const used = process.cpuUsage(cpu)
    process.stderr.write(
      `bare loop: ${seconds.toFixed(2)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, sandbox's ${(
        (await sandbox.cpuSeconds()) - sandboxCpu
      ).toFixed(1)} s)\n`,
    )
    if (users !== USERS || groups !== GROUPS)
      throw new Error(`bare loop read ${users} users, ${groups} groups`)
    return seconds
  }
  const extraction = async (round: number): Promise<ChildResult> => {
    const sandboxCpu = await sandbox.cpuSeconds()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...CHILD_FLAGS,
        '--import',
        'tsx',
        'bench/extract-child.ts',
        sandbox.url,
        sandbox.token,
        join(folder, `round${round}.db`),
      ],
      { maxBuffer: 1 << 20 },
    )
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult
    process.stderr.write(
      `extraction: ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(1)} s, sandbox's ${(
        (await sandbox.cpuSeconds()) - sandboxCpu
      ).toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB)\n`,
    )
    if (result.users !== USERS || result.groups !== GROUPS) {
      throw new Error(`extraction read ${result.users} users, ${result.groups} groups`)
    }
    return result
  }

  let bestBare = Number.POSITIVE_INFINITY
  let bestExtraction: ChildResult | undefined
  let peakRss = 0
  await bareLoop() // warm the sandbox's code paths
  for (let round = 0; round < ROUNDS; round += 1) {
    bestBare = Math.min(bestBare, await bareLoop())
    const result = await extraction(round)
    peakRss = Math.max(peakRss, result.peakRssMb)
    if (!bestExtraction || result.seconds < bestExtraction.seconds) bestExtraction = result
  }
  await pool.close()
  await sandbox.stop()
  await rm(folder, { recursive: true, force: true })
  if (!bestExtraction) return
  process.stderr.write(
    `extraction: ${bestExtraction.users} users, ${bestExtraction.groups} groups, ${bestExtraction.memberships} memberships in ${bestExtraction.seconds.toFixed(2)} s; bare loop ${bestBare.toFixed(2)} s\n`,
  )
  reportFigure({
    bench: 'extract',
    unit: 'users/s',
    provisio: USERS / bestExtraction.seconds,
    baseline: USERS / bestBare,
    peak_rss_mb: peakRss,
  })
}
