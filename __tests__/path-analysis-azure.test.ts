// The Azure path proof end to end: the action (real SDK) against the ARM emulator's network security groups,
// route tables and subnets. A correct link passes on every port at level analysis; a security rule or a
// route that drops a port fails, named, with the fix; an appliance on the way leaves it unknown; the
// endpoint subnet's group is irrelevant while privateEndpointNetworkPolicies leaves it off; a missing read
// permission is named with its scope; network-analysis off makes no analysis call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { CLIENT_ID, RESOURCE_GROUP, SUBSCRIPTION_ID, VNET, azureInputs, ids } from '../emulators/azure/index.js'
import type { SecurityRuleState } from '../emulators/azure/arm-model.js'
import { expectSuccess, pathChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { 'network-analysis': 'auto', mode: 'plan', ...overrides }) })
const arm = () => emulators.azure.arm
const ANALYSIS_READS = ['NetworkSecurityGroups_Get', 'RouteTables_Get']
const analysisCalls = (from: number) => emulators.log.calls('arm').slice(from).filter((c) => ANALYSIS_READS.includes(c.operation))

const CLIENTS = 'clients'
const CLIENTS_CIDR = '10.20.3.0/24'
const endpointIp = () => [...arm().state.networkInterfaces.values()][0]!.privateIp

const deny = (name: string, priority: number, direction: 'Inbound' | 'Outbound', port: string): SecurityRuleState => ({
  name,
  priority,
  direction,
  access: 'Deny',
  protocol: 'Tcp',
  sourceAddressPrefix: '*',
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: port
})

beforeAll(async () => {
  emulators = await startEmulators()
  expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
  // A subnet of clients next to the endpoint's, in the same network.
  const vnet = arm().state.virtualNetworks.get(ids.vnet().toLowerCase())!
  vnet.subnets.push({ name: CLIENTS, addressPrefix: CLIENTS_CIDR, delegations: [], used: new Set() })
})
afterAll(async () => {
  await emulators.close()
})
afterEach(() => {
  // Every case starts from bare subnets: no group, no route table, policies off.
  for (const subnet of [ids.subnet(), ids.subnet(CLIENTS)]) arm().rules.configureSubnet(subnet, { networkSecurityGroupId: null, routeTableId: null, privateEndpointNetworkPolicies: 'Disabled' })
  arm().rbac.reset()
})

describe('Network Watcher from a named VM', () => {
  const WATCHER_CALLS = ['VirtualMachines_Get', 'NetworkInterfaces_Get', 'NetworkWatchers_ListAll', 'NetworkWatchers_VerifyIPFlow', 'NetworkWatchers_CheckConnectivity', 'NetworkOperationResult_Get']
  const machine = (name: string, extensions?: string[]) => {
    if (!arm().watcher.watchers.size) arm().watcher.addWatcher(SUBSCRIPTION_ID, 'eastus')
    arm().watcher.delays.ipFlowVerifyMs = 100
    arm().watcher.delays.connectivityCheckMs = 300
    return arm().watcher.machines.get(`/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}`.toLowerCase()) ?? arm().watcher.addMachine(SUBSCRIPTION_ID, RESOURCE_GROUP, name, ids.subnet(CLIENTS), extensions)
  }

  it('joins IP flow verify and the connectivity check to the computed pass', async () => {
    const vm = machine('vm-client')
    const before = emulators.log.calls('arm').length
    const started = performance.now()
    const result = await run({ 'client-subnet': CLIENTS, 'azure-network-watcher-vm-id': vm.id })
    const ms = performance.now() - started
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status, c.proof])).toEqual([
      ['path:443', 'pass', 'analysis'],
      ['path:19530', 'pass', 'analysis']
    ])
    expect(checks[1]!.evidence).toMatch(/Network Watcher from vm-client \(10\.20\.3\.\d+\): IP flow verify: Allow, connectivity check: Connected/)
    expect(checks[1]!.proofSource).toContain('and Network Watcher from VM vm-client')
    const calls = emulators.log.calls('arm').slice(before).filter((c) => WATCHER_CALLS.includes(c.operation)).map((c) => c.operation)
    expect(calls.filter((op) => op === 'NetworkWatchers_VerifyIPFlow')).toHaveLength(2)
    expect(calls.filter((op) => op === 'NetworkWatchers_CheckConnectivity')).toHaveLength(2)
    process.stdout.write(`Azure path analysis with Network Watcher: ${calls.length} Network Watcher calls (${[...new Set(calls)].map((op) => `${op}×${calls.filter((o) => o === op).length}`).join(', ')}); whole plan ${Math.round(ms)} ms with checks of 100 and 300 ms\n`)
  })

  it('fails on the rule Network Watcher reports as denying the port, naming it', async () => {
    const vm = machine('vm-client')
    const clients = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-nsg', [deny('deny-milvus', 200, 'Outbound', '19530')])
    arm().rules.configureSubnet(ids.subnet(CLIENTS), { networkSecurityGroupId: clients.id })
    const checks = pathChecks(await run({ 'client-subnet': CLIENTS, 'azure-network-watcher-vm-id': vm.id }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'fail'])
    expect(checks[1]!.evidence).toMatch(/Network Watcher IP flow verify from vm-client \(10\.20\.3\.\d+\): rule securityRules\/deny-milvus: it denies tcp\/19530/)
    expect(checks[1]!.evidence).toContain('Network Watcher connectivity check from vm-client: NetworkSecurityRule issue (Outbound) at securityRules/deny-milvus')
    expect(checks[1]!.evidence).toContain('IP flow verify: Deny by securityRules/deny-milvus, connectivity check: Disconnected')
    expect(checks[1]!.fix).toContain('ahead of securityRules/deny-milvus')
  })

  it('says why the connectivity check did not run on a VM without the agent, and keeps the computed verdict', async () => {
    const vm = machine('vm-no-agent', [])
    const checks = pathChecks(await run({ 'client-subnet': CLIENTS, 'azure-network-watcher-vm-id': vm.id }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(checks[0]!.evidence).toContain('IP flow verify: Allow')
    expect(checks[0]!.evidence).toContain('connectivity check did not run: ')
    expect(checks[0]!.evidence).toContain('VmExtensionNotInstalled')
  })

  it('names the missing Network Watcher permission and its role file, and keeps the computed verdict', async () => {
    const vm = machine('vm-client')
    const plan = JSON.parse(readFileSync('docs/policies/azure-plan.json', 'utf8')) as { Actions: string[] }
    arm().rbac.assign(CLIENT_ID, plan.Actions)
    const checks = pathChecks(await run({ 'client-subnet': CLIENTS, 'azure-network-watcher-vm-id': vm.id }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(checks[0]!.evidence).toContain(`lacks the Azure action Microsoft.Compute/virtualMachines/read on scope ${vm.id}`)
    expect(checks[0]!.evidence).toContain('docs/policies/azure-network-watcher.json')
  })

  it('names a VM that does not exist, and keeps the computed verdict', async () => {
    machine('vm-client')
    const missing = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/vm-gone`
    const checks = pathChecks(await run({ 'client-subnet': CLIENTS, 'azure-network-watcher-vm-id': missing }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(checks[0]!.evidence).toContain('Network Watcher not used: ')
    expect(checks[0]!.evidence).toContain('VirtualMachines_Get')
    expect(checks[0]!.evidence).toContain('ResourceNotFound')
  })
})

describe('the Azure path analysis', () => {
  it('passes a correct link on 443 and 19530 at level analysis, from the effective rules', async () => {
    const clients = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-nsg', [])
    const endpoints = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'endpoints-nsg', [])
    const table = arm().rules.addRouteTable(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-rt', [{ name: 'default-to-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.0.4' }])
    arm().rules.configureSubnet(ids.subnet(CLIENTS), { networkSecurityGroupId: clients.id, routeTableId: table.id })
    arm().rules.configureSubnet(ids.subnet(), { networkSecurityGroupId: endpoints.id, privateEndpointNetworkPolicies: 'Enabled' })
    const before = emulators.log.calls('arm').length
    const started = performance.now()
    const result = await run({ 'client-subnet': CLIENTS })
    const ms = performance.now() - started
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status, c.proof])).toEqual([
      ['path:443', 'pass', 'analysis'],
      ['path:19530', 'pass', 'analysis']
    ])
    for (const c of checks) {
      expect(c.evidence).toContain(`reachable from subnet ${CLIENTS} (${CLIENTS_CIDR}) of ${VNET}`)
      // A default route to a firewall does not beat the endpoint's /32 route.
      expect(c.evidence).toContain(`the system route ${endpointIp()}/32 → InterfaceEndpoint`)
      expect(c.evidence).toContain('network security group clients-nsg, outbound on the client subnet clients, allows it by AllowVnetOutBound')
      expect(c.evidence).toContain("network security group endpoints-nsg, inbound on the endpoint's subnet endpoints (privateEndpointNetworkPolicies Enabled), allows it by AllowVnetInBound")
      expect(c.proofSource).toMatch(/^the effective rules \(subnet clients: network security group clients-nsg, route table clients-rt; the endpoint's subnet endpoints; privateEndpointNetworkPolicies Enabled, network security group endpoints-nsg\)$/)
    }
    expect(result.summary).toMatch(/analysis/)
    const reads = analysisCalls(before)
    expect(reads.map((c) => c.operation).sort()).toEqual(['NetworkSecurityGroups_Get', 'NetworkSecurityGroups_Get', 'RouteTables_Get'])
    expect(emulators.log.calls('arm').slice(before).filter((c) => c.write)).toEqual([])
    const all = emulators.log.calls('arm').slice(before).map((c) => c.operation)
    process.stdout.write(`Azure path analysis (rules only): ${reads.length} analysis reads (${[...new Set(all)].map((op) => `${op}×${all.filter((o) => o === op).length}`).join(', ')} in the whole plan); whole plan ${Math.round(ms)} ms\n`)
  })

  it('fails the port an outbound rule of the client subnet denies, naming the rule, with the fix', async () => {
    const clients = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-nsg', [deny('deny-milvus', 200, 'Outbound', '19530')])
    arm().rules.configureSubnet(ids.subnet(CLIENTS), { networkSecurityGroupId: clients.id })
    const result = await run({ 'client-subnet': CLIENTS })
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['path:443', 'pass'],
      ['path:19530', 'fail']
    ])
    const blocked = checks[1]!
    expect(blocked.proof).toBe('analysis')
    expect(blocked.evidence).toContain('network security group clients-nsg, outbound on the client subnet clients: rule deny-milvus (priority 200, Deny Tcp * to * ports 19530)')
    expect(blocked.evidence).toContain(`it denies tcp/19530 from 10.20.3.0-10.20.3.255 to ${endpointIp()}`)
    expect(blocked.fix).toContain(`In clients-nsg, add an outbound rule that allows TCP 19530 from ${CLIENTS_CIDR} to ${endpointIp()} with a priority number below 200`)
    expect(blocked.fix).toContain('remove or narrow rule deny-milvus')
    expect(result.outputs['verified']).toBe('false')
  })

  it('fails on a route to None, and leaves the path unknown through an appliance, naming the route', async () => {
    const table = arm().rules.addRouteTable(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-rt', [{ name: 'blackhole', addressPrefix: '10.20.1.0/24', nextHopType: 'None' }])
    arm().rules.configureSubnet(ids.subnet(CLIENTS), { routeTableId: table.id })
    // The endpoint's /32 route wins while its subnet does not enable network policies for route tables.
    expect(pathChecks(await run({ 'client-subnet': CLIENTS })).map((c) => c.status)).toEqual(['pass', 'pass'])

    arm().rules.configureSubnet(ids.subnet(), { privateEndpointNetworkPolicies: 'RouteTableEnabled' })
    const dropped = pathChecks(await run({ 'client-subnet': CLIENTS }))
    expect(dropped.map((c) => c.status)).toEqual(['fail', 'fail'])
    expect(dropped[0]!.evidence).toContain(`route blackhole (10.20.1.0/24 → None) of route table clients-rt on subnet clients: it drops traffic to ${endpointIp()}`)
    expect(dropped[0]!.fix).toContain('Remove route blackhole from clients-rt')

    table.routes = [{ name: 'via-firewall', addressPrefix: '10.20.0.0/16', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.0.4' }]
    const unknown = pathChecks(await run({ 'client-subnet': CLIENTS }))
    expect(unknown.map((c) => [c.status, c.proof])).toEqual([
      ['skip', 'none'],
      ['skip', 'none']
    ])
    expect(unknown[0]!.evidence).toContain(`route via-firewall of route table clients-rt on subnet clients sends ${endpointIp()} through the appliance 10.20.0.4, whose own rules the configuration does not show`)
  })

  it("ignores the endpoint subnet's group while privateEndpointNetworkPolicies leaves it off, and says so", async () => {
    const endpoints = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'endpoints-nsg', [deny('deny-milvus-in', 100, 'Inbound', '19530')])
    arm().rules.configureSubnet(ids.subnet(), { networkSecurityGroupId: endpoints.id, privateEndpointNetworkPolicies: 'Disabled' })
    const before = emulators.log.calls('arm').length
    const off = pathChecks(await run())
    expect(off.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(off[1]!.evidence).toContain("network security group endpoints-nsg on the endpoint's subnet does not apply to the private endpoint: its subnet's privateEndpointNetworkPolicies is Disabled")
    expect(off[1]!.evidence).toContain("subnet endpoints (10.20.1.0/24) of zilliz-vnet (the endpoint's, as client-subnet is not given)")
    // Read once, for the clients in the same subnet: a subnet's group applies to its own outbound traffic.
    expect(analysisCalls(before).map((c) => c.operation)).toEqual(['NetworkSecurityGroups_Get'])
    expect(off[1]!.evidence).toContain('network security group endpoints-nsg, outbound on the client subnet endpoints, allows it by AllowVnetOutBound')

    arm().rules.configureSubnet(ids.subnet(), { privateEndpointNetworkPolicies: 'NetworkSecurityGroupEnabled' })
    const on = pathChecks(await run())
    expect(on.map((c) => c.status)).toEqual(['pass', 'fail'])
    expect(on[1]!.evidence).toContain("network security group endpoints-nsg, inbound on the endpoint's subnet endpoints (privateEndpointNetworkPolicies NetworkSecurityGroupEnabled): rule deny-milvus-in (priority 100")
    expect(on[1]!.fix).toContain('In endpoints-nsg, add an inbound rule that allows TCP 19530')
  })

  it('names a missing read permission with its scope, leaving the path unproven, not the run failed', async () => {
    const clients = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-nsg', [])
    arm().rules.configureSubnet(ids.subnet(CLIENTS), { networkSecurityGroupId: clients.id })
    const plan = JSON.parse(readFileSync('docs/policies/azure-plan.json', 'utf8')) as { Actions: string[] }
    arm().rbac.assign(CLIENT_ID, plan.Actions.filter((a) => a !== 'Microsoft.Network/networkSecurityGroups/read'))
    const result = await run({ 'client-subnet': CLIENTS })
    expectSuccess(result)
    const skipped = pathChecks(result).find((c) => c.id === 'path-analysis')
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped?.evidence).toContain(`lacks the Azure action Microsoft.Network/networkSecurityGroups/read on scope ${clients.id}`)
    expect(skipped?.evidence).toContain('docs/policies/azure-network-plan.json')
  })

  it('makes no analysis call with network-analysis off', async () => {
    const clients = arm().rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'clients-nsg', [])
    arm().rules.configureSubnet(ids.subnet(), { networkSecurityGroupId: clients.id, privateEndpointNetworkPolicies: 'Enabled' })
    const before = emulators.log.calls('arm').length
    const result = await run({ 'network-analysis': 'off' })
    expectSuccess(result)
    expect(pathChecks(result)).toEqual([expect.objectContaining({ id: 'path-analysis', status: 'skip', proof: 'none', evidence: expect.stringContaining('network-analysis is off') })])
    expect(analysisCalls(before)).toEqual([])
  })
})
