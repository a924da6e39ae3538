/**
 * sync_identity against the sandbox on every backend: creates with the whole core schema, the
 * enterprise extension (manager by user name, sent as the manager's id) and a custom extension;
 * updates touching only what differs, single values of multi-valued attributes included; errors
 * for unknown and read-only names before anything is planned; and a plan after apply is empty.
 */
import { describe, expect, it } from 'vitest'
import { PROVISIO_USER_EXTENSION } from '../../src/sandbox/index.ts'
import { SCHEMA } from '../../src/scim/index.ts'
import { type LcmWorld, lcmWorld, patchOps, shapes } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const ENTERPRISE = SCHEMA.enterpriseUser

/** Plan is empty now, and stays empty after the graph is read again from the target. */
async function expectSettled(world: LcmWorld, lines: string[]): Promise<void> {
  expect(shapes(await world.plan(...lines))).toEqual([])
  await world.extract()
  expect(shapes(await world.plan(...lines))).toEqual([])
}

describe.each(testBackends())('sync_identity on $name', (backend) => {
  const open = (label: string, options = {}) => lcmWorld(backend, `lcm-sync-${label}`, options)

  it.skipIf(backend.skip !== undefined)(
    'creates an account, then updates only what differs, and a plan after apply is empty',
    async () => {
      const world = await open('create-update')
      await world.extract()
      const ada = [
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      display_name: Ada Lovelace',
        '      given_name: Ada',
        '      family_name: Lovelace',
        '      email: ada@example.com',
        '      title: Engineer',
        '      department: R&D',
        '      phone_numbers: [{ value: "+44 20 1234", type: work }]',
      ]
      const { plan, status } = await world.apply(...ada)
      expect(shapes(plan)).toEqual([['create_user', 'POST', '/Users']])
      expect(status).toBe('succeeded')
      expect(await world.user('ada@example.com')).toMatchObject({
        displayName: 'Ada Lovelace',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        title: 'Engineer',
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        phoneNumbers: [{ value: '+44 20 1234', type: 'work' }],
        [ENTERPRISE]: { department: 'R&D' },
      })
      await expectSettled(world, ada)

      const moved = [
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      display_name: Ada Lovelace',
        '      title: Principal Engineer',
        '      department: Research',
        '      phone_numbers: [{ value: "+44 20 9999", type: work }, { value: "+44 7700 1", type: mobile }]',
      ]
      const second = await world.apply(...moved)
      expect(second.plan.operations).toHaveLength(1)
      expect(patchOps(second.plan)).toEqual([
        { op: 'replace', path: 'title', value: 'Principal Engineer' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Research' },
        {
          op: 'replace',
          path: 'phoneNumbers[type eq "work"]',
          value: { value: '+44 20 9999', type: 'work' },
        },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+44 7700 1', type: 'mobile' }] },
      ])
      const updated = await world.user('ada@example.com')
      expect(updated?.title).toBe('Principal Engineer')
      expect(updated?.phoneNumbers).toEqual([
        { value: '+44 20 9999', type: 'work' },
        { value: '+44 7700 1', type: 'mobile' },
      ])
      await expectSettled(world, moved)
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'creates with the core schema, multi-valued attributes and the enterprise extension, the manager sent as its account id',
    async () => {
      const world = await open('create-all')
      await world.client.users.create({ schemas: [SCHEMA.user], userName: 'grace@example.com' })
      await world.extract()
      const grace = await world.user('grace@example.com')
      const lines = [
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      external_id: E-1815',
        '      display_name: Ada Lovelace',
        '      given_name: Ada',
        '      middle_name: King',
        '      family_name: Lovelace',
        '      formatted_name: Ada King Lovelace',
        '      nick_name: Ada',
        '      title: Analyst',
        '      user_type: Employee',
        '      locale: en-GB',
        '      timezone: Europe/London',
        '      preferred_language: en',
        '      profile_url: https://example.com/ada',
        '      active: true',
        '      email: ada@example.com',
        '      emails: [{ value: ada@home.example, type: home }]',
        '      phone_numbers: [{ value: "+44 1", type: work }, { value: "+44 2", type: mobile }]',
        '      addresses: [{ type: work, locality: London, country: GB }, { type: home, locality: Bath, country: GB }]',
        '      ims: [{ value: ada-chat, type: xmpp }]',
        '      photos: [{ value: "https://example.com/ada.png", type: photo }]',
        '      employee_number: "1815"',
        '      cost_center: CC-9',
        '      organization: Analytical Engines',
        '      division: Mathematics',
        '      department: R&D',
        '      manager: grace@example.com',
      ]
      const { plan, status } = await world.apply(...lines)
      expect(status).toBe('succeeded')
      expect(shapes(plan)).toEqual([['create_user', 'POST', '/Users']])
      expect(plan.operations[0]?.body).toMatchObject({ [ENTERPRISE]: { manager: { value: grace?.id } } })
      expect(await world.user('ada@example.com')).toMatchObject({
        externalId: 'E-1815',
        displayName: 'Ada Lovelace',
        name: {
          givenName: 'Ada',
          middleName: 'King',
          familyName: 'Lovelace',
          formatted: 'Ada King Lovelace',
        },
        nickName: 'Ada',
        title: 'Analyst',
        userType: 'Employee',
        locale: 'en-GB',
        timezone: 'Europe/London',
        preferredLanguage: 'en',
        profileUrl: 'https://example.com/ada',
        active: true,
        emails: [
          { value: 'ada@example.com', type: 'work', primary: true },
          { value: 'ada@home.example', type: 'home' },
        ],
        phoneNumbers: [
          { value: '+44 1', type: 'work' },
          { value: '+44 2', type: 'mobile' },
        ],
        addresses: [
          { type: 'work', locality: 'London', country: 'GB' },
          { type: 'home', locality: 'Bath', country: 'GB' },
        ],
        ims: [{ value: 'ada-chat', type: 'xmpp' }],
        photos: [{ value: 'https://example.com/ada.png', type: 'photo' }],
        [ENTERPRISE]: {
          employeeNumber: '1815',
          costCenter: 'CC-9',
          organization: 'Analytical Engines',
          division: 'Mathematics',
          department: 'R&D',
          manager: { value: grace?.id },
        },
      })
      await expectSettled(world, lines)
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a manager created earlier in the same run is referred to by the id its create returned',
    async () => {
      const world = await open('manager-same-run')
      await world.extract()
      const { plan, status } = await world.apply(
        '- sync_identity: { integration: app, attributes: { user_name: grace@example.com } }',
        '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, manager: grace@example.com } }',
      )
      expect(status).toBe('succeeded')
      expect(plan.operations[1]?.body).toMatchObject({ [ENTERPRISE]: { manager: { value: 'bulkId:op1' } } })
      const grace = await world.user('grace@example.com')
      expect((await world.user('ada@example.com'))?.[ENTERPRISE]).toMatchObject({
        manager: { value: grace?.id },
      })
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'adds, changes and deletes single values of multi-valued attributes and moves the primary email',
    async () => {
      const world = await open('multi-valued')
      await world.extract()
      await world.apply(
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      email: ada@example.com',
        '      emails: [{ value: ada@home.example, type: home }]',
        '      phone_numbers: [{ value: "+44 1", type: work }, { value: "+44 2", type: mobile }]',
        '      addresses: [{ type: work, locality: London }, { type: home, locality: Bath }]',
      )
      const change = [
        '- sync_identity:',
        '    integration: app',
        '    attributes:',
        '      user_name: ada@example.com',
        '      emails: [{ value: ada@example.com, type: work, primary: true }, { value: ada@new-home.example, type: home }]',
        '      phone_numbers: [{ value: "+44 1", type: work }]',
        '      addresses: [{ type: work, locality: London }, { type: home, locality: Bath }, { type: other, locality: Paris }]',
      ]
      const { plan } = await world.apply(...change)
      expect(patchOps(plan)).toEqual([
        {
          op: 'replace',
          path: 'emails[type eq "home"]',
          value: { value: 'ada@new-home.example', type: 'home' },
        },
        { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
        { op: 'add', path: 'addresses', value: [{ type: 'other', locality: 'Paris' }] },
      ])
      const changed = await world.user('ada@example.com')
      expect(changed?.emails).toEqual([
        { value: 'ada@example.com', type: 'work', primary: true },
        { value: 'ada@new-home.example', type: 'home' },
      ])
      expect(changed?.phoneNumbers).toEqual([{ value: '+44 1', type: 'work' }])
      expect(changed?.addresses).toEqual([
        { type: 'work', locality: 'London' },
        { type: 'home', locality: 'Bath' },
        { type: 'other', locality: 'Paris' },
      ])
      await expectSettled(world, change)

      const primary = [
        '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, email: ada.lovelace@example.com } }',
      ]
      const moved = await world.apply(...primary)
      expect(patchOps(moved.plan)).toEqual([
        { op: 'replace', path: 'emails[primary eq true].value', value: 'ada.lovelace@example.com' },
      ])
      expect((await world.user('ada@example.com'))?.emails).toEqual([
        { value: 'ada.lovelace@example.com', type: 'work', primary: true },
        { value: 'ada@new-home.example', type: 'home' },
      ])
      await expectSettled(world, primary)
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'email and emails given together: the primary email is an element of emails, on create and on update',
    async () => {
      const world = await open('email-and-emails')
      await world.extract()
      const both = (email: string, home: string) => [
        '- sync_identity:',
        '    integration: app',
        `    attributes: { user_name: ada@example.com, email: ${email}, emails: [{ value: ${home}, type: home }] }`,
      ]
      await world.apply(...both('ada@example.com', 'ada@home.example'))
      await expectSettled(world, both('ada@example.com', 'ada@home.example'))
      const { plan } = await world.apply(...both('ada.l@example.com', 'ada@new-home.example'))
      expect(plan.operations).toHaveLength(1)
      expect((await world.user('ada@example.com'))?.emails).toEqual([
        { value: 'ada.l@example.com', type: 'work', primary: true },
        { value: 'ada@new-home.example', type: 'home' },
      ])
      await expectSettled(world, both('ada.l@example.com', 'ada@new-home.example'))
    },
  )

  it.skipIf(backend.skip !== undefined)('active false deactivates and active true reactivates', async () => {
    const world = await open('active')
    await world.extract()
    await world.apply('- sync_identity: { integration: app, attributes: { user_name: ada@example.com } }')
    const off = [
      '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, active: false } }',
    ]
    expect(shapes((await world.apply(...off)).plan)).toEqual([['update_user', 'PATCH', expect.any(String)]])
    expect((await world.user('ada@example.com'))?.active).toBe(false)
    await expectSettled(world, off)
    const on = [
      '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, active: true } }',
    ]
    await world.apply(...on)
    expect((await world.user('ada@example.com'))?.active).toBe(true)
    await expectSettled(world, on)
  })

  it.skipIf(backend.skip !== undefined)(
    'writes a custom extension attribute by its scim_extension_ name under its schema URN',
    async () => {
      const world = await open('extension', { extensionSchemas: true })
      await world.extract()
      const create = [
        '- sync_identity:',
        '    integration: app',
        '    attributes: { user_name: ada@example.com, scim_extension_provisio_badge_color: green, scim_extension_provisio_clearance_level: "3" }',
      ]
      const { plan } = await world.apply(...create)
      expect(plan.operations[0]?.body).toMatchObject({
        schemas: expect.arrayContaining([PROVISIO_USER_EXTENSION]),
        [PROVISIO_USER_EXTENSION]: { badgeColor: 'green', clearanceLevel: 3 },
      })
      expect((await world.user('ada@example.com'))?.[PROVISIO_USER_EXTENSION]).toMatchObject({
        badgeColor: 'green',
        clearanceLevel: 3,
      })
      await expectSettled(world, create)
      const update = [
        '- sync_identity:',
        '    integration: app',
        '    attributes: { user_name: ada@example.com, scim_extension_provisio_badge_color: blue }',
      ]
      const changed = await world.apply(...update)
      expect(patchOps(changed.plan)).toEqual([
        { op: 'replace', path: `${PROVISIO_USER_EXTENSION}:badgeColor`, value: 'blue' },
      ])
      expect((await world.user('ada@example.com'))?.[PROVISIO_USER_EXTENSION]).toMatchObject({
        badgeColor: 'blue',
      })
      await expectSettled(world, update)
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'an unknown name, a read-only attribute or an extension without extensionSchemas is an error planned into nothing',
    async () => {
      const world = await open('errors', { extensionSchemas: true })
      await world.extract()
      const plan = await world.plan(
        '- sync_identity: { integration: app, attributes: { user_name: a@example.com, shoe_size: 9 } }',
        '- sync_identity: { integration: app, attributes: { user_name: b@example.com, scim_extension_provisio_cost_code: X } }',
        '- sync_identity: { integration: app, attributes: { user_name: c@example.com, scim_extension_nowhere_thing: X } }',
        '- sync_identity: { integration: app, attributes: { user_name: d@example.com, created_at: "2020-01-01T00:00:00Z" } }',
        '- sync_identity: { integration: app, attributes: { user_name: e@example.com, scim_extension_provisio_clearance_level: high } }',
      )
      expect(plan.operations).toEqual([])
      expect(plan.problems.map((p) => [p.kind, p.identity])).toEqual([
        ['error', 'a@example.com'],
        ['error', 'b@example.com'],
        ['error', 'c@example.com'],
        ['error', 'd@example.com'],
        ['error', 'e@example.com'],
      ])
      const [unknown, readOnly, noSuch, meta, badType] = plan.problems.map((p) => p.message)
      expect(unknown).toMatch(/shoe_size: no such attribute in app's schema/)
      expect(readOnly).toMatch(/scim_extension_provisio_cost_code: read-only in app/)
      expect(noSuch).toMatch(/scim_extension_nowhere_thing: no such attribute/)
      expect(meta).toMatch(/created_at: read-only/)
      expect(badType).toMatch(/scim_extension_provisio_clearance_level: expected an integer, got "high"/)

      const plain = await open('errors-plain')
      await plain.extract()
      const refused = await plain.plan(
        '- sync_identity: { integration: app, attributes: { user_name: a@example.com, scim_extension_provisio_badge_color: red } }',
      )
      expect(refused.operations).toEqual([])
      expect(refused.problems[0]?.message).toMatch(
        /scim_extension_provisio_badge_color: custom extension attributes need "extensionSchemas: true"/,
      )
    },
  )

  it.skipIf(backend.skip !== undefined)(
    'a manager without an account is an error and the identity is left alone',
    async () => {
      const world = await open('no-manager')
      await world.extract()
      const plan = await world.plan(
        '- sync_identity: { integration: app, attributes: { user_name: ada@example.com, manager: nobody@example.com } }',
      )
      expect(plan.operations).toEqual([])
      expect(plan.problems[0]?.message).toMatch(/manager nobody@example.com has no account in app/)
    },
  )
})
