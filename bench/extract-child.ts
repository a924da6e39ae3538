/** Runs one extraction into a fresh SQLite file in its own process, so its peak RSS is its own. */
import { setFlagsFromString } from 'node:v8'
import { runExtraction } from '../src/extract/run-extraction.ts'
import { ScimClient } from '../src/scim/index.ts'
import { openDatabase } from '../src/store/index.ts'

// The heap setting bin/provisio.js makes for every provisio process, so this measures the process
// `provisio extract` and `provisio serve` run in.
setFlagsFromString('--heap-growing-percent=50')

const [url, token, databaseFile] = process.argv.slice(2)
if (!url || !token || !databaseFile) throw new Error('usage: extract-child URL TOKEN DATABASE_FILE')

const store = await openDatabase(`sqlite:${databaseFile}`)
const client = new ScimClient({ baseUrl: url, auth: { bearer: token }, integration: 'bench' })
const started = process.hrtime.bigint()
const summary = await runExtraction(store.db, {
  integration: 'bench',
  client,
  groups: true,
  extensionSchemas: false,
})
const seconds = Number(process.hrtime.bigint() - started) / 1e9
await client.close()
await store.close()
process.stdout.write(
  `${JSON.stringify({
    seconds,
    users: summary.usersSeen,
    groups: summary.groupsSeen,
    memberships: summary.membershipsSeen,
    rowsWritten: summary.rowsWritten,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  })}\n`,
)
