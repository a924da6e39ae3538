import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSource, type SourceRead } from '../../src/sources/index.ts'
import { arrayElementLines } from '../../src/sources/json-lines.ts'
import { jsonSource, recordsOf, scratchDir } from './fixtures.ts'

let scratch: Awaited<ReturnType<typeof scratchDir>>
beforeAll(async () => {
  scratch = await scratchDir()
})
afterAll(async () => {
  await scratch.dispose()
})

async function readJson(
  content: string,
  overrides: Parameters<typeof jsonSource>[0] = {},
): Promise<SourceRead> {
  const path = `file-${Math.random().toString(36).slice(2)}.json`
  await scratch.write(path, content)
  return readSource(jsonSource({ path, ...overrides }), { baseDir: scratch.dir })
}

function refusal(read: SourceRead): { code: string; line: number | undefined; reason: string } {
  if (read.status !== 'refused') throw new Error('expected a refused read')
  expect(read.error.file).toMatch(/\.json$/)
  return { code: read.error.code, line: read.error.line, reason: read.error.reason }
}

describe('json source: reading', () => {
  it('reads an array of objects with the line each starts on; null is unassigned, other values kept', async () => {
    const text = [
      '[',
      '  {"id": "A1", "name": "Ada", "manager": null, "active": true,',
      '   "emails": ["ada@example.com"], "address": {"city": "London"}},',
      '  {"id": 42, "name": "Brace { [ \\" in a string"}',
      ']',
    ].join('\n')
    expect(recordsOf(await readJson(text))).toEqual([
      {
        key: 'A1',
        line: 2,
        attributes: {
          id: 'A1',
          name: 'Ada',
          active: true,
          emails: ['ada@example.com'],
          address: { city: 'London' },
        },
      },
      { key: '42', line: 4, attributes: { id: 42, name: 'Brace { [ " in a string' } },
    ])
  })

  it('reads the array under "records", or under the member the source names, with renames', async () => {
    const wrapped = '{"generated": "2024-05-01",\n "records": [\n {"id": "A1"},\n {"id": "A2"}\n]}'
    expect(recordsOf(await readJson(wrapped)).map(({ key, line }) => ({ key, line }))).toEqual([
      { key: 'A1', line: 3 },
      { key: 'A2', line: 4 },
    ])
    const custom = '\uFEFF{"people": [{"EmployeeNumber": "E1", "Dept": "R&D"}], "records": "not this"}'
    const read = await readJson(custom, {
      records: 'people',
      key: 'employee_number',
      columns: { EmployeeNumber: 'employee_number', Dept: 'department' },
    })
    expect(recordsOf(read)).toEqual([
      { key: 'E1', line: 1, attributes: { employee_number: 'E1', department: 'R&D' } },
    ])
  })

  it('numbers element lines of nested and repeated arrays correctly', () => {
    const text = '{"records": [1], "x": [[0],\n[1]], "records": [\n{"a": [1,\n2]},\n\n"s"\n]}'
    expect(arrayElementLines(text, 'records')).toEqual([3, 6])
    expect(arrayElementLines('[\n[1, 2],\n{"k": [3]}]')).toEqual([2, 3])
  })
})

describe('json source: bad records are reported and skipped', () => {
  it('not an object, no key, a key that is not text, a duplicated key, two members for one attribute', async () => {
    const text = [
      '[',
      '  {"id": "A1"},',
      '  "just text",',
      '  {"name": "no key"},',
      '  {"id": {"nested": true}},',
      '  {"id": "A2", "Id2": "x", "alias": "y"},',
      '  {"id": "A3"},',
      '  {"id": "A3", "again": true}',
      ']',
    ].join('\n')
    const read = await readJson(text, { columns: { Id2: 'other', alias: 'other' } })
    if (read.status !== 'ok') throw new Error('expected an accepted read')
    expect(read.records.map((record) => record.key)).toEqual(['A1'])
    expect(read.heldKeys).toEqual(['A2', 'A3'])
    expect(read.problems.map(({ line, code, key }) => ({ line, code, key }))).toEqual([
      { line: 3, code: 'malformed_record', key: undefined },
      { line: 4, code: 'missing_key', key: undefined },
      { line: 5, code: 'malformed_record', key: undefined },
      { line: 6, code: 'malformed_record', key: 'A2' },
      { line: 8, code: 'duplicate_key', key: 'A3' },
    ])
    expect(read.problems[2]?.reason).toBe(
      'the key attribute "id" is object, not text or a number; row skipped',
    )
  })
})

describe('json source: a file that cannot be trusted is refused as a whole', () => {
  it('a missing file, invalid JSON (with its line), the wrong shape, no records', async () => {
    const missing = await readSource(jsonSource({ path: 'none.json' }), { baseDir: scratch.dir })
    expect(refusal(missing)).toMatchObject({ code: 'unreadable', reason: 'file not found' })
    const broken = refusal(await readJson('[\n {"id": "A1"},\n {"id": "A2",}\n]'))
    expect(broken).toMatchObject({ code: 'malformed_file', line: 3 })
    expect(broken.reason).toMatch(/^not valid JSON/)
    expect(refusal(await readJson('{"people": []}'))).toMatchObject({
      code: 'malformed_file',
      reason: 'expected an array of records, or an object with the array under "records"',
    })
    expect(refusal(await readJson('[]'))).toMatchObject({ code: 'empty' })
    expect(refusal(await readJson('{"records": []}'))).toMatchObject({ code: 'empty' })
    expect(refusal(await readJson('[{"name": "x"}, 3]'))).toMatchObject({ code: 'no_valid_rows' })
    expect(refusal(await readJson(''))).toMatchObject({ code: 'malformed_file' })
  })

  it('bytes that are not UTF-8', async () => {
    const path = 'latin1.json'
    await scratch.write(path, Buffer.from('[{"id": "A1", "name": "José"}]', 'latin1'))
    const read = await readSource(jsonSource({ path }), { baseDir: scratch.dir })
    expect(refusal(read)).toMatchObject({ code: 'invalid_encoding', line: 1 })
  })
})
