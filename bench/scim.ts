/**
 * `npm run bench -- scim`: users created and users listed per second by the client against the
 * sandbox, beside a bare keep-alive undici loop making the same requests to the same sandbox.
 */
import { Pool } from 'undici'
import { SCHEMA, ScimClient, type ScimUser } from '../src/scim/index.ts'
import { rate, reportFigure } from './report.ts'
import { spawnSandbox } from './sandbox-process.ts'

const CREATES_PER_ROUND = 4000
const CONCURRENCY = 16
const SEEDED_USERS = 20_000
const PAGE_SIZE = 100
const ROUNDS = 3

/** Runs the SCIM client benchmark and prints its figures. */
export async function runScimBenchmark(): Promise<void> {
  const sandbox = await spawnSandbox(['--seed-users', String(SEEDED_USERS)])
  const client = new ScimClient({
    baseUrl: sandbox.url,
    auth: { bearer: sandbox.token },
    connections: CONCURRENCY,
    integration: 'bench',
  })
  await client.discover()
  const origin = new URL(sandbox.url)
  const pool = new Pool(origin.origin, { connections: CONCURRENCY, pipelining: 1 })
  const basePath = origin.pathname.replace(/\/$/, '')
  const headers = {
    authorization: `Bearer ${sandbox.token}`,
    accept: 'application/scim+json, application/json',
    'content-type': 'application/scim+json',
  }
  let serial = 0
  const nextUser = (): ScimUser => {
    serial += 1
    return {
      schemas: [SCHEMA.user],
      userName: `bench.${serial}@example.com`,
      name: { givenName: 'Bench', familyName: `User${serial}` },
      emails: [{ value: `bench.${serial}@example.com`, type: 'work', primary: true }],
      active: true,
    }
  }
  const inParallel = async (count: number, one: () => Promise<void>) => {
    let left = count
    const lane = async () => {
      while (left > 0) {
        left -= 1
        await one()
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  }

  const bareCreate = () =>
    inParallel(CREATES_PER_ROUND, async () => {
      const response = await pool.request({
        method: 'POST',
        path: `${basePath}/Users`,
        headers,
        body: JSON.stringify(nextUser()),
      })
      const body = (await response.body.json()) as { id?: string }
      if (response.statusCode !== 201 || !body.id)
        throw new Error(`bare create answered ${response.statusCode}`)
    })
  const clientCreate = () =>
    inParallel(CREATES_PER_ROUND, async () => {
      await client.users.create(nextUser())
    })

  const bareList = async () => {
    let seen = 0
    for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
      const response = await pool.request({
        method: 'GET',
        path: `${basePath}/Users?startIndex=${startIndex}&count=${PAGE_SIZE}`,
        headers,
      })
      const page = (await response.body.json()) as { Resources?: unknown[]; totalResults: number }
      const got = page.Resources?.length ?? 0
      seen += got
      if (got === 0 || startIndex + got > page.totalResults) break
    }
    return seen
  }
  const clientList = async () => {
    let seen = 0
    for await (const _user of client.users.list({ pageSize: PAGE_SIZE })) seen += 1
    return seen
  }

  // Warm both paths, then alternate rounds so drift on a shared machine hits both alike.
  await inParallel(200, async () => {
    await client.users.create(nextUser())
  })
  const best = { bareCreate: 0, clientCreate: 0, bareList: 0, clientList: 0 }
  for (let round = 0; round < ROUNDS; round += 1) {
    best.bareCreate = Math.max(best.bareCreate, await rate(CREATES_PER_ROUND, bareCreate))
    best.clientCreate = Math.max(best.clientCreate, await rate(CREATES_PER_ROUND, clientCreate))
    let listed = 0
    const bareRate = await rate(1, async () => {
      listed = await bareList()
    })
    best.bareList = Math.max(best.bareList, bareRate * listed)
    const clientRate = await rate(1, async () => {
      listed = await clientList()
    })
    best.clientList = Math.max(best.clientList, clientRate * listed)
  }
  await client.close()
  await pool.close()
  await sandbox.stop()
  reportFigure({
    bench: 'scim-create',
    unit: 'users/s',
    provisio: best.clientCreate,
    baseline: best.bareCreate,
  })
  reportFigure({ bench: 'scim-list', unit: 'users/s', provisio: best.clientList, baseline: best.bareList })
}
