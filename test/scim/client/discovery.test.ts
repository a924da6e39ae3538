import { describe, expect, it } from 'vitest'
import { DEFAULT_CAPABILITIES, mergeCapabilities } from '../../../src/scim/capabilities.ts'
import { ScimResponseError } from '../../../src/scim/errors.ts'
import { SCHEMA } from '../../../src/scim/schemas.ts'
import { rejectionOf, scimFixtures } from '../../support/scim-client-fixtures.ts'
import { sendScimJson, startRecordingServer } from '../../support/scim-servers.ts'

const fx = scimFixtures()
const PROVISIO_EXTENSION = 'urn:ietf:params:scim:schemas:extension:provisio:2.0:User'

describe('client.discover() against the sandbox', () => {
  it('fills the capabilities from the ServiceProviderConfig', async () => {
    const sandbox = await fx.sandbox({
      maxResults: 50,
      defaultPageSize: 20,
      bulkMaxOperations: 7,
      bulkMaxPayloadSize: 4096,
    })
    const client = fx.client(sandbox.url)
    expect(client.capabilities).toEqual(DEFAULT_CAPABILITIES)

    const discovery = await client.discover()

    expect(discovery.serviceProviderConfig?.bulk).toEqual({
      supported: true,
      maxOperations: 7,
      maxPayloadSize: 4096,
    })
    expect(client.capabilities).toEqual({
      ...DEFAULT_CAPABILITIES,
      patch: true,
      bulk: { supported: true, maxOperations: 7, maxPayloadSize: 4096 },
      etag: true,
      sort: true,
      filter: { ...DEFAULT_CAPABILITIES.filter, supported: true, maxResults: 50 },
      // The default page size of 100 is capped by the server's page cap of 50.
      pagination: { cursor: true, pageSize: 50, maxPageSize: 50, totalResultsReliable: true },
    })
  })

  it('lets overrides given in the options win over what the target says', async () => {
    const sandbox = await fx.sandbox({ bulkMaxOperations: 100 })
    const overrides = {
      etag: false,
      bulk: { maxOperations: 3 },
      pagination: { cursor: false, pageSize: 10 },
      memberRemoval: 'value-list' as const,
    }
    const client = fx.client(sandbox.url, { overrides })
    expect(client.capabilities).toEqual(mergeCapabilities(DEFAULT_CAPABILITIES, overrides))

    await client.discover()

    expect(client.capabilities.etag).toBe(false)
    expect(client.capabilities.bulk).toEqual({ supported: true, maxOperations: 3, maxPayloadSize: 1_048_576 })
    expect(client.capabilities.pagination).toEqual({
      cursor: false,
      pageSize: 10,
      maxPageSize: 1000,
      totalResultsReliable: true,
    })
    expect(client.capabilities.memberRemoval).toBe('value-list')
    // What no override touches still comes from the target.
    expect(client.capabilities.sort).toBe(true)
    expect(client.capabilities.patch).toBe(true)
  })

  it('returns the ResourceTypes and Schemas as typed documents', async () => {
    const sandbox = await fx.sandbox()
    const client = fx.client(sandbox.url)

    const { resourceTypes, schemas } = await client.discover()

    expect(resourceTypes?.map((t) => ({ name: t.name, endpoint: t.endpoint, schema: t.schema }))).toEqual([
      { name: 'User', endpoint: '/Users', schema: SCHEMA.user },
      { name: 'Group', endpoint: '/Groups', schema: SCHEMA.group },
    ])
    expect(resourceTypes?.[0]?.schemaExtensions?.map((e) => e.schema)).toEqual([
      SCHEMA.enterpriseUser,
      PROVISIO_EXTENSION,
    ])
    expect(schemas?.map((s) => s.id).sort()).toEqual(
      [SCHEMA.user, SCHEMA.group, SCHEMA.enterpriseUser, PROVISIO_EXTENSION].sort(),
    )
    const userName = schemas?.find((s) => s.id === SCHEMA.user)?.attributes.find((a) => a.name === 'userName')
    expect(userName).toMatchObject({
      type: 'string',
      uniqueness: 'server',
      required: true,
      multiValued: false,
    })
  })

  it('skips /Schemas when asked to', async () => {
    const sandbox = await fx.sandbox()
    const proxy = await fx.proxy(sandbox.url)
    const client = fx.client(proxy.url)

    const discovery = await client.discover({ schemas: false })

    expect(discovery.schemas).toBeUndefined()
    expect(proxy.requests.map((r) => r.path)).toEqual([
      '/scim/v2/ServiceProviderConfig',
      '/scim/v2/ResourceTypes',
    ])
  })
})

describe('client.discover() against a target without discovery endpoints', () => {
  it('answers undefined for each 404 and keeps the capabilities it had', async () => {
    const server = await startRecordingServer((_seen, res) =>
      sendScimJson(res, 404, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' }),
    )
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim`, { overrides: { etag: true } })
    const before = structuredClone(client.capabilities)

    const discovery = await client.discover()

    expect(discovery).toEqual({
      serviceProviderConfig: undefined,
      resourceTypes: undefined,
      schemas: undefined,
    })
    expect(client.capabilities).toEqual(before)
    expect(server.requests.map((r) => r.path)).toEqual([
      '/scim/ServiceProviderConfig',
      '/scim/ResourceTypes',
      '/scim/Schemas',
    ])
  })

  it('surfaces a discovery endpoint that fails with 500 instead of treating it as absent', async () => {
    const server = await startRecordingServer((_seen, res) => sendScimJson(res, 500, { detail: 'boom' }))
    fx.defer(() => server.close())
    const client = fx.client(`${server.origin}/scim`, { retry: { maxAttempts: 1 } })

    const error = await rejectionOf(client.discover())

    expect(error).toBeInstanceOf(ScimResponseError)
    expect((error as ScimResponseError).status).toBe(500)
  })
})
