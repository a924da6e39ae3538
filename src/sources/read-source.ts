/** One read of a configured source, whatever its kind. */
import { resolve } from 'node:path'
import type { SourceConfig } from '../config/config-types.ts'
import { readCsvSource } from './csv-reader.ts'
import { readJsonSource } from './json-reader.ts'
import { readScimSource, type ScimClientFactory } from './scim-reader.ts'
import { SourceRefusedError } from './source-errors.ts'
import type { SourceRead } from './source-types.ts'

export interface ReadSourceOptions {
  /** Directory relative file paths start from: the configuration file's (`ProvisioConfig.baseDir`). */
  baseDir: string
  /** Makes the SCIM client of a scim source; default: from the source's URL and auth. */
  createScimClient?: ScimClientFactory | undefined
}

/** Reads a csv, json or scim source; a webhook source is pushed to, so reading one is refused. */
export async function readSource(source: SourceConfig, options: ReadSourceOptions): Promise<SourceRead> {
  switch (source.kind) {
    case 'csv':
      return readCsvSource(source, resolve(options.baseDir, source.path))
    case 'json':
      return readJsonSource(source, resolve(options.baseDir, source.path))
    case 'scim':
      return readScimSource(source, options.createScimClient)
    case 'webhook': {
      const error = new SourceRefusedError({
        source: source.name,
        code: 'not_readable',
        reason: 'a webhook source is not read; its records arrive at POST /sources/<name>/events',
      })
      return { status: 'refused', source: source.name, error, problems: [] }
    }
  }
}
