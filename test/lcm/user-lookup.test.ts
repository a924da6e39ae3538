/**
 * Look-ups before creates, against the sandbox over HTTP: the names of the creates a run expects
 * are asked for fifty at a time, an answer is used once and only while fresh, and a name found in
 * the target is found whether it was asked for ahead or on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AHEAD_FRESH_MS, MOST_PER_QUERY, ResourceLookup } from '../../src/lcm/user-lookup.ts'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import { SCHEMA, ScimClient } from '../../src/scim/index.ts'

let sandbox: Sandbox
let client: ScimClient
const lookUps: string[] = []

beforeAll(async () => {
  sandbox = await startSandbox({})
  client = new ScimClient({ baseUrl: sandbox.url, auth: { bearer: 'unused' }, integration: 'app' })
  await client.discover()
  for (const userName of ['new7@example.com', 'NEW60@example.com']) {
    await client.users.create({ schemas: [SCHEMA.user], userName })
  }
  const send = client.transport.request.bind(client.transport)
  client.transport.request = (req) => {
    if (req.method === 'GET' && req.path === '/Users') lookUps.push(String(req.query?.filter ?? ''))
    return send(req)
  }
})
afterAll(async () => {
  await client?.close()
  await sandbox?.close()
})

const names = Array.from({ length: 120 }, (_, i) => `new${i}@example.com`)

describe('look-ups before creates', () => {
  it('asks for the next expected creates with the one needed now, fifty names per request', async () => {
    lookUps.length = 0
    const lookup = new ResourceLookup(client)
    lookup.expectCreates(names)
    const answers = []
    for (const name of names) answers.push(await lookup.userBeforeCreate(name))
    expect(lookUps).toHaveLength(Math.ceil(names.length / MOST_PER_QUERY))
    expect(lookUps[0]?.split(' or ')).toHaveLength(MOST_PER_QUERY)
    const found = answers.flatMap((user, i) => (user ? [[names[i], user.userName]] : []))
    expect(found).toEqual([
      ['new7@example.com', 'new7@example.com'],
      ['new60@example.com', 'NEW60@example.com'],
    ])
  })

  it('uses an answer once: asking again for the same name goes to the target', async () => {
    lookUps.length = 0
    const lookup = new ResourceLookup(client)
    lookup.expectCreates(names)
    await lookup.userBeforeCreate('new7@example.com')
    await lookup.userBeforeCreate('new8@example.com')
    expect(lookUps).toHaveLength(1)
    expect((await lookup.userBeforeCreate('new7@example.com'))?.userName).toBe('new7@example.com')
    expect(lookUps).toHaveLength(2)
    expect(lookUps[1]?.split(' or ')[0]).toBe('userName eq "new7@example.com"')
  })

  it('asks again when the answer asked ahead is older than AHEAD_FRESH_MS', async () => {
    lookUps.length = 0
    let now = 1_000_000
    const lookup = new ResourceLookup(client, () => now)
    lookup.expectCreates(names)
    await lookup.userBeforeCreate('new0@example.com')
    now += AHEAD_FRESH_MS - 1
    await lookup.userBeforeCreate('new1@example.com')
    expect(lookUps).toHaveLength(1)
    now += 2
    await client.users.create({ schemas: [SCHEMA.user], userName: 'new2@example.com' })
    expect((await lookup.userBeforeCreate('new2@example.com'))?.userName).toBe('new2@example.com')
    expect(lookUps).toHaveLength(2)
  })

  it('without expected creates, asks for just the names that are waiting', async () => {
    lookUps.length = 0
    const lookup = new ResourceLookup(client)
    const [a, b] = await Promise.all([
      lookup.userBeforeCreate('new60@example.com'),
      lookup.userBeforeCreate('nobody@example.com'),
    ])
    expect(a?.userName).toBe('NEW60@example.com')
    expect(b).toBeUndefined()
    expect(lookUps).toEqual(['userName eq "new60@example.com" or userName eq "nobody@example.com"'])
  })
})
