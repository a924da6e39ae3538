import { describe, expect, it } from 'vitest'
import { ScimProtocolError } from '../../../src/scim/errors.ts'
import { applyPatchOperations } from '../../../src/scim/patch/patch-apply.ts'
import type { ResourceSchema } from '../../../src/scim/resource-schema.ts'
import type { AttributeDefinition, PatchOperation, ScimResource } from '../../../src/scim/resources.ts'

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

function attr(
  name: string,
  type: AttributeDefinition['type'],
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...extra,
  }
}

const complex = (
  name: string,
  subAttributes: AttributeDefinition[],
  extra: Partial<AttributeDefinition> = {},
) => attr(name, 'complex', { subAttributes, ...extra })

const USER: ResourceSchema = {
  name: 'User',
  endpoint: '/Users',
  core: {
    id: CORE_USER,
    attributes: [
      attr('userName', 'string', { required: true, uniqueness: 'server' }),
      complex('name', [
        attr('formatted', 'string'),
        attr('familyName', 'string'),
        attr('givenName', 'string'),
      ]),
      attr('displayName', 'string'),
      attr('nickName', 'string'),
      attr('active', 'boolean'),
      attr('nationalId', 'string', { mutability: 'immutable', caseExact: true }),
      complex(
        'emails',
        [
          attr('value', 'string', { required: true }),
          attr('type', 'string'),
          attr('primary', 'boolean'),
          attr('display', 'string'),
        ],
        { multiValued: true },
      ),
      complex(
        'addresses',
        [
          attr('formatted', 'string'),
          attr('streetAddress', 'string'),
          attr('locality', 'string'),
          attr('region', 'string'),
          attr('postalCode', 'string'),
          attr('country', 'string'),
          attr('type', 'string'),
          attr('primary', 'boolean'),
        ],
        { multiValued: true },
      ),
      complex('groups', [attr('value', 'string'), attr('display', 'string')], {
        multiValued: true,
        mutability: 'readOnly',
      }),
    ],
  },
  extensions: [
    {
      id: ENTERPRISE,
      attributes: [
        attr('employeeNumber', 'string'),
        attr('department', 'string'),
        complex('manager', [
          attr('value', 'string'),
          attr('$ref', 'reference'),
          attr('displayName', 'string', { mutability: 'readOnly' }),
        ]),
      ],
    },
  ],
}

const GROUP: ResourceSchema = {
  name: 'Group',
  endpoint: '/Groups',
  core: {
    id: CORE_GROUP,
    attributes: [
      attr('displayName', 'string', { required: true }),
      complex(
        'members',
        [
          attr('value', 'string', { mutability: 'immutable', caseExact: true }),
          attr('$ref', 'reference', { mutability: 'immutable' }),
          attr('display', 'string'),
          attr('type', 'string', { mutability: 'immutable' }),
        ],
        { multiValued: true },
      ),
    ],
  },
  extensions: [],
}

const BABS = '2819c223-7f76-453a-919d-413861904646'
const JAMES = '08e1d05d-121c-4561-8b96-473d93df9210'
const member = (id: string, display: string) => ({
  display,
  $ref: `https://example.com/v2/Users/${id}`,
  value: id,
})

const HOME_ADDRESS = { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood' }

function user(extra: Record<string, unknown> = {}): ScimResource {
  return {
    schemas: [CORE_USER],
    id: BABS,
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    nickName: 'Barb',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', postalCode: '91608' },
      HOME_ADDRESS,
    ],
    groups: [{ value: 'g1', display: 'Tour Guides' }],
    meta: { resourceType: 'User' },
    ...extra,
  }
}

function group(members: unknown[] = [member(BABS, 'Babs Jensen')]): ScimResource {
  return { schemas: [CORE_GROUP], id: 'acbf3ae7', displayName: 'Tour Guides', members }
}

const patchUser = (resource: ScimResource, ...ops: PatchOperation[]) =>
  applyPatchOperations(resource, ops, USER)
const patchGroup = (resource: ScimResource, ...ops: PatchOperation[]) =>
  applyPatchOperations(resource, ops, GROUP)
// Real clients send capitalised ops; the wire type only knows the lower-case ones.
const op = (o: Record<string, unknown>) => o as unknown as PatchOperation

/** The ScimProtocolError a call throws. */
function failure(run: () => unknown): ScimProtocolError {
  try {
    run()
  } catch (error) {
    if (error instanceof ScimProtocolError) return error
    throw error
  }
  throw new Error('expected a ScimProtocolError, nothing was thrown')
}

describe('RFC 7644 §3.5.2.1 add', () => {
  it('adds a member to a group, keeping the existing members', () => {
    const out = patchGroup(group(), { op: 'add', path: 'members', value: [member(JAMES, 'James Smith')] })
    expect(out.members).toEqual([member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith')])
  })

  it('adds path-less emails and nickname: email appended, nickname replaced', () => {
    const out = patchUser(user(), {
      op: 'add',
      value: { emails: [{ value: 'babs@jensen.com', type: 'home' }], nickname: 'Babs' },
    })
    expect(out.nickName).toBe('Babs')
    expect(out).not.toHaveProperty('nickname')
    expect(out.emails).toEqual([...(user().emails as unknown[]), { value: 'babs@jensen.com', type: 'home' }])
  })

  it('replaces a single-valued attribute', () => {
    expect(patchUser(user(), { op: 'add', path: 'displayName', value: 'Babs' }).displayName).toBe('Babs')
  })

  it('merges sub-attributes into a complex attribute', () => {
    const out = patchUser(user(), {
      op: 'add',
      path: 'name',
      value: { givenName: 'Babs', formatted: 'Babs J' },
    })
    expect(out.name).toEqual({ givenName: 'Babs', familyName: 'Jensen', formatted: 'Babs J' })
  })

  it('takes a single object added to a multi-valued attribute as one value', () => {
    const out = patchGroup(group(), { op: 'add', path: 'members', value: { value: JAMES } })
    expect(out.members).toEqual([member(BABS, 'Babs Jensen'), { value: JAMES }])
  })

  it('does not duplicate a member that is already there', () => {
    const out = patchGroup(group(), { op: 'add', path: 'members', value: [{ value: BABS }, { value: BABS }] })
    expect(out.members).toEqual([member(BABS, 'Babs Jensen')])
  })

  it('adds through an eq filter that matches nothing by adding the value it describes', () => {
    const out = patchUser(user({ emails: [{ value: 'babs@jensen.org', type: 'home' }] }), {
      op: 'add',
      path: 'emails[type eq "work"].value',
      value: 'bjensen@example.com',
    })
    expect(out.emails).toEqual([
      { value: 'babs@jensen.org', type: 'home' },
      { type: 'work', value: 'bjensen@example.com' },
    ])
  })

  it('sets the sub-attribute of the values an add filter matches', () => {
    const out = patchUser(user(), { op: 'add', path: 'emails[type eq "home"].display', value: 'Home' })
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home', display: 'Home' },
    ])
  })

  it('answers noTarget to an add whose filter matches nothing and describes no value', () => {
    const error = failure(() =>
      patchUser(user(), { op: 'add', path: 'emails[value co "nowhere"].type', value: 'other' }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'noTarget'])
  })
})

describe('RFC 7644 §3.5.2.2 remove', () => {
  it('removes a single member', () => {
    const out = patchGroup(group([member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith')]), {
      op: 'remove',
      path: `members[value eq "${BABS}"]`,
    })
    expect(out.members).toEqual([member(JAMES, 'James Smith')])
  })

  it('removes all members', () => {
    const out = patchGroup(group([member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith')]), {
      op: 'remove',
      path: 'members',
    })
    expect(out).not.toHaveProperty('members')
  })

  it('removes the last member by filter, leaving the attribute unassigned', () => {
    const out = patchGroup(group(), { op: 'remove', path: `members[value eq "${BABS}"]` })
    expect(out).not.toHaveProperty('members')
  })

  it('removes the values an `and` filter matches', () => {
    const out = patchUser(
      user({
        emails: [
          { value: 'bjensen@example.com', type: 'work' },
          { value: 'bjensen@other.org', type: 'work' },
          { value: 'babs@example.com', type: 'home' },
        ],
      }),
      { op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' },
    )
    expect(out.emails).toEqual([
      { value: 'bjensen@other.org', type: 'work' },
      { value: 'babs@example.com', type: 'home' },
    ])
  })

  it('removes then adds in one request', () => {
    const out = patchGroup(
      group(),
      { op: 'remove', path: `members[value eq"${BABS}"]` },
      { op: 'add', path: 'members', value: [member(JAMES, 'James Smith')] },
    )
    expect(out.members).toEqual([member(JAMES, 'James Smith')])
  })

  it('removes a sub-attribute of the matched values', () => {
    const out = patchUser(user(), { op: 'remove', path: 'emails[type eq "work"].primary' })
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ])
  })

  it('removes a sub-attribute of a complex attribute, then the emptied attribute', () => {
    const once = patchUser(user(), { op: 'remove', path: 'name.givenName' })
    expect(once.name).toEqual({ familyName: 'Jensen' })
    const twice = patchUser(once, { op: 'remove', path: 'name.familyName' })
    expect(twice).not.toHaveProperty('name')
  })

  it('removes only the listed members with Entra ID’s `Remove` + value list', () => {
    const out = patchGroup(
      group([member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith'), { value: 'c3' }]),
      op({
        op: 'Remove',
        path: 'members',
        value: [{ value: BABS }, { value: 'not-a-member' }, { value: 'c3' }],
      }),
    )
    expect(out.members).toEqual([member(JAMES, 'James Smith')])
  })

  it('answers noTarget to a remove without path', () => {
    const error = failure(() => patchUser(user(), op({ op: 'remove' })))
    expect([error.status, error.scimType]).toEqual([400, 'noTarget'])
  })

  it('answers noTarget to a remove whose filter matches nothing', () => {
    const error = failure(() => patchGroup(group(), { op: 'remove', path: 'members[value eq "nobody"]' }))
    expect([error.status, error.scimType]).toEqual([400, 'noTarget'])
  })

  it('drops the extension and its URN from schemas when its last attribute goes', () => {
    const out = patchUser(
      user({ schemas: [CORE_USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '701984' } }),
      {
        op: 'remove',
        path: `${ENTERPRISE}:employeeNumber`,
      },
    )
    expect(out.schemas).toEqual([CORE_USER])
    expect(out).not.toHaveProperty(ENTERPRISE)
  })

  it('removes a whole extension when the path is its URN', () => {
    const out = patchUser(
      user({ schemas: [CORE_USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '1', department: 'Tours' } }),
      { op: 'remove', path: ENTERPRISE },
    )
    expect(out.schemas).toEqual([CORE_USER])
    expect(out).not.toHaveProperty(ENTERPRISE)
  })
})

describe('RFC 7644 §3.5.2.3 replace', () => {
  it('replaces all members', () => {
    const members = [member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith')]
    const out = patchGroup(group([{ value: 'old' }]), { op: 'replace', path: 'members', value: members })
    expect(out.members).toEqual(members)
  })

  it('replaces the work address', () => {
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    }
    const out = patchUser(user(), { op: 'replace', path: 'addresses[type eq "work"]', value: work })
    expect(out.addresses).toEqual([work, HOME_ADDRESS])
  })

  it('replaces the street address of the work address', () => {
    const out = patchUser(user(), {
      op: 'replace',
      path: 'addresses[type eq "work"].streetAddress',
      value: '1010 Broadway Ave',
    })
    expect(out.addresses).toEqual([
      { type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood', postalCode: '91608' },
      HOME_ADDRESS,
    ])
  })

  it('replaces path-less: all emails and the nickname', () => {
    const emails = [{ value: 'bjensen@example.com', type: 'work', primary: true }]
    const out = patchUser(user(), { op: 'replace', value: { emails, nickname: 'Babs' } })
    expect(out.emails).toEqual(emails)
    expect(out.nickName).toBe('Babs')
  })

  it('merges an object into a complex attribute, leaving unnamed sub-attributes', () => {
    const out = patchUser(user(), { op: 'replace', path: 'name', value: { givenName: 'Babs' } })
    expect(out.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' })
  })

  it('merges the given sub-attributes into the values a filter matches', () => {
    const out = patchUser(user(), {
      op: 'replace',
      path: 'emails[type eq "work"]',
      value: { value: 'b@example.com' },
    })
    expect(out.emails).toEqual([
      { value: 'b@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ])
  })

  it('unassigns an attribute replaced with null', () => {
    expect(patchUser(user(), { op: 'replace', path: 'nickName', value: null })).not.toHaveProperty('nickName')
  })

  it('answers noTarget when the filter matches nothing', () => {
    const error = failure(() =>
      patchUser(user(), { op: 'replace', path: 'emails[type eq "other"].value', value: 'x@example.com' }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'noTarget'])
  })
})

describe('what real clients send', () => {
  it('matches capitalised ops case-insensitively', () => {
    const out = patchGroup(
      group(),
      op({ op: 'Add', path: 'members', value: [{ value: JAMES }] }),
      op({ op: 'REMOVE', path: `members[value eq "${BABS}"]` }),
      op({ op: 'Replace', path: 'displayName', value: 'Guides' }),
    )
    expect(out.members).toEqual([{ value: JAMES }])
    expect(out.displayName).toBe('Guides')
  })

  it('refuses an unknown op with invalidSyntax', () => {
    const error = failure(() => patchUser(user(), op({ op: 'merge', path: 'nickName', value: 'x' })))
    expect([error.status, error.scimType]).toEqual([400, 'invalidSyntax'])
  })

  it('takes Entra ID’s path-less replace with dotted and URN-qualified keys', () => {
    const out = patchUser(
      user(),
      op({
        op: 'Replace',
        value: {
          'name.givenName': 'Babs',
          [`${ENTERPRISE}:employeeNumber`]: '701984',
          [`${ENTERPRISE}:manager.value`]: JAMES,
        },
      }),
    )
    expect(out.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' })
    expect(out[ENTERPRISE]).toEqual({ employeeNumber: '701984', manager: { value: JAMES } })
    expect(out.schemas).toEqual([CORE_USER, ENTERPRISE])
  })

  it('takes a path-less add with an extension URN mapping to an object', () => {
    const out = patchUser(user(), {
      op: 'add',
      value: { [ENTERPRISE]: { employeeNumber: '701984', manager: { value: JAMES } } },
    })
    expect(out[ENTERPRISE]).toEqual({ employeeNumber: '701984', manager: { value: JAMES } })
    expect(out.schemas).toEqual([CORE_USER, ENTERPRISE])
  })

  it('ignores the `schemas` a client echoes in a path-less value', () => {
    const out = patchUser(user(), {
      op: 'replace',
      value: { schemas: ['urn:example:bogus'], nickName: 'Babs' },
    })
    expect(out.schemas).toEqual([CORE_USER])
    expect(out.nickName).toBe('Babs')
  })

  it('deactivates with Okta’s `{op: replace, value: {active: false}}`', () => {
    expect(patchUser(user(), { op: 'replace', value: { active: false } }).active).toBe(false)
  })

  it('matches attribute names in paths case-insensitively and stores the schema’s spelling', () => {
    const out = patchUser(user(), { op: 'replace', path: 'NAME.GIVENNAME', value: 'Babs' })
    expect(out.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' })
  })
})

describe('primary', () => {
  it('clears the other primary when an added value is primary', () => {
    const out = patchUser(user(), {
      op: 'add',
      path: 'emails',
      value: { value: 'b@j.org', type: 'other', primary: true },
    })
    expect((out.emails as Array<Record<string, unknown>>).filter((e) => e.primary === true)).toEqual([
      { value: 'b@j.org', type: 'other', primary: true },
    ])
  })

  it('clears the other primary when a filtered value is made primary', () => {
    const out = patchUser(user(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true })
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ])
  })

  it('refuses two primary values with invalidValue', () => {
    const error = failure(() =>
      patchUser(user(), {
        op: 'replace',
        path: 'emails',
        value: [
          { value: 'a@example.com', primary: true },
          { value: 'b@example.com', primary: true },
        ],
      }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue'])
  })
})

describe('mutability', () => {
  it('refuses to change a readOnly attribute', () => {
    const error = failure(() => patchUser(user(), { op: 'add', path: 'groups', value: [{ value: 'g2' }] }))
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
    expect(error.message).toContain('groups')
  })

  it('refuses `id` in a path-less replace', () => {
    const error = failure(() => patchUser(user(), { op: 'replace', value: { id: 'other', nickName: 'x' } }))
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
  })

  it('refuses to remove meta', () => {
    expect(failure(() => patchUser(user(), { op: 'remove', path: 'meta' })).scimType).toBe('mutability')
  })

  it('sets an unassigned immutable attribute', () => {
    expect(patchUser(user(), { op: 'add', path: 'nationalId', value: 'N1' }).nationalId).toBe('N1')
  })

  it('refuses to change an immutable attribute that has a value', () => {
    const error = failure(() =>
      patchUser(user({ nationalId: 'N1' }), { op: 'replace', path: 'nationalId', value: 'N2' }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
  })

  it('accepts an immutable attribute set to the value it already has', () => {
    const out = patchUser(user({ nationalId: 'N1' }), { op: 'replace', path: 'nationalId', value: 'N1' })
    expect(out.nationalId).toBe('N1')
  })

  it('refuses to change the immutable value of a member', () => {
    const error = failure(() =>
      patchGroup(group(), { op: 'replace', path: `members[value eq "${BABS}"].value`, value: JAMES }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
  })

  it('refuses to remove a required sub-attribute', () => {
    const error = failure(() => patchUser(user(), { op: 'remove', path: 'emails[type eq "work"].value' }))
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
  })

  it('refuses to remove a required attribute', () => {
    const error = failure(() => patchUser(user(), { op: 'remove', path: 'userName' }))
    expect([error.status, error.scimType]).toEqual([400, 'mutability'])
    expect(error.message).toContain('userName')
  })
})

describe('invalid paths and values', () => {
  it('answers invalidPath for an unknown attribute', () => {
    const error = failure(() => patchUser(user(), { op: 'replace', path: 'shoeSize', value: 42 }))
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath'])
  })

  it('answers invalidPath for an unknown sub-attribute', () => {
    expect(failure(() => patchUser(user(), { op: 'replace', path: 'name.nick', value: 'x' })).scimType).toBe(
      'invalidPath',
    )
  })

  it('answers invalidPath for an unknown key in a path-less value', () => {
    expect(failure(() => patchUser(user(), { op: 'add', value: { shoeSize: 42 } })).scimType).toBe(
      'invalidPath',
    )
  })

  it('answers invalidPath for a filter on a single-valued attribute', () => {
    expect(
      failure(() => patchUser(user(), { op: 'replace', path: 'name[givenName eq "x"]', value: {} })).scimType,
    ).toBe('invalidPath')
  })

  it('answers invalidPath for a filter naming an unknown sub-attribute', () => {
    expect(failure(() => patchUser(user(), { op: 'remove', path: 'emails[kind eq "work"]' })).scimType).toBe(
      'invalidPath',
    )
  })

  it('answers invalidPath, with the position, for a malformed path', () => {
    const error = failure(() => patchUser(user(), { op: 'replace', path: 'name..givenName', value: 'x' }))
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath'])
    expect(error.message).toMatch(/position \d+/)
  })

  it('answers invalidValue naming the attribute for "False" given to a boolean', () => {
    const error = failure(() => patchUser(user(), op({ op: 'Replace', path: 'active', value: 'False' })))
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue'])
    expect(error.message).toContain('"active"')
  })

  it('answers invalidValue for an object given to a string attribute', () => {
    const error = failure(() =>
      patchUser(user(), { op: 'replace', value: { displayName: { text: 'Babs' } } }),
    )
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue'])
    expect(error.message).toContain('displayName')
  })

  it('answers invalidValue for a string given to a complex attribute', () => {
    expect(failure(() => patchUser(user(), { op: 'replace', path: 'name', value: 'Babs' })).scimType).toBe(
      'invalidValue',
    )
  })

  it('answers invalidValue for an add without value', () => {
    expect(failure(() => patchUser(user(), { op: 'add', path: 'nickName' })).scimType).toBe('invalidValue')
  })
})

describe('atomicity', () => {
  it('applies nothing when a later operation fails, and names that operation', () => {
    const original = group([member(BABS, 'Babs Jensen'), member(JAMES, 'James Smith')])
    const before = structuredClone(original)
    const error = failure(() =>
      patchGroup(
        original,
        { op: 'remove', path: `members[value eq "${BABS}"]` },
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'remove', path: 'members[value eq "nobody"]' },
      ),
    )
    expect(error.message).toMatch(/^operation 3 \(remove members\[value eq "nobody"\]\)/)
    expect(original).toEqual(before)
  })

  it('returns a new resource and leaves the input untouched', () => {
    const original = user()
    const before = structuredClone(original)
    const out = patchUser(original, { op: 'add', path: 'emails', value: { value: 'new@example.com' } })
    expect(out).not.toBe(original)
    expect(original).toEqual(before)
  })
})

describe('performance', () => {
  it('adds and removes members of a 10,000-member group in linear time', () => {
    const members = Array.from({ length: 10_000 }, (_, i) => ({ value: `user-${i}` }))
    const fresh = Array.from({ length: 10_000 }, (_, i) => ({ value: `new-${i}` }))
    const started = performance.now()
    const out = patchGroup(
      group(members),
      { op: 'add', path: 'members', value: [...members, ...fresh] },
      op({ op: 'Remove', path: 'members', value: members.slice(0, 5_000) }),
      { op: 'remove', path: 'members[value eq "user-9999"]' },
    )
    const elapsed = performance.now() - started
    expect(out.members).toHaveLength(14_999)
    expect(elapsed).toBeLessThan(1_000)
  })
})
