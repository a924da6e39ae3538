/** The `database` setting: accepted forms, refused ones, and passwords masked in every message. */
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/database.ts'
import { parseDatabaseUrl, redactDatabaseUrl } from '../../src/store/database-url.ts'
import { StoreConfigError } from '../../src/store/errors.ts'

describe('parseDatabaseUrl', () => {
  it('accepts SQLite files, relative to the base directory or absolute, and memory', () => {
    expect(parseDatabaseUrl('sqlite:./data/provisio.db', '/srv/app')).toEqual({
      dialect: 'sqlite',
      filename: '/srv/app/data/provisio.db',
    })
    expect(parseDatabaseUrl('sqlite:provisio.db', '/srv/app')).toEqual({
      dialect: 'sqlite',
      filename: '/srv/app/provisio.db',
    })
    expect(parseDatabaseUrl('sqlite:/var/lib/provisio.db')).toEqual({
      dialect: 'sqlite',
      filename: '/var/lib/provisio.db',
    })
    expect(parseDatabaseUrl('sqlite:///var/lib/provisio.db')).toEqual({
      dialect: 'sqlite',
      filename: '/var/lib/provisio.db',
    })
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', filename: ':memory:' })
  })

  it('accepts postgres:// and postgresql:// URLs as they are', () => {
    for (const url of [
      'postgres://u:p@db.internal:5432/provisio',
      'postgresql://db.internal/provisio?sslmode=require',
    ]) {
      expect(parseDatabaseUrl(url)).toEqual({ dialect: 'postgres', connectionString: url })
    }
  })

  it.each([
    ['mysql://root:hunter2@db/provisio', /unsupported scheme "mysql:"/],
    ['./provisio.db', /has no scheme/],
    ['', /is empty/],
    ['sqlite:', /names no file/],
    ['sqlite://provisio.db', /host part/],
    ['file:./provisio.db', /write sqlite:<path>/],
    ['postgres://', /not a valid URL|names no host/],
  ])('refuses %j, naming it and the accepted forms', (value, problem) => {
    let error: unknown
    try {
      parseDatabaseUrl(value)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(StoreConfigError)
    const message = (error as Error).message
    expect(message).toMatch(problem)
    expect(message).toContain('sqlite:./relative/path.db')
    expect(message).toContain('postgres://user:password@host:5432/database')
    expect(message).not.toContain('hunter2')
  })

  it('makes openDatabase reject with the same error', async () => {
    await expect(openDatabase('redis://localhost')).rejects.toBeInstanceOf(StoreConfigError)
  })
})

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://provisio:s3cret@127.0.0.1:5432/db', 'postgres://provisio:***@127.0.0.1:5432/db'],
    ['postgres://provisio:p@ss:w/rd@host/db', 'postgres://provisio:***@host/db'],
    [
      'postgres://host/db?user=x&password=s3cret&sslmode=require',
      'postgres://host/db?user=x&password=***&sslmode=require',
    ],
    ['postgres://provisio@host/db', 'postgres://provisio@host/db'],
    ['mysql:root:s3cret@host', 'mysql:***@host'],
    ['sqlite:./provisio.db', 'sqlite:./provisio.db'],
  ])('masks %j as %j', (url, masked) => {
    expect(redactDatabaseUrl(url)).toBe(masked)
  })
})
