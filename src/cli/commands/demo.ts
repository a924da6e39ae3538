/**
 * `provisio demo`: the main job on the embedded default. Two sandboxes stand in for Atlassian and
 * Zapier; examples/hr.csv (about 200 people) is the HR system. The demo extracts both apps, applies
 * the joiners through the policy of examples/demo.yaml, then a second HR file with movers and
 * leavers, and prints what happened in each application.
 */
import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { loadConfig, type ProvisioConfig } from '../../config/index.ts'
import { recordIntegrations } from '../../extract/integration-records.ts'
import { LifecycleEngine } from '../../lcm/index.ts'
import { runOperations } from '../../lcm/run-records.ts'
import { type PolicyOutcome, runPolicy } from '../../policy/policy-runner.ts'
import { type Sandbox, startSandbox } from '../../sandbox/index.ts'
import { createSecretBox, openDatabase, type Store } from '../../store/index.ts'
import { processHolder } from '../lifecycle-context.ts'
import { untilSignal } from '../signals.ts'
import { extractOne } from './extract.ts'

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))
const APPS = ['jira', 'zapier'] as const

/** What one step did in one application. */
export interface AppSummary {
  created: number
  updated: number
  deactivated: number
  membershipsAdded: number
  membershipsRemoved: number
  groupsCreated: number
  failed: number
}

interface StepReport {
  step: string
  events: Record<string, number>
  runId: string | null
  status: string
  apps: Record<string, AppSummary>
}

/** Adds the `demo` command. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run the main job (HR file → two SCIM apps: joiners, then movers and leavers) and print what happened',
    )
    .option('--no-serve', 'exit after the summary instead of keeping the sandboxes running')
    .action(async (options: { serve: boolean }) => {
      const json = program.opts<{ json?: boolean }>().json === true
      const dir = await mkdtemp(join(tmpdir(), 'provisio-demo-'))
      const sandboxes: Sandbox[] = []
      let store: Store | undefined
      try {
        const tokens = {
          jira: randomBytes(24).toString('base64url'),
          zapier: randomBytes(24).toString('base64url'),
        }
        for (const app of APPS) sandboxes.push(await startSandbox({ port: 0, token: tokens[app] }))
        const hrFile = join(dir, 'hr.csv')
        await copyFile(join(EXAMPLES, 'hr.csv'), hrFile)
        const config = await loadConfig(join(EXAMPLES, 'demo.yaml'), {
          DEMO_DATABASE: `sqlite:${join(dir, 'provisio.db')}`,
          DEMO_SECRET_KEY: randomBytes(32).toString('hex'),
          DEMO_JIRA_URL: sandboxes[0]?.url ?? '',
          DEMO_JIRA_TOKEN: tokens.jira,
          DEMO_ZAPIER_URL: sandboxes[1]?.url ?? '',
          DEMO_ZAPIER_TOKEN: tokens.zapier,
          DEMO_HR_FILE: hrFile,
        })
        store = await openDatabase(config.database.reveal(), { baseDir: config.baseDir })
        const secretBox = config.secretKey ? createSecretBox(config.secretKey.reveal()) : undefined
        await recordIntegrations(store.db, config, secretBox, new Date().toISOString())
        const say = (line: string) => {
          if (!json) process.stdout.write(`${line}\n`)
        }
        say(`Jira sandbox ${sandboxes[0]?.url}, Zapier sandbox ${sandboxes[1]?.url}; HR file examples/hr.csv`)
        for (const app of APPS) {
          const summary = await extractOne(
            { config, store, secretBox, json: true, close: async () => {} },
            config.integrations[app]!,
            false,
          )
          say(`✔ extracted ${app}: ${summary.usersSeen} users, ${summary.groupsSeen} groups`)
        }
        const steps: StepReport[] = []
        const engine = new LifecycleEngine({
          db: store.db,
          config,
          actor: 'provisio demo',
          holder: processHolder(),
        })
        try {
          steps.push(await step(store, config, engine, 'day 1: joiners from examples/hr.csv'))
          say(formatStep(steps[0]!))
          await copyFile(join(EXAMPLES, 'hr-day2.csv'), hrFile)
          steps.push(
            await step(
              store,
              config,
              engine,
              'day 2: movers, leavers and new joiners from examples/hr-day2.csv',
            ),
          )
          say(formatStep(steps[1]!))
        } finally {
          await engine.close()
        }
        const final = Object.fromEntries(APPS.map((app, i) => [app, appState(sandboxes[i] as Sandbox)]))
        if (json)
          process.stdout.write(
            `${JSON.stringify({ sandboxes: Object.fromEntries(APPS.map((a, i) => [a, sandboxes[i]?.url])), steps, final })}\n`,
          )
        else {
          for (const app of APPS) {
            const s = final[app]!
            say(
              `${app}: ${s.active} active and ${s.inactive} deactivated accounts, ${s.groups} groups (${s.largest})`,
            )
          }
          say(
            `Each step was one journaled run: \`provisio runs show RUN\` lists its operations, \`provisio rollback RUN\` undoes it.`,
          )
        }
        if (options.serve) {
          process.stderr.write(
            `\nThe sandboxes keep serving (Jira ${sandboxes[0]?.url}, Zapier ${sandboxes[1]?.url}) until Ctrl-C.\n`,
          )
          await untilSignal()
        }
      } finally {
        await store?.close()
        for (const sandbox of sandboxes) await sandbox.close()
        await rm(dir, { recursive: true, force: true })
      }
    })
}

async function step(
  store: Store,
  config: ProvisioConfig,
  engine: LifecycleEngine,
  name: string,
): Promise<StepReport> {
  const policy = config.policies[0]
  if (!policy) throw new Error('examples/demo.yaml has no policy')
  const outcome: PolicyOutcome = await runPolicy(policy, { store, config, engine, mode: 'apply' })
  const events: Record<string, number> = {}
  for (const identity of outcome.identities) events[identity.event] = (events[identity.event] ?? 0) + 1
  const apps: Record<string, AppSummary> = {}
  for (const app of APPS)
    apps[app] = {
      created: 0,
      updated: 0,
      deactivated: 0,
      membershipsAdded: 0,
      membershipsRemoved: 0,
      groupsCreated: 0,
      failed: 0,
    }
  if (outcome.run) {
    for (const op of await runOperations(store.db, outcome.run.id)) {
      const summary = apps[op.integration]
      if (!summary) continue
      if (op.status !== 'succeeded') {
        summary.failed += 1
        continue
      }
      const members = op.details.members?.length ?? 1
      if (op.kind === 'create_user') summary.created += 1
      else if (op.kind === 'update_user') summary.updated += 1
      else if (op.kind === 'deactivate_user') summary.deactivated += 1
      else if (op.kind === 'add_members') summary.membershipsAdded += members
      else if (op.kind === 'remove_members') summary.membershipsRemoved += members
      else if (op.kind === 'create_group') summary.groupsCreated += 1
    }
  }
  if (outcome.plan.problems.length > 0) {
    throw new Error(`the demo's plan has problems: ${outcome.plan.problems.map((p) => p.message).join('; ')}`)
  }
  return {
    step: name,
    events,
    runId: outcome.run?.id ?? null,
    status: outcome.run?.status ?? 'nothing to do',
    apps,
  }
}

function formatStep(report: StepReport): string {
  const events = Object.entries(report.events)
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`)
    .join(', ')
  const lines = [`✔ ${report.step}: ${events} → run ${report.runId ?? '-'} ${report.status}`]
  for (const [app, s] of Object.entries(report.apps)) {
    lines.push(
      `    ${app.padEnd(7)} ${s.created} created, ${s.updated} updated, ${s.deactivated} deactivated, ` +
        `${s.groupsCreated} groups created, +${s.membershipsAdded}/−${s.membershipsRemoved} memberships${s.failed ? `, ${s.failed} failed` : ''}`,
    )
  }
  return lines.join('\n')
}

function appState(sandbox: Sandbox): { active: number; inactive: number; groups: number; largest: string } {
  const users = sandbox.users()
  const groups = sandbox.groups()
  const sizes = groups
    .map((g) => ({ name: String(g.displayName), size: Array.isArray(g.members) ? g.members.length : 0 }))
    .sort((a, b) => b.size - a.size)
  return {
    active: users.filter((u) => u.active !== false).length,
    inactive: users.filter((u) => u.active === false).length,
    groups: groups.length,
    largest:
      sizes
        .slice(0, 3)
        .map((g) => `${g.name} ${g.size}`)
        .join(', ') || 'none',
  }
}
