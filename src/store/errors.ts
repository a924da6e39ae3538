/** Typed errors of the store layer: each names the setting or file at fault, never a password. */

/** The `database` setting is not a form Provisio can open. */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** The database could not be opened, reached or migrated. */
export class StoreConnectionError extends Error {
  /** The database, with any password masked. */
  readonly database: string

  constructor(message: string, database: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = new.target.name
    this.database = database
  }
}

/** A schema migration failed; the database is left at the last migration that succeeded. */
export class StoreMigrationError extends Error {
  /** The migration that failed, when one did. */
  readonly migration: string | undefined

  constructor(message: string, migration: string | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = new.target.name
    this.migration = migration
  }
}
