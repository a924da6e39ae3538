/**
 * A 1,000-operation apply against a sandbox that answers 429 (with Retry-After), 500 and 503,
 * drops connections before doing anything and loses answers after doing the work: on every
 * backend, with and without Bulk, the target ends exactly in the planned state — every account
 * once, every membership there once — and lost creates were adopted, never repeated.
 */
import { describe, expect, it } from 'vitest'
import { parseFaultSpec, type SandboxRequestRecord } from '../../src/sandbox/index.ts'
import { SCHEMA } from '../../src/scim/index.ts'
import { actions } from '../support/lcm-fixtures.ts'
import { type LcmWorld, lcmWorld } from '../support/lcm-world.ts'
import { testBackends } from '../support/test-databases.ts'

const PEOPLE = 334
const GROUPS = 10
const FAULTS = '429=0.05,500=0.03,503=0.03,drop=0.02,retryAfter=0'
/** Answers lost after the work was done: more of them with Bulk, which sends far fewer requests. */
const LOST = { single: 0.03, bulk: 0.1 }

const groupName = (g: number) => `team-${g}`
/** Person i joins two teams. */
const teamsOf = (i: number): [number, number] => [i % GROUPS, (i + 3) % GROUPS]

function joinerLines(): string[] {
  const lines: string[] = []
  for (let i = 0; i < PEOPLE; i += 1) {
    const [a, b] = teamsOf(i)
    lines.push(
      `- sync_identity: { integration: app, attributes: { user_name: p${i}@example.com, email: p${i}@example.com, title: T${i % 7}, department: D${i % 5} } }`,
      `- manage_relationships: { integration: app, user_name: p${i}@example.com, add: [${groupName(a)}, ${groupName(b)}] }`,
    )
  }
  return lines
}

async function expectPlannedState(world: LcmWorld): Promise<void> {
  const users = await world.users()
  expect(users).toHaveLength(PEOPLE)
  const byName = new Map(users.map((u) => [String(u.userName), u]))
  expect(byName.size).toBe(PEOPLE)
  for (let i = 0; i < PEOPLE; i += 1) {
    expect(byName.get(`p${i}@example.com`)).toMatchObject({
      title: `T${i % 7}`,
      emails: [{ value: `p${i}@example.com`, type: 'work', primary: true }],
      [SCHEMA.enterpriseUser]: { department: `D${i % 5}` },
    })
  }
  const groups = await world.groups()
  expect(groups).toHaveLength(GROUPS)
  for (const group of groups) {
    const g = Number(String(group.displayName).slice('team-'.length))
    const members = ((group.members ?? []) as Array<{ value: string }>).map((m) => m.value)
    const wanted = []
    for (let i = 0; i < PEOPLE; i += 1)
      if (teamsOf(i).includes(g)) wanted.push(byName.get(`p${i}@example.com`)?.id)
    expect(new Set(members).size).toBe(members.length)
    expect(members.sort()).toEqual(wanted.sort())
  }
}

describe.each(testBackends())('a 1,000-operation apply against a faulty target on $name', (backend) => {
  for (const bulk of [false, true]) {
    it.skipIf(backend.skip !== undefined)(
      `${bulk ? 'with' : 'without'} Bulk ends in the planned state: no duplicate account, no missing membership`,
      { timeout: 240_000 },
      async () => {
        const log: SandboxRequestRecord[] = []
        const world = await lcmWorld(backend, `lcm-faults-${bulk}`, {
          bulk,
          sandbox: { bulkMaxOperations: 20, onRequest: (request) => log.push(request) },
        })
        for (let g = 0; g < GROUPS; g += 1) {
          await world.client.groups.create({ schemas: [SCHEMA.group], displayName: groupName(g) })
        }
        await world.extract()
        const lines = joinerLines()
        const plan = await world.engine.plan(actions(...lines))
        expect(plan.problems).toEqual([])
        expect(plan.operations).toHaveLength(PEOPLE * 3)
        const stored = await world.engine.store(plan, 'actions:faults')
        const before = world.sandbox.requestCount()
        log.length = 0
        const lost = bulk ? LOST.bulk : LOST.single
        world.sandbox.setFaults(parseFaultSpec(`${FAULTS},dropAfter=${lost},seed=${bulk ? 11 : 7}`))
        const started = performance.now()
        const summary = await world.engine.execute(stored.runId)
        const seconds = (performance.now() - started) / 1000
        world.sandbox.setFaults(undefined)
        const requests = world.sandbox.requestCount() - before
        console.info(
          `${backend.name} ${bulk ? 'bulk' : 'single'}: ${plan.operations.length} operations in ${seconds.toFixed(1)} s, ${requests} requests`,
        )
        const failed = await world.store.db
          .selectFrom('lcm_operations')
          .select(['seq', 'kind', 'status', 'error', 'attempts'])
          .where('run_id', '=', stored.runId)
          .where('status', '!=', 'succeeded')
          .execute()
        expect(failed).toEqual([])
        expect(summary.counts).toEqual({ succeeded: PEOPLE * 3 })
        expect(summary.status).toBe('succeeded')
        await expectPlannedState(world)

        const outcomes = await world.store.db
          .selectFrom('lcm_operations')
          .select(['kind', 'outcome', 'identity'])
          .where('run_id', '=', stored.runId)
          .execute()
        // Creates whose answer was lost after the target made the account: each was found by a
        // look-up and adopted, never sent again (a repeated create would have met a 409).
        const lostCreates = log
          .filter((r) => !r.answered && r.status >= 200 && r.status < 300)
          .flatMap((r) =>
            r.url.endsWith('/Bulk')
              ? (r.body as { Operations: Array<{ method: string; path: string; data?: unknown }> }).Operations
              : [{ method: r.method, path: r.url.replace(/^.*\/scim\/v2/, ''), data: r.body }],
          )
          .filter((o) => o.method === 'POST' && o.path === '/Users')
          .map((o) => (o.data as { userName: string }).userName)
        expect(lostCreates).not.toEqual([])
        const adopted = outcomes
          .filter((o) => o.kind === 'create_user' && o.outcome?.startsWith('adopted'))
          .map((o) => o.identity)
        expect(adopted.sort()).toEqual([...lostCreates].sort())
        const conflicts = await world.store.db
          .selectFrom('lcm_audit')
          .select(['seq', 'method', 'path'])
          .where('run_id', '=', stored.runId)
          .where('status', '=', 409)
          .execute()
        expect(conflicts).toEqual([])
        expect((await world.plan(...lines)).operations).toEqual([])
        await world.extract()
        expect((await world.plan(...lines)).operations).toEqual([])
      },
    )
  }
})
