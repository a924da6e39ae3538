/**
 * A create that meets an account (or group) already in the target — made behind the graph's back,
 * or by a create whose answer was lost — adopts it and brings it to the wanted values, on the
 * sandbox (custom extension included) and on scimmy (which appends on a path-less replace and
 * lists a member added twice twice): nothing duplicated, nothing else touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVISIO_USER_EXTENSION } from '../../src/sandbox/index.ts'
import { SCHEMA } from '../../src/scim/index.ts'
import { lcmWorld, memberIds } from '../support/lcm-world.ts'
import { SCIMMY_TOKEN, type ScimmyServer, startScimmyServer } from '../support/scimmy-server.ts'
import { testBackends } from '../support/test-databases.ts'

const backend = testBackends()[0] as ReturnType<typeof testBackends>[number]

const ada = [
  '- sync_identity:',
  '    integration: app',
  '    attributes:',
  '      user_name: ada@example.com',
  '      title: Engineer',
  '      email: ada@example.com',
  '      phone_numbers: [{ value: "+44 1", type: work }]',
  '      department: R&D',
]

describe('adopting what is already in the target', () => {
  let scimmy: ScimmyServer
  beforeAll(async () => {
    scimmy = await startScimmyServer()
  })
  afterAll(() => scimmy?.close())

  it('on the sandbox: the account is brought to the wanted values, custom extension included', async () => {
    const world = await lcmWorld(backend, 'lcm-adopt-sandbox', { extensionSchemas: true })
    await world.extract()
    await world.client.users.create({
      schemas: [SCHEMA.user],
      userName: 'ada@example.com',
      nickName: 'Countess',
      phoneNumbers: [{ value: '+44 0', type: 'work' }],
    })
    const { failures, runId } = await world.apply(...ada, '      scim_extension_provisio_badge_color: green')
    expect(failures).toEqual([])
    const outcome = await world.store.db
      .selectFrom('lcm_operations')
      .select('outcome')
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow()
    expect(outcome.outcome).toMatch(/^adopted/)
    const users = await world.users()
    expect(users).toHaveLength(1)
    expect(users[0]).toMatchObject({
      nickName: 'Countess',
      title: 'Engineer',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+44 1', type: 'work' }],
      [SCHEMA.enterpriseUser]: { department: 'R&D' },
      [PROVISIO_USER_EXTENSION]: { badgeColor: 'green' },
    })
    expect((await world.plan(...ada, '      scim_extension_provisio_badge_color: green')).operations).toEqual(
      [],
    )
  })

  it('on scimmy: multi-valued attributes are replaced, not appended, and members are not added twice', async () => {
    scimmy.reset()
    const world = await lcmWorld(backend, 'lcm-adopt-scimmy', {
      url: scimmy.url,
      token: SCIMMY_TOKEN,
      integration: ['    capabilities: { attributeSelection: false }'],
    })
    await world.extract()
    const existing = await world.client.users.create({
      schemas: [SCHEMA.user],
      userName: 'ada@example.com',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+44 0', type: 'work' }],
    })
    await world.client.groups.create({
      schemas: [SCHEMA.group],
      displayName: 'eng',
      members: [{ value: String(existing.id) }],
    })
    const { failures } = await world.apply(
      ...ada,
      '- create_entitlement: { integration: app, group: { display_name: eng, members: [ada@example.com] } }',
    )
    expect(failures).toEqual([])
    const users = await world.users()
    expect(users).toHaveLength(1)
    expect(users[0]).toMatchObject({
      title: 'Engineer',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+44 1', type: 'work' }],
    })
    const groups = await world.groups()
    expect(groups).toHaveLength(1)
    expect(memberIds(groups[0])).toEqual([existing.id])
  })
})
