import { describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.ts'

interface DemoOutput {
  sandbox: string
  steps: Array<{ step: string; detail: Record<string, unknown> }>
}

describe('provisio demo', () => {
  it('walks an account through create, update, membership and deactivation, then exits with --no-serve', async () => {
    const result = await runCli(['--json', 'demo', '--no-serve'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout) as DemoOutput
    const step = (name: string) => output.steps.find((s) => s.step.startsWith(name))?.detail
    expect(step('create user')?.userName).toBe('ada.lovelace@example.com')
    expect(step('find by userName')?.matches).toBe(true)
    expect(step('update')).toMatchObject({ title: 'Principal Engineer', email: 'ada@example.com', phones: 1 })
    expect(step('create group')).toMatchObject({ group: 'engineering', members: ['Ada Lovelace'] })
    expect(step('deactivate')).toMatchObject({ active: false, groupMembers: 0, accountKept: true })
  })

  it('prints a readable summary without --json', async () => {
    const result = await runCli(['demo', '--no-serve'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('✔ create user')
    expect(result.stdout).toContain('✔ deactivate')
  })
})
