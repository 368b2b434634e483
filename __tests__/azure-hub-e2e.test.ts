// Hub-and-spoke layouts on Azure, end to end: run() through @azure/identity and the ARM SDKs against the
// emulators, which hold several subscriptions and resource groups and check the one federated identity's
// role assignments per scope, as Azure RBAC does. Each layout: a fresh apply (its writes, and every call in
// the subscription it belongs to), a re-apply and a plan with zero writes, a destroy that removes only what
// the action made, and a permission missing in the other scope named with its action, scope and identity.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import {
  CLIENT_ID,
  DNS_RESOURCE_GROUP,
  HUB_RESOURCE_GROUP,
  HUB_SUBSCRIPTION_ID,
  HUB_VNET,
  NETWORK_RESOURCE_GROUP,
  NETWORK_SUBSCRIPTION_ID,
  RESOURCE_GROUP,
  SHARED_VNET,
  SPOKE_RESOURCE_GROUP,
  SPOKE_VNET,
  SUBNET,
  SUBSCRIPTION_ID,
  VNET,
  azureInputs,
  ids
} from '../emulators/azure/index.js'
import { armClients, secretCredential } from '../emulators/azure/sdk-clients.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { AZURE_SCOPE_PARTS, type AzureScopePart } from '../src/providers/azure/permissions.js'
import { errorLine, expectNamedInputError, expectReapplyKeepsEverything, expectSuccess, expectVerifiedApply, planSteps, sortedWrites } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const CLUSTER = ZILLIZ_SEED.clusters.azure
const HOST = `${CLUSTER}-privatelink.az-eastus.vectordb.zillizcloud.com`
const FAST_POLL = { updateIntervalInMs: 10 }
const role = (file: string) => (JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as { Actions: string[] }).Actions
const group = (subscriptionId: string, resourceGroup: string) => ids.resourceGroup(subscriptionId, resourceGroup)
const HUB_VNET_ID = ids.vnet(HUB_VNET, HUB_SUBSCRIPTION_ID, HUB_RESOURCE_GROUP)

interface Layout {
  name: string
  inputs: Record<string, string>
  /** Where each part lives: the per-scope roles are assigned there */
  scopes: Record<AzureScopePart, string[]>
  vnetId: string
  /** Subscription of the private DNS calls */
  dnsSubscription: string
  dnsGroup: string
  /** The writes of a fresh apply */
  writes: string[]
  /** Which role loses which action for the denial, and the scope the error must name */
  /** `at`: only that one of the part's scopes loses the action (default: all of them) */
  denial: { part: AzureScopePart; at?: string; action: string; operation: string; code: string; scope: string; step: RegExp }
}

const FRESH = [
  'arm:PrivateEndpoints_CreateOrUpdate',
  'arm:PrivateZones_CreateOrUpdate',
  'arm:RecordSets_CreateOrUpdate',
  'arm:VirtualNetworkLinks_CreateOrUpdate',
  'zilliz:AddPrivateEndpointWhitelist',
  'zilliz:CreatePrivateEndpoint'
]

const LAYOUTS: Layout[] = [
  {
    name: 'virtual network in another resource group',
    inputs: { 'azure-virtual-network': '', 'azure-subnet': ids.subnet(SUBNET, SPOKE_VNET, SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP) },
    scopes: { endpoint: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)], network: [group(SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP)], dns: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)] },
    vnetId: ids.vnet(SPOKE_VNET, SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP),
    dnsSubscription: SUBSCRIPTION_ID,
    dnsGroup: RESOURCE_GROUP,
    writes: FRESH,
    denial: {
      part: 'network',
      action: 'Microsoft.Network/virtualNetworks/subnets/join/action',
      operation: 'PrivateEndpoints_CreateOrUpdate',
      code: 'LinkedAuthorizationFailed',
      scope: `scope ${ids.subnet(SUBNET, SPOKE_VNET, SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP)} (resource group ${SPOKE_RESOURCE_GROUP} of subscription ${SUBSCRIPTION_ID})`,
      step: /Step private-endpoint failed: /
    }
  },
  {
    name: 'virtual network in another subscription',
    inputs: { 'azure-virtual-network': SHARED_VNET, 'azure-subnet': ids.subnet(SUBNET, SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP) },
    scopes: { endpoint: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)], network: [group(NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP)], dns: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)] },
    vnetId: ids.vnet(SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP),
    dnsSubscription: SUBSCRIPTION_ID,
    dnsGroup: RESOURCE_GROUP,
    writes: FRESH,
    denial: {
      part: 'network',
      action: 'Microsoft.Network/virtualNetworks/subnets/join/action',
      operation: 'PrivateEndpoints_CreateOrUpdate',
      code: 'LinkedAuthorizationFailed',
      scope: `scope ${ids.subnet(SUBNET, SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP)} (resource group ${NETWORK_RESOURCE_GROUP} of subscription ${NETWORK_SUBSCRIPTION_ID})`,
      step: /Step private-endpoint failed: /
    }
  },
  {
    name: 'central private DNS in a hub subscription, linked to the hub network too',
    inputs: { 'azure-dns-subscription-id': HUB_SUBSCRIPTION_ID, 'azure-dns-resource-group': DNS_RESOURCE_GROUP, 'azure-dns-link-vnet-ids': HUB_VNET_ID },
    scopes: {
      endpoint: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)],
      network: [group(SUBSCRIPTION_ID, RESOURCE_GROUP), group(HUB_SUBSCRIPTION_ID, HUB_RESOURCE_GROUP)],
      dns: [group(HUB_SUBSCRIPTION_ID, DNS_RESOURCE_GROUP)]
    },
    vnetId: ids.vnet(VNET),
    dnsSubscription: HUB_SUBSCRIPTION_ID,
    dnsGroup: DNS_RESOURCE_GROUP,
    // Two links per zone: the endpoint's network and the hub's.
    writes: [...FRESH.slice(0, 4), 'arm:VirtualNetworkLinks_CreateOrUpdate', ...FRESH.slice(4)],
    denial: {
      part: 'dns',
      action: 'Microsoft.Network/privateDnsZones/write',
      operation: 'PrivateZones_CreateOrUpdate',
      code: 'AuthorizationFailed',
      scope: `scope /subscriptions/${HUB_SUBSCRIPTION_ID}/resourceGroups/${DNS_RESOURCE_GROUP}/providers/Microsoft.Network/privateDnsZones/${HOST} (resource group ${DNS_RESOURCE_GROUP} of subscription ${HUB_SUBSCRIPTION_ID})`,
      step: /Step dns-zone:\S+ failed: /
    }
  },
  {
    // The worked example of docs/azure.md: all three parts apart, the role of each part on its own scopes.
    name: 'landing zone: spoke network in another subscription, central DNS in the hub subscription, linked to the hub network',
    inputs: {
      'azure-virtual-network': '',
      'azure-subnet': ids.subnet(SUBNET, SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP),
      'azure-dns-subscription-id': HUB_SUBSCRIPTION_ID,
      'azure-dns-resource-group': DNS_RESOURCE_GROUP,
      'azure-dns-link-vnet-ids': HUB_VNET_ID
    },
    scopes: {
      endpoint: [group(SUBSCRIPTION_ID, RESOURCE_GROUP)],
      network: [group(NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP), group(HUB_SUBSCRIPTION_ID, HUB_RESOURCE_GROUP)],
      dns: [group(HUB_SUBSCRIPTION_ID, DNS_RESOURCE_GROUP)]
    },
    vnetId: ids.vnet(SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP),
    dnsSubscription: HUB_SUBSCRIPTION_ID,
    dnsGroup: DNS_RESOURCE_GROUP,
    writes: [...FRESH.slice(0, 4), 'arm:VirtualNetworkLinks_CreateOrUpdate', ...FRESH.slice(4)],
    // Only the hub network's resource group lacks the join: the spoke's link succeeds, the hub's is refused.
    denial: {
      part: 'network',
      at: group(HUB_SUBSCRIPTION_ID, HUB_RESOURCE_GROUP),
      action: 'Microsoft.Network/virtualNetworks/join/action',
      operation: 'VirtualNetworkLinks_CreateOrUpdate',
      code: 'LinkedAuthorizationFailed',
      scope: `scope ${HUB_VNET_ID} (resource group ${HUB_RESOURCE_GROUP} of subscription ${HUB_SUBSCRIPTION_ID})`,
      step: /Step dns-link:\S+ failed: /
    }
  }
]

/** The per-scope roles of docs/policies, each assigned on its scopes; `without` leaves one action out of one part (at one scope, or all). */
function assignScopedRoles(layout: Layout, without?: { part: AzureScopePart; at?: string; action: string }): void {
  const { rbac } = emulators.azure.arm
  rbac.assign(CLIENT_ID, [])
  const dropped = (part: AzureScopePart, scope: string, action: string) => without?.part === part && (without.at ?? scope) === scope && without.action === action
  for (const part of AZURE_SCOPE_PARTS)
    for (const scope of layout.scopes[part]) rbac.assignAt(CLIENT_ID, scope, role(`azure-${part}-apply.json`).filter((a) => !dropped(part, scope, a)))
}

describe.each(LAYOUTS)('$name', (layout) => {
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { ...layout.inputs, ...overrides }) })
  const writes = () => sortedWrites(emulators.log)
  const subscriptionOf = (path: string) => /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase()

  it('applies fresh with the per-scope roles: each call in its own subscription, exactly the expected writes, verified', async () => {
    assignScopedRoles(layout)
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), layout.writes)
    const arm = emulators.log.calls('arm')
    // Private DNS calls go to the zones' subscription, the endpoint's to its own, the network read to the network's.
    for (const call of arm.filter((c) => /privateDns|RecordSets|VirtualNetworkLinks|PrivateZones/.test(c.operation))) expect(subscriptionOf(call.path)).toBe(layout.dnsSubscription)
    for (const call of arm.filter((c) => /PrivateEndpoints|NetworkInterfaces/.test(c.operation))) expect(subscriptionOf(call.path)).toBe(SUBSCRIPTION_ID)
    expect(arm.filter((c) => c.operation === 'VirtualNetworks_Get').map((c) => c.path.toLowerCase())).toContain(layout.vnetId.toLowerCase())

    const endpoint = [...emulators.azure.arm.state.privateEndpoints.values()][0]!
    expect(endpoint.id.toLowerCase()).toContain(`/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RESOURCE_GROUP}/`)
    expect(endpoint.subnetId.toLowerCase()).toBe(`${layout.vnetId}/subnets/${SUBNET}`.toLowerCase())
    // Zilliz whitelists the endpoint's subscription, whatever subscription the network is in.
    expect(emulators.zilliz.state.whitelist).toEqual([expect.objectContaining({ outerUserId: SUBSCRIPTION_ID })])
    const zone = emulators.azure.arm.dns.zone(HOST)!
    expect(zone.id).toBe(`/subscriptions/${layout.dnsSubscription}/resourceGroups/${layout.dnsGroup}/providers/Microsoft.Network/privateDnsZones/${HOST}`)
    expect(JSON.parse(result.outputs['dns-zone-ids'] ?? '[]')).toEqual([zone.id])
    const linked = [...zone.links.values()].map((l) => l.vnetId.toLowerCase()).sort()
    const expectedLinks = [layout.vnetId, ...(layout.inputs['azure-dns-link-vnet-ids'] ? [HUB_VNET_ID] : [])].map((id) => id.toLowerCase()).sort()
    expect(linked).toEqual(expectedLinks)
    for (const link of zone.links.values()) expect(link.tags['zilliz-private-link:managed-by']).toBe('zilliz-private-link')
    // Every check ARM made fell inside a scope where the role of its part is assigned: nothing needed the
    // endpoint's resource group to grant DNS or network actions.
    expect(emulators.azure.arm.rbac.checks.length).toBeGreaterThan(0)
  })

  it('makes zero writes when applied again', async () => {
    assignScopedRoles(layout)
    await expectReapplyKeepsEverything(run, emulators.log)
  })

  it('makes zero writes in a plan after the apply, with the plan roles only', async () => {
    assignScopedRoles(layout)
    expectSuccess(await run({ mode: 'apply' }))
    const { rbac } = emulators.azure.arm
    rbac.assign(CLIENT_ID, [])
    for (const part of AZURE_SCOPE_PARTS) for (const scope of layout.scopes[part]) rbac.assignAt(CLIENT_ID, scope, role(`azure-${part}-plan.json`))
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expectSuccess(plan)
    expect(writes()).toEqual([])
    expect(plan.outputs['has-changes']).toBe('false')
    expect(plan.outputs['verified']).toBe('true')
  })

  it('destroys only what it made: links and zones of others stay', async () => {
    assignScopedRoles(layout)
    expectSuccess(await run({ mode: 'apply' }))
    // Someone else's zone in the same resource group, for another host.
    const dns = armClients(emulators.azure, secretCredential(emulators.azure), { subscriptionId: layout.dnsSubscription }).dns
    const otherHost = 'in01-0000000000000000-privatelink.az-eastus.vectordb.zillizcloud.com'
    await dns.privateZones.beginCreateOrUpdateAndWait(layout.dnsGroup, otherHost, { location: 'global', tags: { team: 'platform' } }, FAST_POLL)
    await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(layout.dnsGroup, otherHost, 'platform-link', { location: 'global', virtualNetwork: { id: layout.vnetId }, registrationEnabled: false }, FAST_POLL)
    emulators.log.clear()
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    const { state } = emulators.azure.arm
    expect(state.privateEndpoints.size).toBe(0)
    expect(emulators.azure.arm.dns.zone(HOST)).toBeUndefined()
    expect([...emulators.azure.arm.dns.zone(otherHost)!.links.keys()]).toEqual(['platform-link'])
    expect(state.virtualNetworks.has(layout.vnetId.toLowerCase())).toBe(true)
    const deletes = emulators.log.writes('arm').map((c) => c.operation).sort()
    expect(deletes).toEqual(['PrivateEndpoints_Delete', 'PrivateZones_Delete', 'RecordSets_Delete', ...layout.writes.filter((w) => w === 'arm:VirtualNetworkLinks_CreateOrUpdate').map(() => 'VirtualNetworkLinks_Delete')].sort())
    // A second destroy finds nothing of its own.
    emulators.log.clear()
    expectSuccess(await run({ mode: 'destroy' }))
    expect(emulators.log.writes('arm')).toEqual([])
  })

  it('names the action, the scope and the identity when a permission is missing in the other scope, before writing there', async () => {
    assignScopedRoles(layout, layout.denial)
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toMatch(layout.denial.step)
    expect(error).toContain(`Azure ${layout.denial.operation} was denied (${layout.denial.code}, HTTP 403)`)
    expect(error).toContain(`the identity client ${CLIENT_ID}`)
    expect(error).toContain(`lacks the Azure action ${layout.denial.action} on ${layout.denial.scope}`)
    expect(error).toContain(`grant it as docs/policies/azure-${layout.denial.part}-apply.json does, assigned on that scope`)
    // The refused write is the only one of its kind missing (a refused call is no write): the spoke's link went through.
    const made = emulators.log.writes('arm').filter((c) => c.operation === layout.denial.operation)
    expect(made).toHaveLength(layout.writes.filter((w) => w === `arm:${layout.denial.operation}`).length - 1)
  })
})

describe('central private DNS in a hub subscription', () => {
  const HUB_INPUTS = LAYOUTS[2]!.inputs
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { ...HUB_INPUTS, ...overrides }) })

  it('keeps a hub zone another network links to by hand, removing only its own links and the endpoint', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    const dns = armClients(emulators.azure, secretCredential(emulators.azure), { subscriptionId: HUB_SUBSCRIPTION_ID }).dns
    const spoke = ids.vnet(SPOKE_VNET, SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP)
    await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(DNS_RESOURCE_GROUP, HOST, 'spoke-by-hand', { location: 'global', virtualNetwork: { id: spoke }, registrationEnabled: false }, FAST_POLL)
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    const zone = emulators.azure.arm.dns.zone(HOST)!
    expect([...zone.links.keys()]).toEqual(['spoke-by-hand'])
    expect(destroyed.summary).toContain('not made by this action')
    expect(emulators.azure.arm.state.privateEndpoints.size).toBe(0)
  })

  it('adopts a link to the hub network made by others and never removes it', async () => {
    const dns = armClients(emulators.azure, secretCredential(emulators.azure), { subscriptionId: HUB_SUBSCRIPTION_ID }).dns
    await dns.privateZones.beginCreateOrUpdateAndWait(DNS_RESOURCE_GROUP, HOST, { location: 'global' }, FAST_POLL)
    await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(DNS_RESOURCE_GROUP, HOST, 'hub-by-platform', { location: 'global', virtualNetwork: { id: HUB_VNET_ID }, registrationEnabled: false }, FAST_POLL)
    const applied = await run({ mode: 'apply' })
    expectSuccess(applied)
    const keep = planSteps(applied).find((s) => s.id.startsWith(`dns-link:${CLUSTER}:`))
    expect(keep).toMatchObject({ action: 'keep', name: 'hub-by-platform', reason: expect.stringContaining('made outside this action, so destroy keeps it') })
    expectSuccess(await run({ mode: 'destroy' }))
    expect([...emulators.azure.arm.dns.zone(HOST)!.links.keys()]).toEqual(['hub-by-platform'])
  })

  it('says which input names a hub resource group or linked network that does not exist, before any write', async () => {
    const missingGroup = await run({ mode: 'apply', 'azure-dns-resource-group': 'no-such-rg' })
    expect(errorLine(missingGroup)).toContain(`azure-dns-resource-group: resource group no-such-rg does not exist in subscription ${HUB_SUBSCRIPTION_ID}`)
    const missingVnet = await run({ mode: 'apply', 'azure-dns-link-vnet-ids': HUB_VNET_ID.replace(HUB_VNET, 'no-such-vnet') })
    expect(errorLine(missingVnet)).toContain('azure-dns-link-vnet-ids: virtual network no-such-vnet does not exist')
    expect(emulators.log.writes()).toEqual([])
  })
})

describe('a subnet resource id', () => {
  it('with an azure-virtual-network that names another network fails by both names before any call', async () => {
    const result = await runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { 'azure-virtual-network': VNET, 'azure-subnet': ids.subnet(SUBNET, SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP) }) })
    expectNamedInputError(result, 'azure-virtual-network', 'the virtual network of the subnet id in azure-subnet', emulators.log.calls())
  })

  it('names azure-subnet when the network it names does not exist', async () => {
    const result = await runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { mode: 'apply', 'azure-virtual-network': '', 'azure-subnet': ids.subnet(SUBNET, 'no-such-vnet', NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP) }) })
    expect(errorLine(result)).toContain(`azure-subnet: virtual network no-such-vnet does not exist in resource group ${NETWORK_RESOURCE_GROUP} of subscription ${NETWORK_SUBSCRIPTION_ID}`)
    expect(emulators.log.writes()).toEqual([])
  })
})


describe('dns: existing-zone with a central zone in the hub subscription, the spoke network in another', () => {
  const REGION_ZONE = 'az-eastus.vectordb.zillizcloud.com'
  const ZONE_ID = `/subscriptions/${HUB_SUBSCRIPTION_ID}/resourceGroups/${DNS_RESOURCE_GROUP}/providers/Microsoft.Network/privateDnsZones/${REGION_ZONE}`
  const SPOKE = ids.vnet(SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP)
  const INPUTS = { dns: 'existing-zone', 'dns-zone-ids': ZONE_ID, 'azure-virtual-network': '', 'azure-subnet': ids.subnet(SUBNET, SHARED_VNET, NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP) }
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { ...INPUTS, ...overrides }) })

  /** The platform team's central zone, linked to the spoke and the hub networks. */
  async function centralZone(): Promise<void> {
    const dns = armClients(emulators.azure, secretCredential(emulators.azure), { subscriptionId: HUB_SUBSCRIPTION_ID }).dns
    await dns.privateZones.beginCreateOrUpdateAndWait(DNS_RESOURCE_GROUP, REGION_ZONE, { location: 'global', tags: { team: 'platform' } }, FAST_POLL)
    for (const [name, vnet] of [['spoke', SPOKE], ['hub', HUB_VNET_ID]] as const)
      await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(DNS_RESOURCE_GROUP, REGION_ZONE, name, { location: 'global', virtualNetwork: { id: vnet }, registrationEnabled: false }, FAST_POLL)
  }

  /**
   * Per scope: the endpoint's and the network's roles, the records-only DNS role on the hub's zones, and the
   * DNS plan role on the endpoint's resource group, where zones an earlier managed run left are looked for.
   */
  function assignRoles(without?: string): void {
    const { rbac } = emulators.azure.arm
    rbac.assign(CLIENT_ID, [])
    rbac.assignAt(CLIENT_ID, group(SUBSCRIPTION_ID, RESOURCE_GROUP), [...role('azure-endpoint-apply.json'), ...role('azure-dns-plan.json')])
    rbac.assignAt(CLIENT_ID, group(NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP), role('azure-network-apply.json'))
    rbac.assignAt(CLIENT_ID, group(HUB_SUBSCRIPTION_ID, DNS_RESOURCE_GROUP), role('azure-dns-apply-dns-existing-zone.json').filter((a) => a !== without))
  }

  it('plans and re-applies with zero writes, writes only the record in the hub zone, and destroy leaves the zone and its links', async () => {
    await centralZone()
    assignRoles()
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expectSuccess(plan)
    expect(sortedWrites(emulators.log)).toEqual([])

    const applied = await run({ mode: 'apply' })
    expectVerifiedApply(applied, sortedWrites(emulators.log), ['arm:PrivateEndpoints_CreateOrUpdate', 'arm:RecordSets_CreateOrUpdate', 'zilliz:AddPrivateEndpointWhitelist', 'zilliz:CreatePrivateEndpoint'])
    const record = emulators.log.writes('arm').find((c) => c.operation === 'RecordSets_CreateOrUpdate')!
    expect(record.path.toLowerCase()).toContain(`/subscriptions/${HUB_SUBSCRIPTION_ID}/resourcegroups/${DNS_RESOURCE_GROUP}/`.toLowerCase())
    const zone = emulators.azure.arm.dns.zone(REGION_ZONE)!
    expect([...zone.records.keys()]).toContain(`A/${HOST.slice(0, -(REGION_ZONE.length + 1))}`)

    await expectReapplyKeepsEverything(run, emulators.log)

    emulators.log.clear()
    expectSuccess(await run({ mode: 'destroy' }))
    expect(sortedWrites(emulators.log)).toEqual(['arm:PrivateEndpoints_Delete', 'arm:RecordSets_Delete', 'zilliz:DeletePrivateEndpoint'])
    const after = emulators.azure.arm.dns.zone(REGION_ZONE)!
    expect([...after.links.keys()].sort()).toEqual(['hub', 'spoke'])
    expect([...after.records.keys()].filter((k) => k.startsWith('A/'))).toEqual([])
  })

  it('names the hub scope when the record write is refused there', async () => {
    await centralZone()
    assignRoles('Microsoft.Network/privateDnsZones/A/write')
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain('Azure RecordSets_CreateOrUpdate was denied (AuthorizationFailed, HTTP 403)')
    expect(error).toContain(`lacks the Azure action Microsoft.Network/privateDnsZones/A/write on scope ${ZONE_ID}/A/`)
    expect(error).toContain(`(resource group ${DNS_RESOURCE_GROUP} of subscription ${HUB_SUBSCRIPTION_ID})`)
    expect(emulators.log.writes('arm').map((c) => c.operation)).not.toContain('RecordSets_CreateOrUpdate')
  })
})
