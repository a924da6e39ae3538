/**
 * Optional persistence of a sandbox to one JSON file: loaded on start, written a short while after
 * changes (so a burst of writes costs one file write) and on close. Writes go to a temporary file
 * that is renamed over the old one, so a crash never leaves a half-written state behind.
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import type { ScimResource } from '../scim/resources.ts'
import type { ResourceStore, StoreState } from './resource-store.ts'

const FORMAT = 'provisio-sandbox-state'

interface StateDocument extends StoreState {
  format: typeof FORMAT
  version: 1
  savedAt: string
}

function isResourceList(value: unknown): value is ScimResource[] {
  return Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && 'id' in r)
}

/** The state file of one sandbox. */
export class StateFile {
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | undefined
  private dirty = false
  private closed = false
  private writes = 0

  constructor(
    readonly path: string,
    private readonly store: ResourceStore,
    private readonly debounceMs = 200,
  ) {}

  /** Restores the store from the file; false when there is no file yet. Throws on a corrupt file. */
  async load(): Promise<boolean> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw error
    }
    let document: Partial<StateDocument>
    try {
      document = JSON.parse(text) as Partial<StateDocument>
    } catch (error) {
      throw new Error(`Sandbox state file ${this.path} is not valid JSON: ${(error as Error).message}`)
    }
    if (document.format !== FORMAT || !isResourceList(document.users) || !isResourceList(document.groups)) {
      throw new Error(`${this.path} is not a sandbox state file (expected "format": "${FORMAT}")`)
    }
    this.store.restore({ users: document.users, groups: document.groups })
    return true
  }

  /** Notes a change; the file is written `debounceMs` later. */
  schedule(): void {
    if (this.closed) return
    this.dirty = true
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush().catch((error: unknown) => {
        process.stderr.write(`sandbox: could not write ${this.path}: ${(error as Error).message}\n`)
      })
    }, this.debounceMs)
    // A pending save must not keep a finished process alive; close() flushes explicitly.
    this.timer.unref()
  }

  /** Writes the current state now if it changed since the last write. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing
    if (!this.dirty) return
    this.dirty = false
    this.writing = this.write().finally(() => {
      this.writing = undefined
    })
    await this.writing
  }

  /** Stops scheduling and writes pending changes. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
    this.closed = true
  }

  private async write(): Promise<void> {
    const document: StateDocument = {
      format: FORMAT,
      version: 1,
      savedAt: new Date().toISOString(),
      ...this.store.snapshot(),
    }
    this.writes += 1
    const temporary = `${this.path}.${process.pid}.${this.writes}.tmp`
    try {
      await writeFile(temporary, JSON.stringify(document), 'utf8')
      await rename(temporary, this.path)
    } catch (error) {
      await unlink(temporary).catch(() => undefined)
      throw error
    }
  }
}
