/** `npm run bench -- <name…>`: runs the named benchmarks (all when none is named). */
import { runApplyBenchmark } from './apply.ts'
import { runExtractBenchmark } from './extract.ts'
import { runPolicyBenchmark } from './policy.ts'
import { runScimBenchmark } from './scim.ts'

const benchmarks: Record<string, () => Promise<void>> = {
  scim: runScimBenchmark,
  extract: runExtractBenchmark,
  policy: runPolicyBenchmark,
  apply: runApplyBenchmark,
}

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const names = requested.length > 0 ? requested : Object.keys(benchmarks)
for (const name of names) {
  const run = benchmarks[name]
  if (!run) {
    process.stderr.write(
      `unknown benchmark ${JSON.stringify(name)}; known: ${Object.keys(benchmarks).join(', ')}\n`,
    )
    process.exit(2)
  }
  await run()
}
