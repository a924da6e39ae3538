/**
 * `provisio demo`: starts a sandbox and walks one account through its life over real SCIM
 * (create, update, group membership, deactivation), printing each step.
 */
import { randomBytes } from 'node:crypto'
import type { Command } from 'commander'
import { startSandbox } from '../../sandbox/index.ts'
import { PatchBuilder, SCHEMA, ScimClient, type ScimUser, valuePath, where } from '../../scim/index.ts'
import { untilSignal } from '../signals.ts'

interface DemoStep {
  step: string
  detail: Record<string, unknown>
}

/** Adds the `demo` command. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the main job against a local sandbox and print what happened')
    .option('--no-serve', 'exit after the summary instead of keeping the sandbox running')
    .action(async (options: { serve: boolean }) => {
      const json = program.opts<{ json?: boolean }>().json === true
      const token = process.env.PROVISIO_SANDBOX_TOKEN ?? randomBytes(24).toString('base64url')
      const sandbox = await startSandbox({ port: 0, token })
      const client = new ScimClient({ baseUrl: sandbox.url, auth: { bearer: token }, integration: 'sandbox' })
      try {
        const steps = await lifecycleRoundTrip(client, (step) => {
          if (!json) printStep(step)
        })
        if (json) process.stdout.write(`${JSON.stringify({ sandbox: sandbox.url, steps })}\n`)
        if (options.serve) {
          process.stderr.write(
            `\nThe sandbox keeps serving at ${sandbox.url} until Ctrl-C; its bearer token is ` +
              'generated unless PROVISIO_SANDBOX_TOKEN chooses one.\n',
          )
          await untilSignal()
        }
      } finally {
        await client.close()
        await sandbox.close()
      }
    })
}

/** Creates, updates, groups and deactivates one account; reports each step. */
export async function lifecycleRoundTrip(
  client: ScimClient,
  report: (step: DemoStep) => void,
): Promise<DemoStep[]> {
  const steps: DemoStep[] = []
  const record = (step: string, detail: Record<string, unknown>) => {
    const entry = { step, detail }
    steps.push(entry)
    report(entry)
  }

  const discovery = await client.discover()
  record('discover', {
    patch: client.capabilities.patch,
    bulk: client.capabilities.bulk.supported,
    etag: client.capabilities.etag,
    resourceTypes: discovery.resourceTypes?.map((type) => type.name) ?? [],
    schemas: discovery.schemas?.length ?? 0,
  })

  const created = await client.users.create({
    schemas: [SCHEMA.user, SCHEMA.enterpriseUser],
    userName: 'ada.lovelace@example.com',
    externalId: 'E1001',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    title: 'Engineer',
    active: true,
    emails: [{ value: 'ada.lovelace@example.com', type: 'work', primary: true }],
    [SCHEMA.enterpriseUser]: { department: 'Research', employeeNumber: '1001' },
  } satisfies ScimUser)
  const id = created.id ?? ''
  record('create user', { id, userName: created.userName, version: created.meta?.version })

  const [found] = await client.users.find(where.eq('userName', 'ADA.LOVELACE@example.com'))
  record('find by userName (case-insensitive)', { id: found?.id, matches: found?.id === id })

  const promoted = await client.users.patch(
    id,
    new PatchBuilder()
      .replace('title', 'Principal Engineer')
      .add('phoneNumbers', [{ value: '+44 20 7946 0001', type: 'work' }])
      .replace(valuePath('emails', where.eq('type', 'work'), 'value'), 'ada@example.com')
      .build(),
  )
  record('update title, phone, work email', {
    title: promoted?.title,
    email: promoted?.emails?.[0]?.value,
    phones: promoted?.phoneNumbers?.length ?? 0,
  })

  const group = await client.groups.create({
    schemas: [SCHEMA.group],
    displayName: 'engineering',
    members: [],
  })
  await client.addGroupMembers(group.id ?? '', [id])
  const withMember = await client.groups.get(group.id ?? '')
  record('create group and add member', {
    group: withMember.displayName,
    members: withMember.members?.map((member) => member.display ?? member.value) ?? [],
  })

  await client.removeGroupMembers(group.id ?? '', [id])
  const deactivated = await client.users.patch(id, new PatchBuilder().replace('active', false).build())
  const after = await client.groups.get(group.id ?? '')
  record('deactivate (active=false, memberships removed)', {
    active: deactivated?.active,
    groupMembers: after.members?.length ?? 0,
    accountKept: (await client.users.get(id)).id === id,
  })
  return steps
}

function printStep(step: DemoStep): void {
  const facts = Object.entries(step.detail)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('  ')
  process.stdout.write(`✔ ${step.step.padEnd(48)} ${facts}\n`)
}
