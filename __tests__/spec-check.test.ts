// The request checker that holds the emulators to the vendors' API descriptions: each kind of mistake is
// caught and named (operation and field), first on a small contract of its own, then on the Azure REST
// excerpts the ARM emulator uses, and finally through the emulator, where a violation fails close().
import { describe, expect, it } from '@jest/globals'
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline'
import { SpecCatalog, formatViolation, type OperationContract, type SpecRequest } from '../emulators/core/spec-check.js'
import { startAzureEmulators, RESOURCE_GROUP, SUBSCRIPTION_ID, VNET } from '../emulators/azure/index.js'
import { armClients, secretCredential } from '../emulators/azure/sdk-clients.js'
import { AzureSpecs, azureSpecCatalog } from '../emulators/azure/spec.js'
import { NETWORK_API_VERSION } from '../src/providers/azure/network-api.js'

const request = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): SpecRequest => ({
  method,
  url: new URL(path, 'https://management.azure.com'),
  headers: { host: 'management.azure.com', authorization: 'Bearer x', ...options.headers },
  body: options.body === undefined ? '' : JSON.stringify(options.body)
})

const fields = (catalog: SpecCatalog, req: SpecRequest) => catalog.check(req).violations.map((v) => `${v.operation}: ${v.field}`)

describe('the generic checker', () => {
  const widget: OperationContract = {
    id: 'widgets.insert',
    method: 'POST',
    path: '/projects/{project}/widgets',
    parameters: [
      { name: 'project', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][-a-z0-9]*$' } },
      { name: 'requestId', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer', maximum: 500 } }
    ],
    body: {
      required: true,
      schema: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$' },
          kind: { type: 'string', enum: ['SMALL', 'LARGE'] },
          id: { type: 'string', readOnly: true },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          ports: { type: 'array', items: { type: 'integer' } }
        }
      }
    },
    source: 'test'
  }
  const catalog = new SpecCatalog([widget], { resolve: () => ({}), commonHeaders: ['host', 'authorization', 'content-type'] })
  const post = (body: unknown, path = '/projects/p1/widgets', headers: Record<string, string> = {}) => fields(catalog, request('POST', path, { body, headers }))

  it('accepts a request that keeps to the contract', () => {
    expect(post({ name: 'w1', kind: 'SMALL', labels: { team: 'search' }, ports: [443] }, '/projects/p1/widgets?requestId=r1&pageSize=10')).toEqual([])
  })

  it.each([
    ['a missing required field', { kind: 'SMALL' }, 'widgets.insert: body.name'],
    ['an unknown field', { name: 'w1', colour: 'red' }, 'widgets.insert: body.colour'],
    ['a read-only field', { name: 'w1', id: '123' }, 'widgets.insert: body.id'],
    ['a wrong type', { name: 'w1', ports: ['443'] }, 'widgets.insert: body.ports[0]'],
    ['a value outside the enum', { name: 'w1', kind: 'MEDIUM' }, 'widgets.insert: body.kind'],
    ['a value against the pattern', { name: 'W1' }, 'widgets.insert: body.name'],
    ['a wrong type in a map', { name: 'w1', labels: { n: 1 } }, 'widgets.insert: body.labels.n']
  ])('names %s in the body', (_kind, body, expected) => {
    expect(post(body)).toEqual([expected])
  })

  it('names a path parameter against its pattern, unknown and out-of-range query parameters, and an undeclared header', () => {
    expect(post({ name: 'w1' }, '/projects/P_1/widgets')).toEqual(['widgets.insert: path.project'])
    expect(post({ name: 'w1' }, '/projects/p1/widgets?alt=json&pageSize=900')).toEqual(['widgets.insert: query.pageSize', 'widgets.insert: query.alt'])
    expect(post({ name: 'w1' }, '/projects/p1/widgets', { 'if-none-match': '*' })).toEqual(['widgets.insert: header.if-none-match'])
  })

  it('names a method the path does not take, a path no operation has, and a missing or non-JSON body', () => {
    expect(fields(catalog, request('GET', '/projects/p1/widgets'))).toEqual(['GET /projects/p1/widgets: path'])
    expect(catalog.check(request('GET', '/projects/p1/widgets')).violations[0]?.problem).toContain('declares only POST')
    expect(fields(catalog, request('POST', '/projects/p1/gadgets'))).toEqual(['POST /projects/p1/gadgets: path'])
    expect(fields(catalog, request('POST', '/projects/p1/widgets'))).toEqual(['widgets.insert: body'])
    expect(fields(catalog, { ...request('POST', '/projects/p1/widgets'), body: '{"name":' })).toEqual(['widgets.insert: body'])
  })
})

describe('the Azure REST excerpts', () => {
  const catalog = azureSpecCatalog()
  const group = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network`
  const endpoint = `${group}/privateEndpoints/pe-1?api-version=2025-05-01`
  const zone = `${group}/privateDnsZones/a.example.com`
  const body = { location: 'eastus', tags: { team: 'search' }, properties: { subnet: { id: `${group}/virtualNetworks/${VNET}/subnets/s` }, manualPrivateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: 'alias', requestMessage: 'hi' } }] } }

  it('has every operation the emulator routes, from the copied documents', () => {
    const ids = new AzureSpecs().contracts().map((c) => c.id)
    for (const id of ['PrivateEndpoints_CreateOrUpdate', 'PrivateEndpoints_Get', 'PrivateEndpoints_List', 'VirtualNetworks_Get', 'Subnets_Get', 'NetworkInterfaces_Get', 'PrivateZones_CreateOrUpdate', 'PrivateZones_Get', 'PrivateZones_Delete', 'VirtualNetworkLinks_CreateOrUpdate', 'VirtualNetworkLinks_List', 'VirtualNetworkLinks_Delete', 'RecordSets_CreateOrUpdate', 'RecordSets_Get', 'NetworkOperationStatus_Get', 'PrivateDnsOperationStatus_Get'])
      expect(ids).toContain(id)
  })

  it('accepts the private endpoint PUT the action sends', () => {
    expect(fields(catalog, request('PUT', endpoint, { body }))).toEqual([])
  })

  it.each([
    ['a read-only property', { ...body, properties: { ...body.properties, provisioningState: 'Succeeded' } }, 'PrivateEndpoints_CreateOrUpdate: body.properties.provisioningState'],
    ['an unknown property', { ...body, properties: { ...body.properties, subnetId: 'x' } }, 'PrivateEndpoints_CreateOrUpdate: body.properties.subnetId'],
    ['a value outside an enum', { ...body, properties: { ...body.properties, ipVersionType: 'IPv5' } }, 'PrivateEndpoints_CreateOrUpdate: body.properties.ipVersionType'],
    ['a wrong type', { ...body, tags: { count: 3 } }, 'PrivateEndpoints_CreateOrUpdate: body.tags.count'],
    ['the flattened shape the SDK model uses instead of the wire shape', { location: 'eastus', subnet: { id: 's' } }, 'PrivateEndpoints_CreateOrUpdate: body.subnet']
  ])('names %s in a body', (_kind, wrong, expected) => {
    expect(fields(catalog, request('PUT', endpoint, { body: wrong }))).toEqual([expected])
  })

  it('names a wrong or missing api-version, an unknown query parameter and a PATCH the excerpt does not declare', () => {
    expect(fields(catalog, request('GET', endpoint.replace('2025-05-01', '2024-05-01')))).toEqual(['PrivateEndpoints_Get: query.api-version'])
    expect(fields(catalog, request('GET', endpoint.replace(/\?.*/, '')))).toEqual(['PrivateEndpoints_Get: query.api-version'])
    expect(fields(catalog, request('GET', `${endpoint}&$filter=x`))).toEqual(['PrivateEndpoints_Get: query.$filter'])
    expect(fields(catalog, request('GET', `${endpoint}&$expand=subnet`))).toEqual([])
    expect(fields(catalog, request('PATCH', endpoint, { body: { tags: {} } }))[0]).toMatch(/^PATCH .*: path$/)
  })

  it('allows If-None-Match on the private DNS PUTs only: not on their GETs, nor on a poll', () => {
    const star = { 'if-none-match': '*' }
    expect(fields(catalog, request('PUT', `${zone}?api-version=2020-06-01`, { headers: star, body: { location: 'global' } }))).toEqual([])
    expect(fields(catalog, request('GET', `${zone}?api-version=2020-06-01`, { headers: star }))).toEqual(['PrivateZones_Get: header.if-none-match'])
    expect(fields(catalog, request('GET', `${zone}/virtualNetworkLinks/l1?api-version=2020-06-01`, { headers: star }))).toEqual(['VirtualNetworkLinks_Get: header.if-none-match'])
    expect(fields(catalog, request('GET', `${group}/privateDnsOperationStatuses/op1?api-version=2020-06-01`, { headers: star }))).toEqual(['PrivateDnsOperationStatus_Get: header.if-none-match'])
    expect(fields(catalog, request('PUT', endpoint, { headers: star, body }))).toEqual(['PrivateEndpoints_CreateOrUpdate: header.if-none-match'])
  })

  it('checks path parameters against their enum (record types)', () => {
    expect(fields(catalog, request('GET', `${zone}/A/@?api-version=2020-06-01`))).toEqual([])
    expect(fields(catalog, request('GET', `${zone}/AA/@?api-version=2020-06-01`))).toEqual(['RecordSets_Get: path.recordType'])
  })
})

describe('through the ARM emulator', () => {
  it('records a violation and fails close() naming the operation and the field', async () => {
    const az = await startAzureEmulators()
    let closed: Promise<void> | undefined
    try {
      const { arm } = armClients(az, secretCredential(az), { maxRetries: 0, asShipped: true })
      const url = `${arm.$host}/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/${VNET}?api-version=${NETWORK_API_VERSION}`
      await arm.sendRequest(createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ 'If-None-Match': '*' }) }))
      expect(az.arm.violations.all.map(formatViolation)).toEqual(['VirtualNetworks_Get: header.if-none-match: is not declared for this operation'])
      closed = az.close()
      await expect(closed).rejects.toThrow(/VirtualNetworks_Get: header\.if-none-match/)
    } finally {
      if (!closed) await az.close().catch(() => undefined)
    }
  })
})
