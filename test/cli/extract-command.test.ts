/**
 * `provisio extract`, `graph` and `health` as a user runs them: the real binary in a child
 * process, a configuration file in a temporary directory, a sandbox over HTTP, and the store on
 * every backend. JSON output shapes and exit codes (0 ok, 1 failure, 2 usage or configuration).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { openDatabase, type Store } from '../../src/store/index.ts'
import { runCli } from '../support/run-cli.ts'
import { openTestStore, type TestBackend, testBackends, testSchemaName } from '../support/test-databases.ts'

const TOKEN = 'cli-sandbox-token-3b7c'
const SECRET_KEY = 'a'.repeat(64)

type JsonRecord = Record<string, unknown>

/** A `${VAR}` placeholder of provisio.yaml, read from the child's environment. */
const PLACEHOLDER = (name: string) => `\${${name}}`

const CONFIG = [
  `database: ${PLACEHOLDER('TEST_DATABASE')}`,
  `secretKey: ${PLACEHOLDER('TEST_SECRET_KEY')}`,
  'integrations:',
  '  app:',
  `    url: ${PLACEHOLDER('SANDBOX_URL')}`,
  '    auth:',
  `      bearer: ${PLACEHOLDER('SANDBOX_TOKEN')}`,
  '    lifecycleManagement: true',
  '  broken:',
  `    url: ${PLACEHOLDER('SANDBOX_URL')}`,
  '    auth:',
  '      bearer: not-the-sandbox-token',
  '',
].join('\n')

function json<T>(text: string): T {
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error(`not JSON: ${text}`)
  }
}

describe.each(testBackends())('provisio extract, graph and health on $name', (backend: TestBackend) => {
  describe.skipIf(backend.skip !== undefined)(
    backend.skip ? `skipped: ${backend.skip}` : 'with a sandbox',
    () => {
      let dir: string
      let sandbox: Sandbox
      let store: (Store & { dispose(): Promise<void> }) | undefined
      let env: NodeJS.ProcessEnv
      const cli = (...args: string[]) => runCli(['--config', join(dir, 'provisio.yaml'), ...args], env)

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'provisio-cli-'))
        sandbox = await startSandbox({ token: TOKEN, seedUsers: 30, seedGroups: 10 })
        let database = 'sqlite:./provisio.db'
        if (backend.name === 'postgres') {
          // The binary shares this test's own schema, selected through the connection's options.
          const label = `cli-extract-${backend.name}`
          store = await openTestStore(backend, label)
          const url = new URL(backend.url!)
          url.searchParams.set('options', `-c search_path=${testSchemaName(label)}`)
          database = url.toString()
        }
        env = {
          TEST_DATABASE: database,
          TEST_SECRET_KEY: SECRET_KEY,
          SANDBOX_URL: sandbox.url,
          SANDBOX_TOKEN: TOKEN,
        }
        await writeFile(join(dir, 'provisio.yaml'), CONFIG)
      })
      afterAll(async () => {
        await sandbox?.close()
        await store?.dispose()
        await rm(dir, { recursive: true, force: true })
      })

      it('extracts with --json, then answers graph and health queries from what it stored', async () => {
        const extracted = await cli('extract', 'app', '--json')
        expect(extracted.stderr).toBe('')
        expect(extracted.code).toBe(0)
        const summaries = json<JsonRecord[]>(extracted.stdout)
        expect(summaries).toEqual([
          expect.objectContaining({
            integration: 'app',
            status: 'succeeded',
            mode: 'full',
            usersSeen: 30,
            groupsSeen: 10,
            membershipsSeen: 36,
            rowsWritten: 76,
            rowsRemoved: 0,
            notes: [],
          }),
        ])

        const [sales, salesTable, members, broken] = await Promise.all([
          cli('graph', 'users', '--integration', 'app', '--json', '--filter', 'department eq "Sales"'),
          cli('graph', 'users', '--integration', 'app', '--filter', 'department eq "Sales"'),
          cli('graph', 'members', '--integration', 'app', '--json'),
          cli('extract', 'broken', '--json'),
        ])

        expect(sales.code).toBe(0)
        const users = json<JsonRecord[]>(sales.stdout)
        // Seeded user n works in Sales when n ≡ 1 (mod 8): users 1, 9, 17 and 25.
        expect(users.map((u) => u.user_name).sort()).toEqual([
          'user17@example.com',
          'user1@example.com',
          'user25@example.com',
          'user9@example.com',
        ])
        for (const user of users) {
          expect(user).toMatchObject({ integration: 'app', department: 'Sales', id: expect.any(String) })
          // Normalized names only: no SCIM spellings, no storage columns.
          expect(Object.keys(user).every((key) => /^[a-z][a-z0-9_]*$/.test(key))).toBe(true)
          expect(user).not.toHaveProperty('raw')
        }
        expect(salesTable.code).toBe(0)
        expect(salesTable.stdout.split('\n')[0]).toMatch(
          /^user_name\s+display_name\s+email\s+active\s+title\s+department$/,
        )
        expect(salesTable.stdout).toContain('user9@example.com')
        expect(salesTable.stdout.trimEnd().endsWith('4 users')).toBe(true)

        expect(members.code).toBe(0)
        const edges = json<JsonRecord[]>(members.stdout)
        expect(edges).toHaveLength(36)
        expect(edges.find((e) => e.member_name === 'user9@example.com' && e.group_name === 'Sales')).toEqual({
          id: expect.stringContaining(':'),
          integration: 'app',
          group_id: expect.any(String),
          group_name: 'Sales',
          member_id: expect.any(String),
          member_type: 'User',
          member_name: 'user9@example.com',
        })
        // Streamed out record by record, yet exactly what JSON.stringify(list, null, 2) prints.
        expect(members.stdout).toBe(`${JSON.stringify(edges, null, 2)}\n`)

        expect(broken.code).toBe(1)
        const [failure] = json<JsonRecord[]>(broken.stdout)
        expect(failure).toMatchObject({ integration: 'broken', status: 'failed' })
        expect(String(failure?.error)).toMatch(
          /^Extraction of broken failed during discovery \(run [0-9a-f-]+\): .*401/,
        )

        const health = await cli('health', '--json')
        // A failing integration makes `health` fail too.
        expect(health.code).toBe(1)
        const entries = json<JsonRecord[]>(health.stdout)
        expect(entries.map((e) => [e.integration, e.status, e.lifecycleManagement])).toEqual([
          ['app', 'healthy', 'enabled'],
          ['broken', 'failing', 'disabled'],
        ])
        expect(entries[0]).toMatchObject({ counts: { accounts: 30, groups: 10, memberships: 36 } })
        expect(entries[1]).toMatchObject({ lastSuccess: null, lastError: { message: failure?.error } })

        // All of it went to the configured store.
        const opened = await openDatabase(String(env.TEST_DATABASE), { baseDir: dir })
        try {
          const runs = await opened.db
            .selectFrom('extraction_runs')
            .select(['integration', 'status'])
            .execute()
          expect(runs.map((r) => `${r.integration}:${r.status}`).sort()).toEqual([
            'app:succeeded',
            'broken:failed',
          ])
          const accounts = await opened.db
            .selectFrom('accounts')
            .select('id')
            .where('integration', '=', 'app')
            .execute()
          expect(accounts).toHaveLength(30)
        } finally {
          await opened.close()
        }
      })
    },
  )
})

describe('provisio graph and extract refusing bad usage', () => {
  it('exits 2 for a bad configuration (with line:column), an unknown integration or filter; prints [] for nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provisio-cli-usage-'))
    try {
      const good = join(dir, 'provisio.yaml')
      const bad = join(dir, 'bad.yaml')
      await writeFile(good, ['integrations:', '  app:', '    url: http://127.0.0.1:9/scim/v2', ''].join('\n'))
      await writeFile(
        bad,
        ['integrations:', '  app:', '    url: http://127.0.0.1:9/scim/v2', '    colour: blue', ''].join('\n'),
      )
      const [badConfig, unknown, badFilter, empty] = await Promise.all([
        runCli(['--config', bad, 'extract', '--json']),
        runCli(['--config', good, 'graph', 'users', '--integration', 'nope', '--json']),
        runCli(['--config', good, 'graph', 'users', '--integration', 'app', '--filter', 'department eq']),
        runCli(['--config', good, 'graph', 'groups', '--integration', 'app', '--json']),
      ])

      expect(badConfig.code).toBe(2)
      expect(badConfig.stdout).toBe('')
      expect(badConfig.stderr).toMatch(
        new RegExp(
          `^provisio: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:5 integrations\\.app\\.colour: unknown key "colour"`,
        ),
      )
      expect(unknown).toEqual({
        code: 2,
        stdout: '',
        stderr: 'provisio: unknown integration "nope"; configured: app\n',
      })
      expect(badFilter.code).toBe(2)
      expect(badFilter.stderr).toMatch(/^provisio: --filter: /)
      // Nothing extracted yet: an empty array, not an error.
      expect(empty).toMatchObject({ code: 0, stdout: '[]\n' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
