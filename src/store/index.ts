/** The store: database access for SQLite and PostgreSQL through one query builder, and migrations. */
export * from './database.ts'
export * from './database-url.ts'
export * from './errors.ts'
export * from './leases.ts'
export * from './migrate.ts'
export * from './secret-box.ts'
export type * from './tables.ts'
