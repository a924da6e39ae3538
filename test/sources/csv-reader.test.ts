import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSource, type SourceRead, SourceRefusedError } from '../../src/sources/index.ts'
import { csvSource, lines, recordsOf, scratchDir } from './fixtures.ts'

let scratch: Awaited<ReturnType<typeof scratchDir>>
beforeAll(async () => {
  scratch = await scratchDir()
})
afterAll(async () => {
  await scratch.dispose()
})

async function readCsv(
  content: string | Buffer,
  overrides: Parameters<typeof csvSource>[0] = {},
): Promise<SourceRead> {
  const path = `file-${Math.random().toString(36).slice(2)}.csv`
  await scratch.write(path, content)
  return readSource(csvSource({ path, ...overrides }), { baseDir: scratch.dir })
}

function refusal(read: SourceRead): { code: string; line: number | undefined; reason: string } {
  if (read.status !== 'refused') throw new Error('expected a refused read')
  expect(read.error).toBeInstanceOf(SourceRefusedError)
  expect(read.error.source).toBe('hr')
  expect(read.error.file).toMatch(/\.csv$/)
  return { code: read.error.code, line: read.error.line, reason: read.error.reason }
}

describe('csv source: reading', () => {
  it('reads RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quoted fields, with start lines', async () => {
    const read = await readCsv(
      lines(
        'employee_id,name,title,note',
        'E1,"Lovelace, Ada",Engineer,plain',
        'E2,"Grace ""Amazing"" Hopper",Admiral,"two',
        'lines"',
        '',
        'E3,Émilie du Châtelet,Physicist,',
      ),
    )
    expect(recordsOf(read)).toEqual([
      {
        key: 'E1',
        line: 2,
        attributes: { employee_id: 'E1', name: 'Lovelace, Ada', title: 'Engineer', note: 'plain' },
      },
      {
        key: 'E2',
        line: 3,
        attributes: {
          employee_id: 'E2',
          name: 'Grace "Amazing" Hopper',
          title: 'Admiral',
          note: 'two\nlines',
        },
      },
      // The empty cell is left out: CSV cannot tell an empty value from none.
      {
        key: 'E3',
        line: 6,
        attributes: { employee_id: 'E3', name: 'Émilie du Châtelet', title: 'Physicist' },
      },
    ])
    expect(read.problems).toEqual([])
  })

  it('reads a UTF-8 byte order mark, CRLF line ends, another delimiter and trims around values', async () => {
    const text = '\uFEFFemployee_id;department\r\n E1 ; R&D \r\nE2;"Sales\r\nEMEA"\r\nE3;Ops\r\n'
    const read = await readCsv(text, { delimiter: ';' })
    expect(recordsOf(read)).toEqual([
      { key: 'E1', line: 2, attributes: { employee_id: 'E1', department: 'R&D' } },
      { key: 'E2', line: 3, attributes: { employee_id: 'E2', department: 'Sales\r\nEMEA' } },
      { key: 'E3', line: 5, attributes: { employee_id: 'E3', department: 'Ops' } },
    ])
  })

  it('reads latin1 and UTF-16 files when told their encoding', async () => {
    const latin1 = Buffer.from('employee_id,name\nE1,José Müller\n', 'latin1')
    expect(recordsOf(await readCsv(latin1, { encoding: 'latin1' }))[0]?.attributes.name).toBe('José Müller')
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('employee_id,name\nE1,Zoë\n', 'utf16le'),
    ])
    expect(recordsOf(await readCsv(utf16, { encoding: 'utf16le' }))).toEqual([
      { key: 'E1', line: 2, attributes: { employee_id: 'E1', name: 'Zoë' } },
    ])
  })

  it("keeps multi-byte characters whole across the file stream's chunks", async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `E${i},Zoë Ünal-Ærøskøbing 😀 ${i}`)
    const read = await readCsv(lines('employee_id,name', ...rows))
    expect(recordsOf(read)).toHaveLength(5_000)
    expect(recordsOf(read)[4_999]).toEqual({
      key: 'E4999',
      line: 5_001,
      attributes: { employee_id: 'E4999', name: 'Zoë Ünal-Ærøskøbing 😀 4999' },
    })
  })

  it('renames columns, keys by the renamed name, ignores unnamed columns and reports renames it cannot find', async () => {
    const read = await readCsv(lines('Employee ID,First Name,,Dept', 'E1,Ada,x,R&D'), {
      columns: { 'Employee ID': 'employee_id', 'First Name': 'given_name', Department: 'department' },
    })
    expect(recordsOf(read)).toEqual([
      { key: 'E1', line: 2, attributes: { employee_id: 'E1', given_name: 'Ada', Dept: 'R&D' } },
    ])
    expect(read.problems).toEqual([
      {
        source: 'hr',
        file: expect.stringMatching(/\.csv$/),
        line: 1,
        code: 'missing_column',
        reason: 'column "Department" named under columns: is not in the header',
      },
    ])
  })

  it('reads a file named relative to the configuration directory', async () => {
    await mkdir(join(scratch.dir, 'hr'), { recursive: true })
    await scratch.write('hr/people.csv', lines('employee_id', 'E9'))
    const read = await readSource(csvSource({ path: './hr/people.csv' }), { baseDir: scratch.dir })
    expect(recordsOf(read).map((record) => record.key)).toEqual(['E9'])
  })
})

describe('csv source: bad rows are reported with file, line and reason, and skipped', () => {
  it('a row without key, a duplicated key (held), and a row with the wrong number of fields (held)', async () => {
    const read = await readCsv(
      lines(
        'employee_id,name,department',
        'E1,Ada,R&D',
        ',Nobody,Sales',
        'E2,Grace,Navy',
        'E3,Alan',
        'E2,Grace Again,Navy',
        'E4,Edsger,Science',
        ',,',
      ),
    )
    if (read.status !== 'ok') throw new Error('expected an accepted read')
    expect(read.records.map((record) => record.key)).toEqual(['E1', 'E4'])
    expect(read.heldKeys).toEqual(['E3', 'E2'])
    expect(read.problems.map(({ line, code, key }) => ({ line, code, key }))).toEqual([
      { line: 3, code: 'missing_key', key: undefined },
      { line: 5, code: 'malformed_record', key: 'E3' },
      { line: 6, code: 'duplicate_key', key: 'E2' },
    ])
    expect(read.problems[0]?.reason).toBe('no value for the key attribute "employee_id"; row skipped')
    expect(read.problems[1]?.reason).toMatch(/^2 fields where the header has 3/)
    expect(read.problems[2]?.reason).toMatch(/key "E2" appears more than once \(first on line 4\)/)
    expect(read.problems.every((problem) => problem.file?.endsWith('.csv'))).toBe(true)
  })
})

describe('csv source: a file that cannot be trusted is refused as a whole', () => {
  it('a missing file, and a directory', async () => {
    const missing = await readSource(csvSource({ path: 'nope.csv' }), { baseDir: scratch.dir })
    expect(refusal(missing)).toMatchObject({ code: 'unreadable', reason: 'file not found' })
    await mkdir(join(scratch.dir, 'dir.csv'), { recursive: true })
    const directory = await readSource(csvSource({ path: 'dir.csv' }), { baseDir: scratch.dir })
    expect(refusal(directory)).toMatchObject({ code: 'unreadable', reason: 'is a directory, not a file' })
  })

  it('an empty file, a header alone, and rows none of which is usable', async () => {
    expect(refusal(await readCsv(''))).toMatchObject({ code: 'empty' })
    expect(refusal(await readCsv('employee_id,name\n'))).toMatchObject({ code: 'empty' })
    expect(refusal(await readCsv(lines('employee_id,name', ',Ada', ',Grace')))).toMatchObject({
      code: 'no_valid_rows',
      reason: 'none of the 2 records is usable; an empty read would make every identity a leaver',
    })
  })

  it('a header without the key column, or with two columns of one name', async () => {
    expect(refusal(await readCsv(lines('id,name', 'E1,Ada')))).toEqual({
      code: 'missing_key_column',
      line: 1,
      reason: 'no column "employee_id" (the key) in the header; columns: id, name',
    })
    const renamed = await readCsv(lines('employee_id,Name,name', 'E1,Ada,Ada'), { columns: { Name: 'name' } })
    expect(refusal(renamed)).toMatchObject({ code: 'duplicate_column', line: 1 })
  })

  it('broken quoting: a quote never closed, text after a closing quote, a quote inside a bare field', async () => {
    const unclosed = await readCsv(lines('employee_id,name', 'E1,"Ada', 'E2,Grace', 'E3,Alan'))
    expect(refusal(unclosed)).toMatchObject({ code: 'malformed_file' })
    expect(refusal(unclosed).reason).toMatch(/never closed/)
    expect(refusal(await readCsv(lines('employee_id,name', 'E1,Ada', 'E2,"Grace"Hopper')))).toMatchObject({
      code: 'malformed_file',
      line: 3,
    })
    expect(refusal(await readCsv(lines('employee_id,name', 'E1,O"Brien')))).toMatchObject({
      code: 'malformed_file',
      line: 2,
    })
  })

  it('bytes that are not UTF-8 (a latin1 export read as utf8)', async () => {
    const read = await readCsv(Buffer.from('employee_id,name\nE1,Ada\nE2,José\n', 'latin1'))
    expect(refusal(read)).toMatchObject({ code: 'invalid_encoding', line: 3 })
    expect(refusal(read).reason).toMatch(/encoding: latin1/)
  })
})
