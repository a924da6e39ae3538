import { describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.ts'

interface AppSummary {
  created: number
  updated: number
  deactivated: number
  membershipsAdded: number
  membershipsRemoved: number
  groupsCreated: number
  failed: number
}

interface DemoOutput {
  sandboxes: Record<string, string>
  steps: Array<{
    step: string
    events: Record<string, number>
    status: string
    apps: Record<string, AppSummary>
  }>
  final: Record<string, { active: number; inactive: number; groups: number }>
}

describe('provisio demo', () => {
  it('runs the HR story through two applications and exits with --no-serve', {
    timeout: 120_000,
  }, async () => {
    const result = await runCli(['--json', 'demo', '--no-serve'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout) as DemoOutput
    const [day1, day2] = output.steps
    // examples/hr.csv: 201 people, 55 of them in Sales or Marketing (the Zapier workflow's condition).
    expect(day1?.events).toEqual({ joiner: 201 })
    expect(day1?.status).toBe('succeeded')
    expect(day1?.apps.jira).toMatchObject({ created: 201, membershipsAdded: 402, failed: 0 })
    expect(day1?.apps.zapier).toMatchObject({ created: 55, failed: 0 })
    // examples/hr-day2.csv: 8 department moves and 4 promotions, 4 terminated and 2 gone, 2 new hires.
    expect(day2?.events).toEqual({ mover: 12, leaver: 6, joiner: 2 })
    expect(day2?.status).toBe('succeeded')
    expect(day2?.apps.jira).toMatchObject({
      created: 2,
      updated: 12,
      deactivated: 6,
      membershipsAdded: 12,
      membershipsRemoved: 20,
      failed: 0,
    })
    expect(output.final.jira).toMatchObject({ active: 197, inactive: 6 })
  })

  it('prints a readable summary per application without --json', { timeout: 120_000 }, async () => {
    const result = await runCli(['demo', '--no-serve'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('✔ day 1: joiners from examples/hr.csv: 201 joiners')
    expect(result.stdout).toMatch(/jira\s+201 created/)
    expect(result.stdout).toContain('jira: 197 active and 6 deactivated accounts')
  })
})
