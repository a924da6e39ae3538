/**
 * The HR files and configuration of the policy benchmark. Row n describes the person the sandbox
 * seeds as user n (same names, email, department, title, external id), so the graph the sandbox's
 * extraction gives is what a joiner policy would have made of the first file.
 */
import { randomBytes } from 'node:crypto'
import { seededUser } from '../src/sandbox/seed.ts'

export const HEADER =
  'employee_id,first_name,last_name,email,department,title,cost_center,manager_id,start_date,status'

const DEPARTMENTS = 'Engineering Sales Marketing Finance Support People Legal Operations'.split(' ')

/** Employee id of person n: the external id the sandbox gives user n. */
export function employeeId(n: number): string {
  return `E${100000 + n}`
}

/** Seeded users n ≡ 0 (mod 25) are inactive: in the HR files they are former staff. */
export function isFormer(n: number): boolean {
  return n % 25 === 0
}

/** 1% movers: a third change title only, the rest department (half of those title too). */
export function moverKind(n: number): 'title' | 'department' | 'both' | undefined {
  if (n % 100 !== 7) return undefined
  if (n % 300 === 7) return 'title'
  return n % 200 === 7 ? 'both' : 'department'
}

/** 0.5% leavers: half gone from the second file, half still there with status terminated. */
export function leaverKind(n: number): 'absent' | 'terminated' | undefined {
  if (n % 200 !== 13) return undefined
  return n % 400 === 13 ? 'absent' : 'terminated'
}

/** The CSV text of the first file (`second`: false) or of the second, with movers and leavers. */
export function hrFile(count: number, second: boolean): string {
  const lines: string[] = [HEADER]
  for (let n = 1; n <= count; n++) {
    const user = seededUser(n) as unknown as Record<string, unknown> & {
      name: { givenName: string; familyName: string }
      userName: string
      title: string
    }
    const enterprise = user['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as {
      department: string
      costCenter: string
    }
    const provisio = user['urn:ietf:params:scim:schemas:extension:provisio:2.0:User'] as { startDate: string }
    let { department } = enterprise
    let title = user.title
    let status = isFormer(n) ? 'terminated' : 'active'
    if (second) {
      const move = moverKind(n)
      if (move === 'department' || move === 'both')
        department = DEPARTMENTS[(DEPARTMENTS.indexOf(department) + 1) % DEPARTMENTS.length] as string
      if (move === 'title' || move === 'both') title = `Lead ${title}`
      const leave = leaverKind(n)
      if (leave === 'absent') continue
      if (leave === 'terminated') status = 'terminated'
    }
    lines.push(
      [
        employeeId(n),
        user.name.givenName,
        user.name.familyName,
        user.userName,
        department,
        title,
        enterprise.costCenter,
        n > 1 ? employeeId(Math.ceil(n / 10)) : '',
        provisio.startDate.slice(0, 10),
        status,
      ].join(','),
    )
  }
  return `${lines.join('\n')}\n`
}

/** The configuration: one sandbox integration, the HR source, a joiner/mover/leaver policy. */
export function configText(url: string, token: string, database: string): string {
  return [
    `database: 'sqlite:${database}'`,
    // A fresh key per run: the integration's token is encrypted at rest with it.
    `secretKey: ${randomBytes(32).toString('hex')}`,
    'integrations:',
    '  app:',
    `    url: ${url}`,
    `    auth: { bearer: ${token} }`,
    '    lifecycleManagement: true',
    'sources:',
    '  hr: { kind: csv, path: ./hr.csv, key: employee_id, leaver: \'status eq "terminated"\' }',
    'policies:',
    '  - name: staff',
    '    source: hr',
    '    workflows:',
    '      - on: joiner',
    '        actions:',
    '          - sync_identity:',
    '              integration: app',
    '              attributes:',
    '                user_name: ["{email | lower}", "{first_name | lower}.{last_name | lower}@example.com"]',
    '                external_id: "{employee_id}"',
    '                display_name: "{first_name} {last_name}"',
    '                given_name: "{first_name}"',
    '                family_name: "{last_name}"',
    '                email: "{email | lower}"',
    '                title: "{title}"',
    '                department: "{department}"',
    '          - manage_relationships: { integration: app, groups: ["{department}"] }',
    '      - on: mover',
    '        watch: [department, title]',
    '        actions:',
    '          - sync_identity: { integration: app, attributes: { title: "{title}", department: "{department}" } }',
    '          - manage_relationships: { integration: app, groups: ["{department}"] }',
    '      - on: leaver',
    '        actions:',
    '          - deprovision_identity: { integration: app }',
  ].join('\n')
}
