/**
 * The people of `npm run bench -- apply`: joiners (new accounts put in two of the pre-created
 * groups) and the HR view of the seeded sandbox population that the planning figure plans.
 */
import type { AttributeValues } from '../src/lcm/index.ts'

const DEPARTMENTS = 'Engineering Sales Marketing Finance Support People Legal Operations'.split(' ')
// As src/sandbox/seed.ts builds its users, so the planned identities match them.
const GIVEN =
  'Ada Ben Chloé Dmitri Emma Farid Grace Hiro Ines Jonas Kemi Lars Maya Noah Olga Pablo Quinn Rosa Sven Tara Uma Victor Wen Yusuf'.split(
    ' ',
  )
const FAMILY =
  'Andersen Brown Cohen Dubois Eriksen Fischer García Hoffmann Ivanova Jensen Kowalski Lindqvist Müller Nakamura Okafor Petrov Rossi Schmidt Tanaka Umarov Virtanen Weber Yilmaz Zhang Moreau Silva Kim Novak Ortiz'.split(
    ' ',
  )
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Analyst', 'Specialist', 'Director', 'Associate']

/** Joiner i's attributes, as an HR source would give them (normalized names). */
export function joinerAttributes(i: number): AttributeValues {
  return {
    user_name: `joiner${i}@example.com`,
    external_id: `J${i}`,
    display_name: `Joiner ${i}`,
    given_name: 'Joiner',
    family_name: `Number${i}`,
    email: `joiner${i}@example.com`,
    title: TITLES[i % TITLES.length],
    department: DEPARTMENTS[i % DEPARTMENTS.length],
    active: true,
  }
}

/** The POST /Users body a bare client sends for joiner i: what Provisio plans for the same attributes. */
export function joinerBody(i: number): Record<string, unknown> {
  return {
    schemas: [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ],
    userName: `joiner${i}@example.com`,
    externalId: `J${i}`,
    displayName: `Joiner ${i}`,
    name: { givenName: 'Joiner', familyName: `Number${i}` },
    title: TITLES[i % TITLES.length],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      department: DEPARTMENTS[i % DEPARTMENTS.length],
    },
    active: true,
    emails: [{ value: `joiner${i}@example.com`, type: 'work', primary: true }],
  }
}

/** The PATCH body adding one member to a group. */
export function addMemberBody(memberId: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'add', path: 'members', value: [{ value: memberId }] }],
  }
}

/** The two groups (1-based numbers) joiner i joins: every group ends with 2·joiners/groups members. */
export function joinerGroups(i: number, groups: number): [number, number] {
  const first = (i % groups) + 1
  const second = ((i + Math.floor(groups / 2)) % groups) + 1
  return [first, second]
}

/** The display name of seeded group g (`provisio sandbox --seed-groups`). */
export function groupName(g: number): string {
  return g <= DEPARTMENTS.length ? (DEPARTMENTS[g - 1] as string) : `Team ${g}`
}

/**
 * Identity n of the planning figure: seeded user n as HR knows it (src/sandbox/seed.ts), with
 * differences a daily sync meets. Every 10th has a new title; every 25th is inactive in the target
 * and active in HR (a reactivation); every 100th is a joiner without an account.
 */
export function planIdentityAttributes(n: number): AttributeValues {
  if (n % 100 === 0) return joinerAttributes(1_000_000 + n)
  const givenName = GIVEN[n % GIVEN.length] as string
  const familyName = FAMILY[(n * 7) % FAMILY.length] as string
  const userName = `user${n}@example.com`
  return {
    user_name: userName,
    external_id: `E${100000 + n}`,
    display_name: `${givenName} ${familyName}`,
    given_name: givenName,
    family_name: familyName,
    email: userName,
    title: n % 10 === 0 ? 'Principal Engineer' : TITLES[n % TITLES.length],
    department: DEPARTMENTS[n % DEPARTMENTS.length],
    employee_number: String(100000 + n),
    active: true,
    ...(n > 1 ? { manager: `user${Math.ceil(n / 10)}@example.com` } : {}),
  }
}
