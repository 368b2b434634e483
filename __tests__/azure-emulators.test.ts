// The Azure emulators (Entra ID and ARM: Microsoft.Network and private DNS) driven through the real
// @azure/identity and @azure/arm-privatedns clients and the action's Microsoft.Network REST client
// (src/providers/azure/network-api.ts), and their link to the Zilliz emulator.
import { request as httpRequest } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startAzureEmulators, ALIAS, CLIENT_ID, DELEGATED_SUBNET, OTHER_VNET, PROBE_SUBNET, RESOURCE_GROUP, SUBNET, SUBSCRIPTION_ID, TENANT_ID, VNET, ids, type AzureEmulators } from '../emulators/azure/index.js'
import { ARM_RESOURCE } from '../emulators/azure/access-tokens.js'
import { ASSERTION_AUDIENCE } from '../emulators/azure/entra.js'
import { armClients, assertionCredential, secretCredential, type ArmClients } from '../emulators/azure/sdk-clients.js'
import { startService } from '../emulators/core/service.js'
import { ZILLIZ_SEED, ZillizEmulator } from '../emulators/zilliz.js'
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline'
import { armRequest } from '../src/providers/azure/arm-rest.js'
import { NETWORK_API_VERSION, type PrivateEndpoint, type Subnet } from '../src/providers/azure/network-api.js'
import { ZillizClient } from '../src/zilliz/client.js'

const ARM_SCOPE = `${ARM_RESOURCE}/.default`
const FAST_POLL = { updateIntervalInMs: 10 }

let az: AzureEmulators
let arm: ArmClients
beforeEach(async () => {
  az = await startAzureEmulators()
  arm = armClients(az, secretCredential(az), { maxRetries: 0 })
})
afterEach(async () => {
  await az.close()
})

interface Failure {
  name: string
  message: string
  code?: string
  statusCode?: number
}

async function caught(call: Promise<unknown>): Promise<Failure> {
  try {
    await call
  } catch (error) {
    return error as Failure
  }
  throw new Error('expected the call to fail')
}

const operations = (service = 'arm') => az.log.calls(service).map((c) => `${c.operation} ${c.status}`)

/** A private endpoint in ARM's wire shape; `properties` replace the defaults' of the same name. */
function endpointBody(overrides: Omit<PrivateEndpoint, 'properties'> & { properties?: Record<string, unknown> } = {}): PrivateEndpoint {
  const { properties, ...top } = overrides
  return {
    location: 'eastus',
    ...top,
    properties: {
      subnet: { id: ids.subnet() },
      manualPrivateLinkServiceConnections: [{ name: 'zilliz', properties: { privateLinkServiceId: ALIAS, requestMessage: 'test' } }],
      ...properties
    }
  }
}

/** Raw ARM GET with a bearer token, for what the SDK would not send (node:http adds no headers of its own, unlike fetch). */
function rawGet(path: string, token?: string): Promise<{ status: number; body: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${az.urls.arm}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code: string } } }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** The violations the emulator recorded, as operation: field, then forgotten (the test caused them on purpose). */
function takeViolations(): string[] {
  const found = az.arm.violations.all.map((v) => `${v.operation}: ${v.field}`)
  az.arm.violations.clear()
  return found
}

describe('Entra token endpoint', () => {
  it('issues an ARM token for a GitHub ID token, with one token POST and no discovery', async () => {
    const token = await assertionCredential(az).getToken(ARM_SCOPE)
    const claims = JSON.parse(Buffer.from(token!.token.split('.')[1]!, 'base64url').toString()) as Record<string, string>
    expect(claims).toMatchObject({ appid: CLIENT_ID, tid: TENANT_ID, aud: ARM_RESOURCE })
    expect(operations('entra')).toEqual(['GetToken 200'])
    expect(az.entra.presented).toEqual([expect.objectContaining({ clientId: CLIENT_ID, accepted: true })])
  })

  it('serves the openid configuration and instance discovery for custom authority hosts', async () => {
    const config = (await (await fetch(`${az.urls.entra}/${TENANT_ID}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(config['token_endpoint']).toBe(`https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/token`)
    expect(config['issuer']).toBe(`https://login.microsoftonline.com/${TENANT_ID}/v2.0`)
    const discovery = (await (await fetch(`${az.urls.entra}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`)).json()) as Record<string, string>
    expect(discovery['tenant_discovery_endpoint']).toContain(`/${TENANT_ID}/v2.0/.well-known/openid-configuration`)
  })

  it.each([
    ['another subject', { sub: 'repo:octo-org/octo-repo:pull_request' }, 'AADSTS700213', "subject 'repo:octo-org/octo-repo:pull_request'"],
    ['another audience', { aud: 'sts.amazonaws.com' }, 'AADSTS700212', "audience 'sts.amazonaws.com'"],
    ['another issuer', { iss: 'https://example.com' }, 'AADSTS700211', "issuer 'https://example.com'"],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }, 'AADSTS700024', 'not within its valid time range']
  ])('refuses an assertion with %s', async (_name, claims, code, fragment) => {
    const failure = await caught(assertionCredential(az, { assertion: () => az.oidc.mint(ASSERTION_AUDIENCE, claims) }).getToken(ARM_SCOPE))
    expect(failure.message).toContain(code)
    expect(failure.message).toContain(fragment)
    expect(az.entra.presented[0]?.accepted).toBe(false)
  })

  it('checks the signature against the OIDC emulator key', async () => {
    const token = az.oidc.mint(ASSERTION_AUDIENCE)
    const tampered = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`
    expect((await caught(assertionCredential(az, { assertion: () => tampered }).getToken(ARM_SCOPE))).message).toContain('AADSTS700027')
  })

  it('names an unknown tenant and an unknown application', async () => {
    const tenant = '11111111-1111-4111-8111-111111111111'
    expect((await caught(assertionCredential(az, { tenantId: tenant }).getToken(ARM_SCOPE))).message).toContain('AADSTS90002')
    expect((await caught(assertionCredential(az, { clientId: tenant }).getToken(ARM_SCOPE))).message).toContain('AADSTS700016')
  })

  it('accepts the client secret of the secret app, and refuses a wrong one', async () => {
    expect((await secretCredential(az).getToken(ARM_SCOPE))?.token).toBeTruthy()
    expect((await caught(secretCredential(az, 'wrong').getToken(ARM_SCOPE))).message).toContain('AADSTS7000215')
  })
})

describe('ARM authentication', () => {
  const vnetPath = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/${VNET}?api-version=2025-05-01`

  it('wants a bearer token Entra issued and still valid', async () => {
    expect(await rawGet(vnetPath)).toMatchObject({ status: 401, body: { error: { code: 'AuthenticationFailed' } } })
    expect(await rawGet(vnetPath, 'not-a-token')).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } })
    const { token: expired } = az.tokens.issue({ tenantId: TENANT_ID, clientId: CLIENT_ID, objectId: 'x', resource: ARM_RESOURCE }, -1)
    expect(await rawGet(vnetPath, expired)).toMatchObject({ status: 401, body: { error: { code: 'ExpiredAuthenticationToken' } } })
    const { token } = az.tokens.issue({ tenantId: TENANT_ID, clientId: CLIENT_ID, objectId: 'x', resource: ARM_RESOURCE }, 60)
    expect((await rawGet(vnetPath, token)).status).toBe(200)
    expect(takeViolations()).toEqual([])
    expect(await rawGet(vnetPath.replace(/\?.*/, ''), token)).toMatchObject({ status: 400, body: { error: { code: 'MissingApiVersionParameter' } } })
    expect(takeViolations()).toEqual(['VirtualNetworks_Get: query.api-version'])
  })

  it('answers unknown subscriptions, groups and networks with CloudErrors the SDK parses', async () => {
    const other = armClients(az, secretCredential(az), { maxRetries: 0 })
    expect(await caught(other.network.virtualNetwork('nope-rg', VNET))).toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' })
    expect(await caught(other.network.virtualNetwork(RESOURCE_GROUP, 'nope'))).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' })
    const stranger = armClients(az, secretCredential(az), { maxRetries: 0, subscriptionId: '22222222-2222-4222-8222-222222222222' }).network
    expect(await caught(stranger.virtualNetwork(RESOURCE_GROUP, VNET))).toMatchObject({ statusCode: 404, code: 'SubscriptionNotFound' })
  })

  it('retries a 429 after Retry-After: 0 through the pipeline\'s retry policy', async () => {
    az.switches.inject({ service: 'arm', operation: 'VirtualNetworks_Get', status: 429, code: 'SubscriptionRequestsThrottled', times: 1 })
    const started = Date.now()
    const retrying = armClients(az)
    expect((await retrying.network.virtualNetwork(RESOURCE_GROUP, VNET)).name).toBe(VNET)
    expect(operations().filter((o) => o.startsWith('VirtualNetworks_Get'))).toEqual(['VirtualNetworks_Get 429', 'VirtualNetworks_Get 200'])
    expect(Date.now() - started).toBeLessThan(2000)
  })
})

describe('Microsoft.Network', () => {
  it('reads the seeded network with its subnets and delegations', async () => {
    const vnet = await arm.network.virtualNetwork(RESOURCE_GROUP, VNET)
    expect(vnet).toMatchObject({ location: 'eastus', properties: { addressSpace: { addressPrefixes: ['10.20.0.0/16'] } } })
    expect(vnet.properties?.subnets?.map((s) => s.name)).toEqual([SUBNET, DELEGATED_SUBNET, PROBE_SUBNET])
    expect(vnet.properties?.subnets?.[1]?.properties?.delegations?.[0]?.properties?.serviceName).toBe('Microsoft.Web/serverFarms')
    const subnet = await armRequest<Subnet>(arm.arm, 'GET', ids.subnet(SUBNET), NETWORK_API_VERSION, () => undefined)
    expect(subnet.body?.properties?.addressPrefix).toBe('10.20.1.0/24')
    expect(operations().at(-1)).toBe('Subnets_Get 200')
    expect((await arm.network.virtualNetwork(RESOURCE_GROUP, OTHER_VNET)).location).toBe('westus')
  })

  it('creates a private endpoint as a long-running operation, Pending until accepted, with the IP on its NIC', async () => {
    az.arm.operations.inProgressPolls = 1
    const created = await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody())
    expect(operations()).toEqual(['PrivateEndpoints_CreateOrUpdate 201', 'NetworkOperationStatus_Get 200', 'NetworkOperationStatus_Get 200', 'PrivateEndpoints_Get 200'])
    expect(takeViolations()).toEqual([])
    expect(created.properties?.provisioningState).toBe('Succeeded')
    const connection = created.properties?.manualPrivateLinkServiceConnections?.[0]
    expect(connection?.properties?.privateLinkServiceId).toBe(ALIAS)
    expect(connection?.properties?.privateLinkServiceConnectionState?.status).toBe('Pending')
    const nicName = created.properties?.networkInterfaces?.[0]?.id?.split('/').pop() as string
    const nic = await arm.network.networkInterface(RESOURCE_GROUP, nicName)
    expect(nic.properties?.ipConfigurations?.[0]?.properties?.privateIPAddress).toBe('10.20.1.4')

    const state = az.arm.network.endpoint('pe-test')!
    const registrationId = `pe-test.${state.resourceGuid}`
    expect(az.world.endpoints.has('azure', registrationId)).toBe(true)
    az.world.setAccepted('azure', registrationId, true)
    const approved = await arm.network.privateEndpoint(RESOURCE_GROUP, 'pe-test')
    expect(approved.properties?.manualPrivateLinkServiceConnections?.[0]?.properties?.privateLinkServiceConnectionState?.status).toBe('Approved')
  })

  it('answers a repeated PUT with 200 and the same endpoint; If-None-Match is not declared for it', async () => {
    await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody())
    const guid = az.arm.network.endpoint('pe-test')?.resourceGuid
    await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody({ tags: { team: 'search' } }))
    expect(az.arm.network.endpoint('pe-test')).toMatchObject({ resourceGuid: guid, tags: { team: 'search' } })
    expect(operations().filter((o) => o.startsWith('PrivateEndpoints_CreateOrUpdate'))).toEqual(['PrivateEndpoints_CreateOrUpdate 201', 'PrivateEndpoints_CreateOrUpdate 200'])
    expect(az.arm.state.networkInterfaces.size).toBe(1)
    const url = `${arm.arm.$host}/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/privateEndpoints/pe-test?api-version=${NETWORK_API_VERSION}`
    const headers = createHttpHeaders({ 'content-type': 'application/json', 'If-None-Match': '*' })
    const createOnly = await arm.arm.sendRequest(createPipelineRequest({ url, method: 'PUT', headers, body: JSON.stringify(endpointBody()) }))
    expect({ status: createOnly.status, code: (JSON.parse(createOnly.bodyAsText ?? '{}') as { error?: { code?: string } }).error?.code }).toEqual({ status: 412, code: 'PreconditionFailed' })
    // Microsoft.Network 2025-05-01 declares no If-None-Match on PrivateEndpoints_CreateOrUpdate, so the action never sends one.
    expect(takeViolations()).toEqual(['PrivateEndpoints_CreateOrUpdate: header.if-none-match'])
  })

  it.each([
    ['a subnet in another region', { location: 'eastus', properties: { subnet: { id: ids.subnet('default', OTHER_VNET) } } }, 'InvalidResourceReference'],
    ['a delegated subnet', { properties: { subnet: { id: ids.subnet(DELEGATED_SUBNET) } } }, 'PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations'],
    ['an unknown alias', { properties: { manualPrivateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: 'nobody.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice' } }] } }, 'PrivateLinkServiceAliasNotFound'],
    ['an automatic connection to the alias', { properties: { manualPrivateLinkServiceConnections: [], privateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: ALIAS } }] } }, 'PrivateLinkServiceRequiresManualApproval'],
    ['tag names Azure reserves', { tags: { 'a/b': 'x' } }, 'InvalidTagNameCharacters']
  ])('refuses an endpoint with %s', async (_name, overrides, code) => {
    expect(await caught(arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-bad', endpointBody(overrides)))).toMatchObject({ statusCode: 400, code })
    expect(az.log.writes()).toEqual([])
  })

  it('refuses to move an endpoint to another subnet', async () => {
    az.arm.state.virtualNetworks.get(ids.vnet().toLowerCase())?.subnets.push({ name: 'second', addressPrefix: '10.20.3.0/24', delegations: [], used: new Set() })
    await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody())
    const moved = await caught(arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody({ properties: { subnet: { id: ids.subnet('second') } } })))
    expect(moved).toMatchObject({ statusCode: 400, code: 'PrivateEndpointSubnetCannotBeChanged' })
  })

  it('deletes an endpoint and its network interface as a long-running operation followed to its end', async () => {
    await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody())
    az.arm.operations.inProgressPolls = 1
    az.log.clear()
    await arm.network.deletePrivateEndpoint(RESOURCE_GROUP, 'pe-test')
    expect(operations()).toEqual(['PrivateEndpoints_Delete 202', 'NetworkOperationStatus_Get 200', 'NetworkOperationStatus_Get 200'])
    expect(takeViolations()).toEqual([])
    expect(az.arm.network.endpoint('pe-test')).toBeUndefined()
    expect(az.arm.state.networkInterfaces.size).toBe(0)
    expect(await caught(arm.network.privateEndpoint(RESOURCE_GROUP, 'pe-test'))).toMatchObject({ statusCode: 404 })
  })

  it('surfaces a failed long-running operation and leaves the endpoint Failed', async () => {
    az.arm.operations.failNext('PrivateEndpoints_CreateOrUpdate', { code: 'InternalServerError', message: 'Injected provisioning failure' })
    const failure = await caught(arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody()))
    expect(failure.message).toMatch(/long-running operation has failed/i)
    expect(failure.message).toContain('Injected provisioning failure')
    expect(az.arm.network.endpoint('pe-test')?.provisioningState).toBe('Failed')
  })
})

describe('private DNS', () => {
  const zone = `${ZILLIZ_SEED.clusters.azure}-privatelink.az-eastus.vectordb.zillizcloud.com`

  it('creates a zone with a 202 long-running operation; If-None-Match goes on the PUT only', async () => {
    az.arm.operations.inProgressPolls = 1
    const created = await arm.dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, { location: 'global' }, { ifNoneMatch: '*', ...FAST_POLL })
    expect(created.provisioningState).toBe('Succeeded')
    expect(operations()).toEqual(['PrivateZones_CreateOrUpdate 202', 'PrivateDnsOperationStatus_Get 200', 'PrivateDnsOperationStatus_Get 200', 'PrivateZones_Get 200'])
    expect(takeViolations()).toEqual([])
    const again = await caught(arm.dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, { location: 'global' }, { ifNoneMatch: '*', ...FAST_POLL }))
    expect(again).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' })
  })

  it('holds the SDK alone to the spec: it repeats If-None-Match on the poll and the final GET, which the action\'s policy stops', async () => {
    const shipped = armClients(az, secretCredential(az), { maxRetries: 0, asShipped: true })
    await shipped.dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, { location: 'global' }, { ifNoneMatch: '*', ...FAST_POLL })
    expect(takeViolations()).toEqual(['PrivateDnsOperationStatus_Get: header.if-none-match', 'PrivateZones_Get: header.if-none-match'])
    await arm.dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, 'link-1', { location: 'global', virtualNetwork: { id: ids.vnet() }, registrationEnabled: false }, { ifNoneMatch: '*', ...FAST_POLL })
    expect(takeViolations()).toEqual([])
    expect(az.log.calls('arm').at(-1)?.operation).toBe('VirtualNetworkLinks_Get')
  })

  it('wants location global and a parent zone for nested resources', async () => {
    expect(await caught(arm.dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, { location: 'eastus' }, FAST_POLL))).toMatchObject({ statusCode: 400 })
    const orphan = arm.dns.recordSets.createOrUpdate(RESOURCE_GROUP, zone, 'A', '@', { ttl: 300, aRecords: [{ ipv4Address: '10.20.1.4' }] })
    expect(await caught(orphan)).toMatchObject({ statusCode: 404, code: 'ParentResourceNotFound' })
  })

  it('links a network once per zone and keeps A records with etags', async () => {
    await arm.dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, { location: 'global' }, FAST_POLL)
    const link = await arm.dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, 'link-1', { location: 'global', virtualNetwork: { id: ids.vnet() }, registrationEnabled: false }, FAST_POLL)
    expect(link).toMatchObject({ provisioningState: 'Succeeded', virtualNetworkLinkState: 'Completed', registrationEnabled: false })
    const second = arm.dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(RESOURCE_GROUP, zone, 'link-2', { location: 'global', virtualNetwork: { id: ids.vnet() } }, FAST_POLL)
    expect(await caught(second)).toMatchObject({ statusCode: 409, code: 'Conflict' })

    const created = await arm.dns.recordSets.createOrUpdate(RESOURCE_GROUP, zone, 'A', '@', { ttl: 300, aRecords: [{ ipv4Address: '10.20.1.4' }] }, { ifNoneMatch: '*' })
    expect(created.fqdn).toBe(`${zone}.`)
    const stale = created.etag as string
    const replaced = await arm.dns.recordSets.createOrUpdate(RESOURCE_GROUP, zone, 'A', '@', { ttl: 300, aRecords: [{ ipv4Address: '10.20.1.5' }] }, { ifMatch: stale })
    expect(replaced.aRecords).toEqual([{ ipv4Address: '10.20.1.5' }])
    expect(operations().filter((o) => o.startsWith('RecordSets'))).toEqual(['RecordSets_CreateOrUpdate 201', 'RecordSets_CreateOrUpdate 200'])
    const conflict = arm.dns.recordSets.createOrUpdate(RESOURCE_GROUP, zone, 'A', '@', { ttl: 300, aRecords: [{ ipv4Address: '10.9.9.9' }] }, { ifMatch: stale })
    expect(await caught(conflict)).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' })
    expect((await arm.dns.recordSets.get(RESOURCE_GROUP, zone, 'A', '@')).aRecords).toEqual([{ ipv4Address: '10.20.1.5' }])
  })
})

describe('role-based access', () => {
  it('refuses writes a read-only role lacks, naming the action, and linked joins separately', async () => {
    const reader = armClients(az, assertionCredential(az), { maxRetries: 0 })
    az.arm.rbac.assign(CLIENT_ID, ['Microsoft.Network/*/read'])
    expect((await reader.network.virtualNetwork(RESOURCE_GROUP, VNET)).name).toBe(VNET)
    const denied = await caught(reader.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody()))
    expect(denied).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' })
    expect(denied.message).toContain("'Microsoft.Network/privateEndpoints/write'")
    az.arm.rbac.assign(CLIENT_ID, ['Microsoft.Network/*/read', 'Microsoft.Network/privateEndpoints/write'])
    const linked = await caught(reader.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody()))
    expect(linked).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' })
    expect(linked.message).toContain('Microsoft.Network/virtualNetworks/subnets/join/action')
  })
})

describe('acceptance by Zilliz', () => {
  it('keeps the connection Pending until the Zilliz emulator accepts the registration', async () => {
    const zilliz = new ZillizEmulator({ world: az.world })
    const server = await startService(zilliz, az.log, az.switches)
    try {
      await arm.network.putPrivateEndpoint(RESOURCE_GROUP, 'pe-test', endpointBody())
      const endpointId = `pe-test.${az.arm.network.endpoint('pe-test')?.resourceGuid}`
      const client = new ZillizClient({ apiUrl: server.url, apiKey: ZILLIZ_SEED.apiKey, retry: { attempts: 1, baseMs: 1, maxMs: 1 } })
      const refused = await caught(client.registerPrivateEndpoint(ZILLIZ_SEED.projectId, { regionId: ZILLIZ_SEED.regions.azure, endpointId }))
      expect(refused.message).toMatch(/whitelist/i)
      expect(az.arm.network.endpoint('pe-test')?.connection.status).toBe('Pending')
      await client.addWhitelistEntry(ZILLIZ_SEED.projectId, ZILLIZ_SEED.regions.azure, SUBSCRIPTION_ID)
      await client.registerPrivateEndpoint(ZILLIZ_SEED.projectId, { regionId: ZILLIZ_SEED.regions.azure, endpointId })
      await client.listPrivateEndpoints(ZILLIZ_SEED.projectId)
      expect(az.arm.network.endpoint('pe-test')?.connection.status).toBe('Approved')
    } finally {
      await server.close()
    }
  })
})
