import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts'
import type { AttributeDefinition } from '../../src/scim/resources.ts'
import { ENTERPRISE, GROUP, PROVISIO, type ScimBody, TestClient, USER } from './sandbox-client.ts'

let sandbox: Sandbox
let client: TestClient

beforeAll(async () => {
  sandbox = await startSandbox({ maxResults: 500, bulkMaxOperations: 50, bulkMaxPayloadSize: 65536 })
  client = new TestClient(sandbox.url)
})
afterAll(() => sandbox.close())

function attribute(schema: ScimBody, name: string): AttributeDefinition {
  const found = (schema.attributes as AttributeDefinition[]).find((a) => a.name === name)
  if (!found) throw new Error(`no attribute ${name}`)
  return found
}

describe('sandbox discovery', () => {
  it('serves a ServiceProviderConfig that states the configured limits', async () => {
    const res = await client.get('/ServiceProviderConfig')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/scim+json')
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 50, maxPayloadSize: 65536 },
      filter: { supported: true, maxResults: 500 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true, defaultPageSize: 100, maxPageSize: 500 },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    })
    expect(res.body.meta?.location).toBe(`${sandbox.url}/ServiceProviderConfig`)
  })

  it('lists the User and Group resource types with their extensions', async () => {
    const res = await client.get('/ResourceTypes')
    expect(res.status).toBe(200)
    expect(res.body.totalResults).toBe(2)
    const user = res.body.Resources?.find((r) => r.name === 'User')
    expect(user).toMatchObject({
      endpoint: '/Users',
      schema: USER,
      schemaExtensions: [
        { schema: ENTERPRISE, required: false },
        { schema: PROVISIO, required: false },
      ],
    })
    const group = await client.get('/ResourceTypes/Group')
    expect(group.body).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP })
    expect((await client.get('/ResourceTypes/Device')).status).toBe(404)
  })

  it('describes the RFC 7643 User schema characteristics', async () => {
    const res = await client.get(`/Schemas/${USER}`)
    expect(res.status).toBe(200)
    expect(attribute(res.body, 'userName')).toMatchObject({
      caseExact: false,
      uniqueness: 'server',
      required: true,
    })
    expect(attribute(res.body, 'id')).toMatchObject({
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
    })
    expect(attribute(res.body, 'meta')).toMatchObject({ mutability: 'readOnly' })
    expect(attribute(res.body, 'groups')).toMatchObject({ mutability: 'readOnly', multiValued: true })
    expect(attribute(res.body, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' })
    expect(attribute(res.body, 'active')).toMatchObject({ type: 'boolean' })
    const emails = attribute(res.body, 'emails')
    expect(emails.subAttributes?.map((s) => s.name)).toEqual(['value', 'display', 'type', 'primary'])
  })

  it('describes Group members and the extensions', async () => {
    const group = await client.get(`/Schemas/${GROUP}`)
    const members = attribute(group.body, 'members')
    expect(members.subAttributes?.find((s) => s.name === 'value')?.mutability).toBe('immutable')
    expect(members.subAttributes?.map((s) => s.name)).toEqual(['value', '$ref', 'display', 'type'])
    const enterprise = await client.get(`/Schemas/${ENTERPRISE}`)
    expect(attribute(enterprise.body, 'manager').subAttributes?.map((s) => s.name)).toEqual([
      'value',
      '$ref',
      'displayName',
    ])
    const provisio = await client.get(`/Schemas/${PROVISIO.toUpperCase()}`)
    expect(provisio.status).toBe(200)
    expect(attribute(provisio.body, 'clearanceLevel').type).toBe('integer')
    expect(attribute(provisio.body, 'costCode').mutability).toBe('readOnly')
    expect(attribute(provisio.body, 'skills').multiValued).toBe(true)
  })

  it('lists all four schemas and answers 404 for an unknown one', async () => {
    const res = await client.get('/Schemas')
    expect(res.body.Resources?.map((s) => s.id).sort()).toEqual([GROUP, USER, ENTERPRISE, PROVISIO].sort())
    expect((await client.get('/Schemas/urn:example:nothing')).status).toBe(404)
  })
})
