// The whole action on Azure: run() exactly as the runner drives it, through @azure/identity and the ARM
// SDKs, against the loopback Entra, ARM and Zilliz emulators. Assertions read the call log and state.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type EmulatorOptions, type Emulators } from '../emulators/index.js'
import { ALIAS, CLIENT_ID, CLIENT_SECRET, DELEGATED_SUBNET, OTHER_VNET, RESOURCE_GROUP, SECRET_CLIENT_ID, SUBNET, SUBSCRIPTION_ID, TENANT_ID, VNET, azureInputs, ids } from '../emulators/azure/index.js'
import { ASSERTION_AUDIENCE } from '../emulators/azure/entra.js'
import { armClients, secretCredential } from '../emulators/azure/sdk-clients.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { armRequest } from '../src/providers/azure/arm-rest.js'
import { NETWORK_API_VERSION } from '../src/providers/azure/network-api.js'
import { errorLine, expectApplyCorrects, expectFreshPlan, expectNamedError, expectNamedInputError, expectNoOidcToken, expectPlanAfterApplyConverged, expectReapplyKeepsEverything, expectSecretsHidden, expectSuccess, expectVerifiedApply, expectWaitTimedOut, planStep, planSteps, sortedWrites, unmaskedLog, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

async function restart(options: EmulatorOptions): Promise<void> {
  await emulators.close()
  emulators = await startEmulators(options)
}

const run = (overrides: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, overrides), ...env })

const writes = (service?: string) => sortedWrites(emulators.log, service)
const armCalls = () => emulators.log.calls('arm')
const sdk = () => armClients(emulators.azure, secretCredential(emulators.azure))

const CLUSTER = ZILLIZ_SEED.clusters.azure
const HOST = `${CLUSTER}-privatelink.az-eastus.vectordb.zillizcloud.com`
const FAST_POLL = { updateIntervalInMs: 10 }

const FRESH_APPLY_WRITES = [
  'arm:PrivateEndpoints_CreateOrUpdate',
  'arm:PrivateZones_CreateOrUpdate',
  'arm:RecordSets_CreateOrUpdate',
  'arm:VirtualNetworkLinks_CreateOrUpdate',
  'zilliz:AddPrivateEndpointWhitelist',
  'zilliz:CreatePrivateEndpoint'
]

async function endpointByHand(name: string, alias: string = ALIAS): Promise<void> {
  await sdk().network.putPrivateEndpoint(RESOURCE_GROUP, name, {
    location: 'eastus',
    properties: { subnet: { id: ids.subnet() }, manualPrivateLinkServiceConnections: [{ name, properties: { privateLinkServiceId: alias } }] }
  })
}

describe('apply', () => {
  it('creates exactly the expected resources on a fresh world and verifies the link', async () => {
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    expect(result.outputs['changes-count']).toBe('6')

    const endpoints = [...emulators.azure.arm.state.privateEndpoints.values()]
    expect(endpoints).toHaveLength(1)
    const endpoint = endpoints[0]!
    expect(endpoint).toMatchObject({ provisioningState: 'Succeeded', manual: true, subnetId: ids.subnet() })
    expect(endpoint.connection).toMatchObject({ target: ALIAS, status: 'Approved' })
    expect(endpoint.tags['zilliz-private-link:project']).toBe(ZILLIZ_SEED.projectId)
    expect(result.outputs['endpoint-id']).toBe(`${endpoint.name}.${endpoint.resourceGuid}`)
    expect(emulators.zilliz.state.registrations.map((r) => r.endpointId)).toEqual([result.outputs['endpoint-id']])
    expect(emulators.zilliz.state.whitelist).toEqual([expect.objectContaining({ outerUserId: SUBSCRIPTION_ID, regionId: 'az-eastus' })])

    const zone = emulators.azure.arm.dns.zone(HOST)!
    expect(zone.provisioningState).toBe('Succeeded')
    expect([...zone.links.values()]).toEqual([expect.objectContaining({ vnetId: ids.vnet(), registrationEnabled: false, linkState: 'Completed' })])
    expect(zone.records.get('A/@')?.ips).toEqual(['10.20.1.4'])
    expect(JSON.parse(result.outputs['dns-zone-ids'] ?? '[]')).toEqual([zone.id])
    expect(result.outputs['private-link']).toBe(HOST)
    expect(result.summary).toContain('APPLY')
  })

  it('makes zero writes when run again, and keeps every step', async () => {
    await expectReapplyKeepsEverything(run, emulators.log)
  })

  it('works with ambient credentials (DefaultAzureCredential) and no azure-client-id', async () => {
    const result = await run(
      { mode: 'apply', 'azure-tenant-id': '', 'azure-client-id': '' },
      { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: SECRET_CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET }
    )
    expectSuccess(result)
    expect(emulators.log.count('GetIDToken', 'oidc')).toBe(0)
    expect(emulators.azure.entra.presented).toEqual([])
    expect(result.summary).toContain('ambient Azure credentials')
  })
})

describe('plan', () => {
  it('makes zero writes on a fresh world and lists every change', async () => {
    const result = await run({ mode: 'plan' })
    expectFreshPlan(result, writes(), [
      'create private-endpoint',
      'wait private-endpoint-approved',
      `create dns-zone:${CLUSTER}`,
      `create dns-link:${CLUSTER}`,
      `create dns-record:${CLUSTER}`,
      'create zilliz-whitelist',
      'create zilliz-registration'
    ])
  })

  it('makes zero writes after an apply and reports no changes', async () => {
    await expectPlanAfterApplyConverged(run, emulators.log)
  })
})

describe('whitelist', () => {
  it('whitelists the subscription only when the region requires it', async () => {
    emulators.zilliz.state.regions.find((r) => r.regionId === 'az-eastus')!.whitelistRequired = false
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('AddPrivateEndpointWhitelist', 'zilliz')).toBe(0)
    expect(planStep(result, 'zilliz-whitelist')).toBeUndefined()
  })

  it('does not register the endpoint while the whitelist entry is missing', async () => {
    emulators.switches.inject({ service: 'zilliz', operation: 'AddPrivateEndpointWhitelist', status: 400, code: '96900', message: 'Injected refusal', times: 1 })
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('depends on zilliz-whitelist')
    expect(emulators.log.count('CreatePrivateEndpoint', 'zilliz')).toBe(0)
    // The alias may not resolve for an unlisted subscription, so the endpoint waits for the whitelist too.
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(0)
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes('zilliz')).toEqual(['zilliz:AddPrivateEndpointWhitelist', 'zilliz:CreatePrivateEndpoint'])
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
  })

  it('creates the private endpoint only once the subscription is on the whitelist', async () => {
    // A slow whitelist call shows the order: a PUT sent alongside it would be answered first.
    emulators.switches.latency['zilliz:AddPrivateEndpointWhitelist'] = 400
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    const order = emulators.log.calls().filter((c) => c.write).map((c) => c.operation)
    expect(order.indexOf('AddPrivateEndpointWhitelist')).toBeLessThan(order.indexOf('PrivateEndpoints_CreateOrUpdate'))
    expect(planStep(result, 'private-endpoint')?.dependsOn).toEqual(['zilliz-whitelist'])
  })

  it('does not wait for a whitelist the region does not require', async () => {
    emulators.zilliz.state.regions.find((r) => r.regionId === 'az-eastus')!.whitelistRequired = false
    const plan = await run({ mode: 'plan' })
    expect(planStep(plan, 'private-endpoint')?.dependsOn).toEqual([])
  })
})

describe('reads that need no answer of each other go out together', () => {
  // One slowed read shows the order: a read sent beside it is answered first, one sent after it cannot be.
  const answered = () => emulators.log.calls().map((c) => c.operation)

  it('observes the network, the endpoints and the zones in one round', async () => {
    emulators.switches.latency['arm:VirtualNetworks_Get'] = 400
    expectSuccess(await run({ mode: 'plan' }))
    const order = answered()
    expect(order.indexOf('PrivateEndpoints_List')).toBeLessThan(order.indexOf('VirtualNetworks_Get'))
    expect(order.indexOf('PrivateZones_ListByResourceGroup')).toBeLessThan(order.indexOf('VirtualNetworks_Get'))
  })

  it('registers the endpoint while its network interface is still being read', async () => {
    emulators.switches.latency['arm:NetworkInterfaces_Get'] = 400
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    const order = answered()
    expect(order.indexOf('CreatePrivateEndpoint')).toBeLessThan(order.indexOf('NetworkInterfaces_Get'))
    // The record still holds the IP the interface has.
    expect(emulators.azure.arm.dns.zone(HOST)!.records.get('A/@')?.ips).toEqual(['10.20.1.4'])
  })

  it("verifies each zone's links and record beside the zone", async () => {
    // After a fresh apply only verification lists the links and reads the record.
    emulators.switches.latency['arm:VirtualNetworkLinks_List'] = 400
    expectVerifiedApply(await run({ mode: 'apply' }), writes(), FRESH_APPLY_WRITES)
    const order = answered()
    expect(order.indexOf('RecordSets_Get')).toBeGreaterThan(-1)
    expect(order.indexOf('RecordSets_Get')).toBeLessThan(order.indexOf('VirtualNetworkLinks_List'))
  })

  it('asks GitHub for one ID token per Entra token request', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    expect(emulators.azure.entra.presented.length).toBeGreaterThan(0)
    expect(emulators.log.count('GetIDToken', 'oidc')).toBe(emulators.azure.entra.presented.length)
  })
})

describe('adoption and drift', () => {
  it('adopts an endpoint to the alias made by hand instead of creating a second one', async () => {
    await endpointByHand('pe-by-hand')
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(0)
    expect(emulators.azure.arm.state.privateEndpoints.size).toBe(1)
    expect(result.outputs['endpoint-id']).toMatch(/^pe-by-hand\.[0-9a-f-]{36}$/)
    expect(planStep(result, 'private-endpoint')).toMatchObject({ action: 'keep', reason: expect.stringContaining('adopted') })
    expect(result.outputs['verified']).toBe('true')
  })

  it('tags on the creating PUT itself: a run stopped right after the PUT leaves tagged resources, and the next apply adopts them with no second write', async () => {
    // The endpoint's PUT and its long-running operation succeed; the run dies at the very next call.
    emulators.switches.inject({ service: 'arm', operation: 'NetworkInterfaces_Get', status: 400, code: 'InjectedCrash', message: 'the run stops here', times: 1 })
    const crashed = await run({ mode: 'apply' })
    expect(crashed.exitCode).toBe(1)
    const ownership = {
      'zilliz-private-link:managed-by': 'zilliz-private-link',
      'zilliz-private-link:project': ZILLIZ_SEED.projectId,
      'zilliz-private-link:region': 'az-eastus',
      'zilliz-private-link:repository': 'octo-org/octo-repo'
    }
    const { state } = emulators.azure.arm
    const left = [...state.privateEndpoints.values(), ...state.privateZones.values(), ...[...state.privateZones.values()].flatMap((z) => [...z.links.values()])]
    expect(state.privateEndpoints.size).toBe(1)
    for (const resource of left) expect(resource.tags).toMatchObject(ownership)
    // Azure has no separate tagging call in this flow: every ARM write is a creating PUT.
    expect(new Set(emulators.log.writes('arm').map((c) => c.method))).toEqual(new Set(['PUT']))

    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(planStep(again, 'private-endpoint')).toMatchObject({ action: 'keep', reason: expect.not.stringContaining('adopted') })
    for (const operation of ['PrivateEndpoints_CreateOrUpdate', 'PrivateZones_CreateOrUpdate', 'VirtualNetworkLinks_CreateOrUpdate'])
      expect(emulators.log.writes('arm').filter((c) => c.operation === operation)).toHaveLength(1)
    expect(state.privateEndpoints.size).toBe(1)
  })

  it('adopts a zone and a network link made by hand and only adds the record', async () => {
    const { dns } = sdk()
    await dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, HOST, { location: 'global' }, FAST_POLL)
    await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(RESOURCE_GROUP, HOST, 'made-by-hand', { location: 'global', virtualNetwork: { id: ids.vnet() }, registrationEnabled: true }, FAST_POLL)
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(writes('arm')).toEqual(['arm:PrivateEndpoints_CreateOrUpdate', 'arm:RecordSets_CreateOrUpdate'])
    expect(planStep(result, `dns-link:${CLUSTER}`)).toMatchObject({ action: 'keep', reason: expect.stringContaining('auto-registration on') })
  })

  it('corrects a record that points elsewhere, then makes zero writes', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    await sdk().dns.recordSets.createOrUpdate(RESOURCE_GROUP, HOST, 'A', '@', { ttl: 60, aRecords: [{ ipv4Address: '10.9.9.9' }] })
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expect(planSteps(plan).filter((s) => s.action === 'update').map((s) => s.id)).toEqual([`dns-record:${CLUSTER}`])
    expect(planStep(plan, `dns-record:${CLUSTER}`)?.reason).toContain('10.9.9.9')
    expect(verificationChecks(plan).find((c) => c.id === `dns-record:${CLUSTER}`)?.status).toBe('fail')
    await expectApplyCorrects(run, emulators.log, ['arm:RecordSets_CreateOrUpdate'])
  })

  it('reports an endpoint of the configured name that connects elsewhere, without writing', async () => {
    const otherAlias = 'someone-else.0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.eastus.azure.privatelinkservice'
    emulators.azure.arm.state.aliases.add(otherAlias)
    await endpointByHand('pe-taken', otherAlias)
    emulators.log.clear()
    const result = await run({ mode: 'apply', 'azure-endpoint-name': 'pe-taken' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('azure-endpoint-name: private endpoint pe-taken connects to someone-else')
    expect(writes()).toEqual([])
  })

  it('reports a connection Zilliz disconnected, which only a new endpoint can replace', async () => {
    const first = await run({ mode: 'apply' })
    expectSuccess(first)
    emulators.azure.arm.network.setConnectionStatus(first.outputs['endpoint-id'] ?? '', 'Disconnected')
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(planStep(result, 'private-endpoint-approved')).toMatchObject({ action: 'wait', reason: expect.stringContaining('will not recover') })
    expect(errorLine(result)).toMatch(/the connection is Disconnected; delete private endpoint \S+ and re-run/)
    expect(writes()).toEqual([])
  })

  it('surfaces a long-running operation that failed for good, without retrying it; a re-run puts the endpoint again and converges', async () => {
    emulators.azure.arm.operations.failNext('PrivateEndpoints_CreateOrUpdate', { code: 'PrivateEndpointCreationNotAllowed', message: 'Injected provisioning failure' })
    const failed = await run({ mode: 'apply' })
    expect(failed.exitCode).toBe(1)
    expect(errorLine(failed)).toMatch(/Step private-endpoint failed: .*long-running operation has failed.*Injected provisioning failure/i)
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
    emulators.log.clear()
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(planStep(again, 'private-endpoint')).toMatchObject({ action: 'update', reason: expect.stringContaining('Failed') })
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
    expect(emulators.azure.arm.state.privateEndpoints.size).toBe(1)
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })
})

describe('a host Zilliz allocates other than the documented pattern', () => {
  const ALLOCATED = `${CLUSTER}.pl-eastus.vectordb.zillizcloud.com`
  const allocateOtherHost = () => (emulators.zilliz.state.clusters.find((c) => c.clusterId === CLUSTER)!.privateLinkHost = ALLOCATED)

  it('replaces the zone made for the guess with one for the allocated host, saying why, and converges', async () => {
    allocateOtherHost()
    const { rbac } = emulators.azure.arm
    const applyRole = JSON.parse(readFileSync('docs/policies/azure-apply.json', 'utf8')) as { Actions: string[] }
    rbac.assign(CLIENT_ID, applyRole.Actions)
    // The first run builds DNS from the pattern while Zilliz accepts; only then is the real host known.
    const first = await run({ mode: 'apply' })
    expect(emulators.azure.arm.dns.zone(HOST)).toBeDefined()
    expect(verificationChecks(first).find((c) => c.id === `private-link:${CLUSTER}`)?.status).toBe('fail')

    emulators.log.clear()
    const second = await run({ mode: 'apply' })
    expectSuccess(second)
    expect(planStep(second, `dns-zone-replaced:${CLUSTER}`)).toMatchObject({ action: 'delete', name: HOST, reason: expect.stringContaining(`Zilliz allocated ${ALLOCATED} for ${CLUSTER}`) })
    expect(second.summary).toContain('to delete')
    expect(writes('arm')).toEqual(['arm:PrivateZones_CreateOrUpdate', 'arm:PrivateZones_Delete', 'arm:RecordSets_CreateOrUpdate', 'arm:VirtualNetworkLinks_CreateOrUpdate', 'arm:VirtualNetworkLinks_Delete'])
    expect(emulators.azure.arm.dns.zone(HOST)).toBeUndefined()
    expect(emulators.azure.arm.dns.zone(ALLOCATED)?.records.get('A/@')?.ips).toEqual(['10.20.1.4'])
    expect(second.outputs['verified']).toBe('true')
    expect(rbac.checked.has('Microsoft.Network/privateDnsZones/delete')).toBe(true)

    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('leaves a zone for the documented host that is not its own', async () => {
    await sdk().dns.privateZones.beginCreateOrUpdateAndWait(RESOURCE_GROUP, HOST, { location: 'global', tags: { team: 'search' } }, FAST_POLL)
    expectSuccess(await run({ mode: 'apply' }))
    allocateOtherHost()
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(planStep(again, `dns-zone-replaced:${CLUSTER}`)).toBeUndefined()
    expect(emulators.azure.arm.dns.zone(HOST)).toBeDefined()
    expect(emulators.azure.arm.dns.zone(ALLOCATED)).toBeDefined()
  })
})

describe('transient failures converge in the first run', () => {
  it('puts the endpoint again when its operation ends Failed with a retryable code', async () => {
    emulators.azure.arm.operations.failNext('PrivateEndpoints_CreateOrUpdate', { code: 'RetryableError', message: 'A retryable error occurred.' })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(armCalls().filter((c) => c.operation === 'PrivateEndpoints_CreateOrUpdate').map((c) => c.status)).toEqual([201, 200])
    expect(result.outputs['verified']).toBe('true')
    expect(emulators.azure.arm.state.privateEndpoints.size).toBe(1)
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('repairs a zone and a link whose operations failed transiently, over their own etags', async () => {
    const { operations } = emulators.azure.arm
    operations.failNext('PrivateZones_CreateOrUpdate', { code: 'InternalServerError', message: 'Injected' })
    operations.failNext('VirtualNetworkLinks_CreateOrUpdate', { code: 'RetryableError', message: 'Injected' })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    // The create again (If-None-Match) finds the failed resource (412) and puts it again over its etag.
    const statuses = (operation: string) => armCalls().filter((c) => c.operation === operation).map((c) => c.status)
    expect(statuses('PrivateZones_CreateOrUpdate')).toEqual([202, 412, 202])
    expect(statuses('VirtualNetworkLinks_CreateOrUpdate')).toEqual([202, 412, 202])
    expect(emulators.azure.arm.state.privateZones.size).toBe(1)
    expect(result.outputs['verified']).toBe('true')
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('waits for an endpoint left Updating instead of judging it, then adopts it', async () => {
    const { operations } = emulators.azure.arm
    // An operation nobody polls to its end (a cancelled run) ends by itself a little later.
    operations.unpolledCompletionMs = 1500
    operations.inProgressPolls = 1000
    // The PUT alone, its operation not followed.
    await armRequest(sdk().arm, 'PUT', `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/privateEndpoints/pe-cancelled`, NETWORK_API_VERSION, () => undefined, {
      location: 'eastus',
      properties: { subnet: { id: ids.subnet() }, manualPrivateLinkServiceConnections: [{ name: 'pe-cancelled', properties: { privateLinkServiceId: ALIAS } }] }
    })
    operations.inProgressPolls = 0
    expect(emulators.azure.arm.network.endpoint('pe-cancelled')?.provisioningState).toBe('Updating')
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(planStep(result, 'private-endpoint')).toMatchObject({ name: 'pe-cancelled', action: 'wait', reason: expect.stringContaining('Updating') })
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
    expect(result.outputs['verified']).toBe('true')
  })

  it('never retries a refusal: permission denied and an invalid request fail at once', async () => {
    emulators.switches.inject({ service: 'arm', operation: 'PrivateEndpoints_CreateOrUpdate', status: 403, code: 'AuthorizationFailed', message: 'no write permission', times: 1 })
    const denied = await run({ mode: 'apply' })
    expect(denied.exitCode).toBe(1)
    expect(errorLine(denied)).toContain('AuthorizationFailed')
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
    emulators.log.clear()
    emulators.switches.inject({ service: 'arm', operation: 'PrivateEndpoints_CreateOrUpdate', status: 400, code: 'InvalidRequestFormat', message: 'bad body', times: 1 })
    const invalid = await run({ mode: 'apply' })
    expect(invalid.exitCode).toBe(1)
    expect(errorLine(invalid)).toContain('InvalidRequestFormat')
    expect(emulators.log.count('PrivateEndpoints_CreateOrUpdate', 'arm')).toBe(1)
  })
})

describe('errors and throttling', () => {
  it('retries ARM 429s after Retry-After and still converges', async () => {
    for (const operation of ['VirtualNetworks_Get', 'PrivateEndpoints_CreateOrUpdate', 'RecordSets_CreateOrUpdate'])
      emulators.switches.inject({ service: 'arm', operation, status: 429, code: 'SubscriptionRequestsThrottled', message: 'Number of requests exceeded the limit', times: 1 })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(armCalls().filter((c) => c.operation === 'PrivateEndpoints_CreateOrUpdate').map((c) => c.status)).toEqual([429, 201])
    expect(armCalls().filter((c) => c.status === 429)).toHaveLength(3)
    expect(writes()).toEqual(FRESH_APPLY_WRITES)
  })

  it('names status and request when a step fails with an answer that has no message (a bare 304)', async () => {
    emulators.switches.inject({ service: 'arm', operation: 'PrivateDnsOperationStatus_Get', status: 304, code: 'NotModified', message: '', times: 1 })
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toMatch(/Step dns-zone:\S+ failed: Azure PrivateDnsOperationStatus_Get failed \(no error code, HTTP 304\)\./)
  })

  it('retries a failed Entra token request with a fresh GitHub ID token', async () => {
    emulators.switches.inject({ service: 'entra', operation: 'GetToken', status: 503, code: 'temporarily_unavailable', message: 'Injected outage', times: 1 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    const sequence = emulators.log.calls().filter((c) => c.service === 'entra' || c.service === 'oidc').map((c) => `${c.service}:${c.status}`)
    const failedAt = sequence.indexOf('entra:503')
    expect(failedAt).toBeGreaterThan(0)
    expect(sequence.slice(failedAt + 1, sequence.indexOf('entra:200'))).toContain('oidc:200')
    expect(result.log).toContain('with a fresh ID token')
  })

  it('explains a federated credential that does not match, with the claims, and does not retry', async () => {
    emulators.azure.entra.setFederatedSubject(CLIENT_ID, 'repo:octo-org/octo-repo:environment:production')
    const result = await run({ mode: 'plan' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain('AADSTS700213')
    expect(error).toContain('sub: repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(error).toContain(`audience ${ASSERTION_AUDIENCE}`)
    expect(error).toContain('subject "repo:octo-org/octo-repo:ref:refs/heads/main"')
    expect(emulators.log.count('GetToken', 'entra')).toBe(1)
    expect(armCalls()).toEqual([])
    const shown = unmaskedLog(result)
    for (const presented of emulators.azure.entra.presented) expect(shown).not.toContain(presented.assertion)
  })

  it('explains the usual causes when no OIDC token can be had, before any Azure call', async () => {
    const noToken = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }
    const applied = await run({ mode: 'apply' }, noToken)
    expectNoOidcToken(applied)
    // A plan without a token fails too where GitHub would give one; in a Dependabot run it stays green,
    // offline. Neither reads anything of Azure.
    expect((await run({ mode: 'plan' }, noToken)).exitCode).toBe(1)
    expect((await run({ mode: 'plan' }, { ...noToken, GITHUB_ACTOR: 'dependabot[bot]' })).exitCode).toBe(0)
    expect(emulators.log.calls('entra')).toEqual([])
    expect(armCalls()).toEqual([])
  })

  it('names what it waited for when the wait times out', async () => {
    await expectWaitTimedOut(run, emulators.zilliz, /waiting for (Zilliz to accept endpoint \S+|the connection of private endpoint \S+ to be Approved)/)
  })

  it.each([
    ['azure-virtual-network', 'no-such-vnet', 'does not exist in resource group zilliz-rg'],
    ['azure-virtual-network', OTHER_VNET, 'is in westus'],
    ['azure-subnet', 'no-such-subnet', `${VNET} has no subnet no-such-subnet; its subnets are ${SUBNET}, ${DELEGATED_SUBNET}`],
    ['azure-subnet', DELEGATED_SUBNET, 'is delegated to Microsoft.Web/serverFarms'],
    ['azure-resource-group', 'no-such-rg', 'resource group no-such-rg does not exist'],
    ['azure-subscription-id', '22222222-2222-4222-8222-222222222222', 'does not exist or these credentials cannot see it']
  ])('names %s = %s when Azure says it does not fit, without writing', async (input, value, fragment) => {
    const result = await run({ mode: 'apply', [input]: value })
    expectNamedError(result, input, fragment)
    expect(writes()).toEqual([])
  })
})

describe('long runs', () => {
  it('asks for a fresh GitHub ID token on every Entra token request, so no assertion is presented expired', async () => {
    // ID tokens live 3 s and acceptance takes 4 s, so a reused assertion would expire. The SDK asks Entra
    // again whenever a token has under two minutes left, so short access tokens force new requests; 5 s
    // keeps a token from expiring between Entra and ARM on a loaded machine.
    await restart({ aws: { oidc: { lifetimeSeconds: 3 } }, azure: { accessTokenLifetimeSeconds: 5 }, zilliz: { acceptanceDelayMs: 4000 } })
    const started = Date.now()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(Date.now() - started).toBeGreaterThan(4000)
    const presented = emulators.azure.entra.presented
    expect(presented.length).toBeGreaterThan(3)
    expect(presented.every((p) => p.accepted)).toBe(true)
    expect(new Set(presented.map((p) => p.assertion)).size).toBe(presented.length)
    expect(() => emulators.aws.oidc.verify(presented[0]!.assertion, ASSERTION_AUDIENCE)).toThrow(/expired/i)
  })
})

describe('custom roles', () => {
  interface RoleDefinition {
    Name: string
    IsCustom: boolean
    Actions: string[]
    NotActions: string[]
    AssignableScopes: string[]
  }
  const role = (file: string) => JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as RoleDefinition

  it('azure-plan.json is read-only, and the apply role adds only writes, deletes (destroy, prune), joins and operation reads', () => {
    const plan = role('azure-plan.json')
    const apply = role('azure-apply.json')
    // Reads, and list actions that are reads by another verb (the forwarding rulesets linked to a network).
    expect(plan.Actions.every((a) => a.endsWith('/read') || /\/list\w+\/action$/.test(a))).toBe(true)
    expect(plan.Actions.every((a) => apply.Actions.includes(a))).toBe(true)
    const added = apply.Actions.filter((a) => !plan.Actions.includes(a))
    expect(added.every((a) => /\/(write|delete|join\/action)$/.test(a) || /operation\w*\/read$/i.test(a))).toBe(true)
    for (const definition of [plan, apply]) expect(definition).toMatchObject({ IsCustom: true, NotActions: [], AssignableScopes: [expect.stringMatching(/^\/subscriptions\//)] })
  })

  it('grant exactly what plan and apply need: plan with the plan role, apply with the apply role', async () => {
    const { rbac } = emulators.azure.arm
    const plan = role('azure-plan.json')
    const apply = role('azure-apply.json')
    // A forwarding ruleset linked to the network (for another domain) makes the DNS analysis read its rules.
    emulators.azure.arm.resolver.addRuleset(SUBSCRIPTION_ID, RESOURCE_GROUP, 'corp', [ids.vnet()], [
      { name: 'corp', domainName: 'corp.example.', targetDnsServers: [{ ipAddress: '10.50.0.4' }], forwardingRuleState: 'Enabled' }
    ])
    // A security group and a route table on the subnet make the path analysis read them.
    const group = emulators.azure.arm.rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'endpoints-nsg', [])
    const table = emulators.azure.arm.rules.addRouteTable(SUBSCRIPTION_ID, RESOURCE_GROUP, 'endpoints-rt', [])
    emulators.azure.arm.rules.configureSubnet(ids.subnet(), { networkSecurityGroupId: group.id, routeTableId: table.id })
    rbac.assign(CLIENT_ID, plan.Actions)
    expectSuccess(await run({ mode: 'plan' }))
    const planNeeds = new Set(rbac.checked)

    rbac.checked.clear()
    const refused = await run({ mode: 'apply' })
    expect(refused.exitCode).toBe(1)
    // The first write to start is a zone's: the endpoint waits for the whitelist.
    expect(errorLine(refused)).toMatch(/Azure (PrivateZones|PrivateEndpoints)_CreateOrUpdate was denied \(AuthorizationFailed, HTTP 403\)/)
    expect(refused.log).toMatch(/'Microsoft\.Network\/(privateDnsZones|privateEndpoints)\/write'/)
    expect(writes('arm')).toEqual([])

    rbac.checked.clear()
    rbac.assign(CLIENT_ID, apply.Actions)
    expectSuccess(await run({ mode: 'apply' }))
    const applyNeeds = new Set(rbac.checked)

    rbac.checked.clear()
    rbac.assign(CLIENT_ID, plan.Actions)
    const replan = await run({ mode: 'plan' })
    expectSuccess(replan)
    expect(replan.outputs['verified']).toBe('true')
    // A destroy plan reads every record of the zones it would delete; a plan reads only the apex record.
    expectSuccess(await run({ mode: 'destroy-plan' }))
    expect([...new Set([...planNeeds, ...rbac.checked])].sort()).toEqual([...plan.Actions].sort())

    // destroy runs with the apply role too: together they need every action it grants, and nothing more.
    rbac.checked.clear()
    rbac.assign(CLIENT_ID, apply.Actions)
    expectSuccess(await run({ mode: 'destroy' }))
    expect([...new Set([...applyNeeds, ...rbac.checked])].sort()).toEqual([...apply.Actions].sort())
  })
})

describe('secrets', () => {
  it('never shows the API key, an ID token or an Entra access token, in plan, apply and a failure', async () => {
    const results = [await run({ mode: 'plan' }), await run({ mode: 'apply' }), await run({ mode: 'apply', 'azure-subnet': DELEGATED_SUBNET })]
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 1])
    const idTokens = emulators.azure.entra.presented.map((p) => p.assertion)
    const accessTokens = emulators.azure.tokens.all()
    expect(idTokens.length).toBeGreaterThan(2)
    expect(accessTokens.length).toBeGreaterThan(2)
    expectSecretsHidden(results, [ZILLIZ_SEED.apiKey, ...idTokens, ...accessTokens], ZILLIZ_SEED.apiKey)
    // Access tokens are masked as soon as the action holds them.
    const masks = results.flatMap((r) => r.log.split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length)))
    expect(accessTokens.filter((t) => masks.includes(t)).length).toBeGreaterThan(0)
  })
})

// Each row: the input, a bad value, and a fragment the error must contain. One problem per row.
const BAD_AZURE_INPUTS: [string, string, string][] = [
  ['azure-subscription-id', '', 'Required when provider is azure'],
  ['azure-subscription-id', 'my-subscription', 'GUID'],
  ['azure-subscription-id', `{${SUBSCRIPTION_ID}}`, 'braces'],
  ['azure-tenant-id', 'contoso.onmicrosoft.com', 'GUID'],
  ['azure-client-id', 'zilliz-private-link', 'GUID'],
  ['azure-resource-group', '', 'Required when provider is azure'],
  ['azure-resource-group', 'zilliz rg', 'resource group name'],
  ['azure-resource-group', 'zilliz-rg.', 'ends with a period'],
  ['azure-location', 'westus', 'eastus'],
  ['azure-location', 'East US 2', 'eastus'],
  ['azure-virtual-network', '', 'Required when provider is azure'],
  ['azure-virtual-network', '-vnet', 'starting with a letter or digit'],
  ['azure-virtual-network', `${ids.vnet()}`, '"zilliz-vnet"'],
  ['azure-subnet', '', 'Required when provider is azure'],
  ['azure-subnet', 'snet endpoints', 'not a valid subnet name'],
  ['azure-endpoint-name', 'pe-', 'ending with a letter, digit or _'],
  ['azure-endpoint-name', 'p', '2 to 64'],
  ['azure-endpoint-name', 'p'.repeat(65), 'It has 65 characters'],
  ['azure-endpoint-name', 'pe.zilliz.', 'ending with a letter, digit or _'],
  ['azure-virtual-network', 'v', '2 to 64'],
  ['azure-virtual-network', 'v'.repeat(65), 'virtual networks'],
  ['azure-subnet', 's'.repeat(81), '1 to 80'],
  ['azure-subnet', 'snet-', 'ending with a letter, digit or _'],
  ['tags', '{"team/owner":"search"}', 'Azure does not allow'],
  ['zilliz-region-id', 'azure-eastus', 'az-eastus'],
  ['provider', 'aws', 'az-eastus'],
  ['aws-vpc-id', 'vpc-0a1b2c3d4e5f60718', 'provider aws only']
]

describe('bad Azure inputs', () => {
  it.each(BAD_AZURE_INPUTS)('%s = %j fails by name before any call', async (input, value, fragment) => {
    const result = await run({ [input]: value })
    expectNamedInputError(result, input, fragment, emulators.log.calls())
  })

  it('needs azure-tenant-id and azure-client-id together', async () => {
    const result = await run({ 'azure-client-id': '' })
    expect(errorLine(result)).toContain('azure-client-id: Required when azure-tenant-id is given')
    expect(emulators.log.calls()).toEqual([])
  })
})
