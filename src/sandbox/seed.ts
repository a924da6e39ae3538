/**
 * Deterministic test population: user n is always `user{n}@example.com` with the same name,
 * department and manager, and ids are derived from n, so benchmarks and tests can address seeded
 * resources without listing them first. Inserted straight into the store (no per-user validation
 * or change notification) so 100,000 users take a fraction of a second.
 */
import type { MultiValue, ScimResource } from '../scim/resources.ts'
import { SCHEMA } from '../scim/schemas.ts'
import type { ResourceStore } from './resource-store.ts'
import { PROVISIO_USER_EXTENSION } from './schema-definitions.ts'

const GIVEN =
  'Ada Ben Chloé Dmitri Emma Farid Grace Hiro Ines Jonas Kemi Lars Maya Noah Olga Pablo Quinn Rosa Sven Tara Uma Victor Wen Yusuf'.split(
    ' ',
  )
const FAMILY =
  'Andersen Brown Cohen Dubois Eriksen Fischer García Hoffmann Ivanova Jensen Kowalski Lindqvist Müller Nakamura Okafor Petrov Rossi Schmidt Tanaka Umarov Virtanen Weber Yilmaz Zhang Moreau Silva Kim Novak Ortiz'.split(
    ' ',
  )
const DEPARTMENTS = 'Engineering Sales Marketing Finance Support People Legal Operations'.split(' ')
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Analyst', 'Specialist', 'Director', 'Associate']
const COLORS = ['red', 'green', 'blue', 'yellow']

/** The id seeding gives user n: a fixed, valid version-4-shaped UUID. */
export function seededUserId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/** The id seeding gives group n. */
export function seededGroupId(n: number): string {
  return `00000000-0000-4000-9000-${n.toString(16).padStart(12, '0')}`
}

/** The attributes of seeded user n (1-based), as a client would POST them. */
export function seededUser(n: number): ScimResource {
  const { id: _id, ...user } = buildUser(n, '')
  return { ...user, schemas: [...USER_SCHEMAS] }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

// Stored resources are never mutated (changes replace them), so seeded users can share the values
// that repeat: 100,000 users are mostly allocation and garbage-collection work.
const USER_SCHEMAS = [SCHEMA.user, SCHEMA.enterpriseUser, PROVISIO_USER_EXTENSION]
const COST_CENTERS = DEPARTMENTS.map((_, i) => `CC-${i + 100}`)
const SKILLS = DEPARTMENTS.map((d) => ['scim', d.toLowerCase()])
const COST_CODES = Array.from({ length: 97 }, (_, i) => `K${String(i).padStart(3, '0')}`)

function buildUser(n: number, id: string): ScimResource {
  const givenName = GIVEN[n % GIVEN.length]!
  const familyName = FAMILY[(n * 7) % FAMILY.length]!
  const fullName = `${givenName} ${familyName}`
  const userName = `user${n}@example.com`
  const employeeNumber = String(100000 + n)
  const enterprise: Record<string, unknown> = {
    employeeNumber,
    costCenter: COST_CENTERS[n % DEPARTMENTS.length],
    organization: 'Example Corp',
    department: DEPARTMENTS[n % DEPARTMENTS.length],
  }
  // A management tree: every user but the first reports to user ⌈n/10⌉.
  if (n > 1) enterprise.manager = { value: seededUserId(Math.ceil(n / 10)) }
  // Literal keys (not computed from the constants) keep object creation on V8's fast path.
  return {
    schemas: USER_SCHEMAS,
    id,
    externalId: `E${employeeNumber}`,
    userName,
    name: { formatted: fullName, familyName, givenName },
    displayName: fullName,
    title: TITLES[n % TITLES.length],
    userType: n % 20 === 0 ? 'Contractor' : 'Employee',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'Europe/Berlin',
    active: n % 25 !== 0,
    emails: [{ value: userName, type: 'work', primary: true }],
    phoneNumbers: [{ value: `+1-555-${String(n % 10000).padStart(4, '0')}`, type: 'work' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': enterprise,
    'urn:ietf:params:scim:schemas:extension:provisio:2.0:User': {
      badgeColor: COLORS[n % COLORS.length],
      clearanceLevel: n % 6,
      remote: n % 3 === 0,
      startDate: `${2015 + (n % 10)}-${pad2((n % 12) + 1)}-${pad2((n % 28) + 1)}T00:00:00Z`,
      skills: SKILLS[(n + 3) % DEPARTMENTS.length],
      costCode: COST_CODES[n % 97],
      badgeId: `B-${n}`,
    },
  }
}

/** Inserts users 1..count (skipping ones already present); returns how many were added. */
export function seedUsers(store: ResourceStore, count: number): number {
  const created = new Date().toISOString()
  // Into an empty store nothing can collide, and skipping 200,000 index probes matters here.
  const check = store.users.size > 0
  let added = 0
  for (let n = 1; n <= count; n++) {
    const id = seededUserId(n)
    const user = buildUser(n, id)
    if (check && (store.users.findByUnique(String(user.userName)) || store.users.get(id))) continue
    store.users.insert(user, { id, created })
    added++
  }
  return added
}

/**
 * Inserts groups 1..count: the first ones are named after departments and hold that department's
 * users; the rest (`Team {g}`) hold every user whose number is ≡ g modulo `count`. With
 * `teamsPerUser` above 1, each user also joins that many further teams, spread evenly.
 */
export function seedGroups(store: ResourceStore, count: number, userCount: number, teamsPerUser = 1): number {
  if (count <= 0) return 0
  const members: MultiValue[][] = Array.from({ length: count + 1 }, () => [])
  for (let n = 1; n <= userCount; n++) {
    const id = seededUserId(n)
    if (!store.users.get(id)) continue
    const department = (n % DEPARTMENTS.length) + 1
    if (department <= count) members[department]!.push({ value: id, type: 'User' })
    const joined = new Set<number>()
    for (let t = 0; t < teamsPerUser; t++) {
      const slot = (n + t * Math.floor(count / teamsPerUser)) % count
      const team = slot === 0 ? count : slot
      if (team > DEPARTMENTS.length && !joined.has(team)) {
        joined.add(team)
        members[team]!.push({ value: id, type: 'User' })
      }
    }
  }
  const created = new Date().toISOString()
  let added = 0
  for (let g = 1; g <= count; g++) {
    const displayName = g <= DEPARTMENTS.length ? DEPARTMENTS[g - 1]! : `Team ${g}`
    if (store.groups.findByUnique(displayName) || store.groups.get(seededGroupId(g))) continue
    const list = members[g]!
    const group: ScimResource = {
      schemas: [SCHEMA.group],
      externalId: `G${g}`,
      displayName,
      ...(list.length > 0 ? { members: list } : {}),
    }
    store.create('Group', group, { id: seededGroupId(g), created })
    added++
  }
  return added
}
