/** Source configurations and files for the sources tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CsvSourceConfig, JsonSourceConfig, WebhookSourceConfig } from '../../src/config/config-types.ts'
import { Secret } from '../../src/config/secret.ts'
import type { IdentityRecord, SourceRead } from '../../src/sources/index.ts'

export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789'

export function csvSource(overrides: Partial<CsvSourceConfig> = {}): CsvSourceConfig {
  return {
    name: 'hr',
    kind: 'csv',
    path: 'hr.csv',
    key: 'employee_id',
    columns: {},
    delimiter: ',',
    encoding: 'utf8',
    pollInterval: 300_000,
    ...overrides,
  }
}

export function jsonSource(overrides: Partial<JsonSourceConfig> = {}): JsonSourceConfig {
  return {
    name: 'feed',
    kind: 'json',
    path: 'feed.json',
    key: 'id',
    columns: {},
    records: 'records',
    pollInterval: 300_000,
    ...overrides,
  }
}

export function webhookSource(overrides: Partial<WebhookSourceConfig> = {}): WebhookSourceConfig {
  return { name: 'pushed', kind: 'webhook', key: 'id', secret: new Secret(WEBHOOK_SECRET), ...overrides }
}

/** A temporary directory for source files, removed by `dispose`. */
export async function scratchDir(): Promise<{
  dir: string
  write(name: string, content: string | Buffer): Promise<string>
  dispose(): Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'provisio-sources-'))
  return {
    dir,
    write: async (name, content) => {
      const file = join(dir, name)
      await writeFile(file, content)
      return file
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Lines joined with `\n` and a final newline. */
export function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`
}

/** The records of an accepted read; fails the test on a refusal. */
export function recordsOf(read: SourceRead): readonly IdentityRecord[] {
  if (read.status !== 'ok') throw new Error(`expected an accepted read, got: ${read.error.message}`)
  return read.records
}

/** An accepted read of the given records, as a reader would return it. */
export function readOf(
  source: string,
  rows: Array<Record<string, unknown>>,
  key = 'id',
  heldKeys: string[] = [],
): SourceRead {
  return {
    status: 'ok',
    source,
    records: rows.map((attributes) => ({ key: String(attributes[key]), attributes })),
    heldKeys,
    problems: [],
  }
}
