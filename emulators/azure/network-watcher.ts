// Network Watcher (Microsoft.Network 2025-05-01) and the virtual machines it tests from (Microsoft.Compute
// 2024-11-01, GET only): the regional watchers (ListAll), IP flow verify and the connectivity check, both
// long-running POSTs answered 202 with a Location whose result arrives after the service's own time. IP flow
// verify applies the security groups of the VM's subnet to one packet from the VM's address; the
// connectivity check also follows the subnet's routes, the destination subnet's group (where its
// privateEndpointNetworkPolicies applies it) and needs the Network Watcher agent extension on the VM.
// The verdicts are computed here, independently of the action's own analysis (src/providers/azure).
import { randomUUID } from 'node:crypto'
import type { EmulatorResponse } from '../core/service.js'
import { ArmFailure, armJson, networkEtag, parseBody, resourceNotFound } from './arm-http.js'
import { key, resourceIds, type ArmState, type NetworkSecurityGroupState, type SecurityRuleState, type SubnetState, type VirtualNetworkState } from './arm-model.js'
import { armRoute, MANAGEMENT_HOST, type ArmCall, type ArmRoute } from './arm-route.js'
import { NETWORK_API_VERSION, type ArmTiming } from './network.js'
import { DEFAULT_RULES } from './network-rules.js'
import type { AsyncOperations } from './operations.js'

export const COMPUTE_API_VERSION = '2024-11-01'
/** The extension type the connectivity check needs on the source VM (Linux; Windows has its own). */
export const WATCHER_AGENT = 'NetworkWatcherAgentLinux'

export interface WatcherState {
  id: string
  name: string
  location: string
}

export interface VirtualMachineState {
  id: string
  name: string
  location: string
  nicId: string
  /** Installed extension types, e.g. NetworkWatcherAgentLinux */
  extensions: string[]
}

type JsonObject = Record<string, unknown>

const toNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)
function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = Math.floor(toNumber(base) / size) * size
  return toNumber(ip) >= start && toNumber(ip) < start + size
}

export class NetworkWatcherProvider {
  readonly watchers = new Map<string, WatcherState>()
  readonly machines = new Map<string, VirtualMachineState>()
  /** How long each check takes on the service's side (real ones: seconds, and up to a minute or more) */
  readonly delays = { ipFlowVerifyMs: 3000, connectivityCheckMs: 30_000 }

  constructor(
    private readonly state: ArmState,
    private readonly operations: AsyncOperations,
    private readonly timing: ArmTiming
  ) {}

  routes(): ArmRoute[] {
    const watcher = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkWatchers/{name}'
    return [
      armRoute('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Network/networkWatchers', 'NetworkWatchers_ListAll', 'Microsoft.Network/networkWatchers/read', (c) => this.list(c)),
      armRoute('POST', `${watcher}/ipFlowVerify`, 'NetworkWatchers_VerifyIPFlow', 'Microsoft.Network/networkWatchers/ipFlowVerify/action', (c) => this.ipFlowVerify(c), false),
      armRoute('POST', `${watcher}/connectivityCheck`, 'NetworkWatchers_CheckConnectivity', 'Microsoft.Network/networkWatchers/connectivityCheck/action', (c) => this.connectivityCheck(c), false),
      armRoute('GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{name}', 'VirtualMachines_Get', 'Microsoft.Compute/virtualMachines/read', (c) => this.getMachine(c))
    ]
  }

  /** The regional watcher Azure creates in NetworkWatcherRG when a network is made in a region. */
  addWatcher(subscriptionId: string, location: string, resourceGroup = 'NetworkWatcherRG'): WatcherState {
    this.state.addResourceGroup(subscriptionId, resourceGroup, location)
    const name = `NetworkWatcher_${location}`
    const watcher = { id: resourceIds.network(subscriptionId, resourceGroup, 'networkWatchers', name), name, location }
    this.watchers.set(key(watcher.id), watcher)
    return watcher
  }

  /** A VM with one network interface in the subnet (an address of its own), with these extensions. */
  addMachine(subscriptionId: string, resourceGroup: string, name: string, subnetId: string, extensions: string[] = [WATCHER_AGENT]): VirtualMachineState {
    const found = this.state.subnet(subnetId)
    if (!found) throw new Error(`no subnet ${subnetId}`)
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`
    const nicId = resourceIds.network(subscriptionId, resourceGroup, 'networkInterfaces', `${name}-nic`)
    const [base = ''] = found.subnet.addressPrefix.split('/')
    const ip = `${base.split('.').slice(0, 3).join('.')}.${100 + this.machines.size}`
    found.subnet.used.add(ip)
    this.state.networkInterfaces.set(key(nicId), { id: nicId, name: `${name}-nic`, location: found.vnet.location, subnetId, privateIp: ip, endpointId: '', virtualMachineId: id, resourceGuid: randomUUID(), etag: networkEtag() })
    const vm = { id, name, location: found.vnet.location, nicId, extensions }
    this.machines.set(key(id), vm)
    return vm
  }

  private list(c: ArmCall): EmulatorResponse {
    const prefix = key(`/subscriptions/${c.params['subscriptionId']}/`)
    const value = [...this.watchers.values()]
      .filter((w) => key(w.id).startsWith(prefix))
      .map((w) => ({ id: w.id, name: w.name, type: 'Microsoft.Network/networkWatchers', location: w.location, etag: networkEtag(), properties: { provisioningState: 'Succeeded' } }))
    return armJson(200, { value })
  }

  private getMachine(c: ArmCall): EmulatorResponse {
    const vm = this.machines.get(key(c.scope))
    if (!vm) throw resourceNotFound('Microsoft.Compute/virtualMachines', c.params['name'], c.params['resourceGroupName'])
    return armJson(200, {
      name: vm.name,
      id: vm.id,
      type: 'Microsoft.Compute/virtualMachines',
      location: vm.location,
      properties: {
        provisioningState: 'Succeeded',
        vmId: randomUUID(),
        networkProfile: { networkInterfaces: [{ id: vm.nicId, properties: { primary: true } }] }
      },
      resources: vm.extensions.map((type) => ({ id: `${vm.id}/extensions/${type}`, name: type, type: 'Microsoft.Compute/virtualMachines/extensions' }))
    })
  }

  private watcherOf(c: ArmCall): WatcherState {
    const id = resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', 'networkWatchers', c.params['name'] ?? '')
    const watcher = this.watchers.get(key(id))
    if (!watcher) throw resourceNotFound('Microsoft.Network/networkWatchers', c.params['name'], c.params['resourceGroupName'])
    return watcher
  }

  /** The VM a check starts from: it must exist and be in the watcher's region. */
  private machineOf(watcher: WatcherState, id: string): VirtualMachineState {
    const vm = this.machines.get(key(id))
    if (!vm) throw new ArmFailure(404, 'NotFound', `Resource ${id} not found.`)
    // Emulator's wording: Azure refuses a target outside the watcher's region.
    if (vm.location !== watcher.location) throw new ArmFailure(400, 'InvalidTargetResourceLocation', `Target resource ${id} is in ${vm.location}, not in the location of Network Watcher ${watcher.name} (${watcher.location}).`)
    return vm
  }

  /** 202 with Location; the result is served there once the operation's time has passed. */
  private accepted(c: ArmCall, operation: string, watcher: WatcherState, delayMs: number, result: () => JsonObject): EmulatorResponse {
    // Each check its own resource path under the watcher (concurrent checks do not supersede each other), so
    // an identity whose role sits on the watcher's resource group may poll the result.
    const op = this.operations.start(operation, () => undefined, `${watcher.id}/checks/${randomUUID()}`, delayMs)
    op.result = result()
    const location = `https://${MANAGEMENT_HOST}/subscriptions/${c.params['subscriptionId']}/providers/Microsoft.Network/locations/${watcher.location}/operationResults/${op.id}?api-version=${NETWORK_API_VERSION}`
    return armJson(202, undefined, { location, 'retry-after': String(this.timing.retryAfterSeconds) })
  }

  private ipFlowVerify(c: ArmCall): EmulatorResponse {
    const watcher = this.watcherOf(c)
    const body = parseBody(c.req)
    const vm = this.machineOf(watcher, String(body['targetResourceId'] ?? ''))
    const nic = this.state.networkInterfaces.get(key(vm.nicId))
    if (!nic || nic.privateIp !== body['localIPAddress']) throw new ArmFailure(400, 'InvalidLocalIpAddress', `Local IP address ${String(body['localIPAddress'])} is not an address of ${vm.id}.`)
    const direction = body['direction'] === 'Inbound' ? 'Inbound' : 'Outbound'
    const local = this.state.subnet(nic.subnetId)
    return this.accepted(c, 'NetworkWatchers_VerifyIPFlow', watcher, this.delays.ipFlowVerifyMs, () => {
      const decided = local ? this.decide(local.vnet, local.subnet, direction, nic.privateIp, String(body['remoteIPAddress']), Number(body['remotePort'])) : undefined
      return decided ? { access: decided.access, ruleName: decided.ruleName } : { access: 'Allow' }
    })
  }

  private connectivityCheck(c: ArmCall): EmulatorResponse {
    const watcher = this.watcherOf(c)
    const body = parseBody(c.req)
    const source = (body['source'] ?? {}) as JsonObject
    const destination = (body['destination'] ?? {}) as JsonObject
    const vm = this.machineOf(watcher, String(source['resourceId'] ?? ''))
    // Emulator's code and wording: the check needs the agent on the source VM (connectivity-overview).
    if (!vm.extensions.some((e) => /^NetworkWatcherAgent(Linux|Windows)$/.test(e)))
      throw new ArmFailure(400, 'VmExtensionNotInstalled', `Connectivity check requires the Network Watcher Agent virtual machine extension (AzureNetworkWatcherExtension) on ${vm.id}; install it and try again.`)
    const nic = this.state.networkInterfaces.get(key(vm.nicId))
    const address = String(destination['address'] ?? '')
    const port = Number(destination['port'] ?? 0)
    return this.accepted(c, 'NetworkWatchers_CheckConnectivity', watcher, this.delays.connectivityCheckMs, () => this.connectivity(vm, nic?.subnetId ?? '', nic?.privateIp ?? '', address, port))
  }

  /** One TCP connection attempt from the VM: its subnet's routes and outbound group, then the destination subnet's inbound group. */
  private connectivity(vm: VirtualMachineState, subnetId: string, ip: string, address: string, port: number): JsonObject {
    const local = this.state.subnet(subnetId)
    const sourceHop = { type: 'Source', id: randomUUID(), address: ip, resourceId: vm.id, nextHopIds: [] as string[], issues: [] as JsonObject[] }
    const result = (status: 'Connected' | 'Disconnected', issues: JsonObject[], hops: JsonObject[] = []) => ({
      hops: [{ ...sourceHop, issues }, ...hops],
      connectionStatus: status,
      probesSent: 30,
      probesFailed: status === 'Connected' ? 0 : 30,
      ...(status === 'Connected' ? { avgLatencyInMs: 1, minLatencyInMs: 1, maxLatencyInMs: 2 } : {})
    })
    if (!local) return result('Disconnected', [{ origin: 'Local', severity: 'Error', type: 'Platform', context: [] }])
    const table = local.subnet.routeTableId ? this.state.routeTables.get(key(local.subnet.routeTableId)) : undefined
    const route = (table?.routes ?? []).filter((r) => inCidr(address, r.addressPrefix)).sort((a, b) => Number(b.addressPrefix.split('/')[1]) - Number(a.addressPrefix.split('/')[1]))[0]
    const target = this.subnetHolding(address)
    const routePolicies = ['Enabled', 'RouteTableEnabled'].includes(target?.subnet.privateEndpointNetworkPolicies ?? 'Disabled')
    // The endpoint's /32 route stands unless its subnet lets user routes override it.
    if (route && (routePolicies || !this.isEndpointAddress(address)) && route.nextHopType === 'None')
      return result('Disconnected', [{ origin: 'Outbound', severity: 'Error', type: 'UserDefinedRoute', context: [{ RouteName: route.name, RouteTable: table?.id ?? '' }] }])
    const outbound = this.decide(local.vnet, local.subnet, 'Outbound', ip, address, port)
    if (outbound?.access === 'Deny') return result('Disconnected', [{ origin: 'Outbound', severity: 'Error', type: 'NetworkSecurityRule', context: [{ RuleName: outbound.ruleName }] }])
    if (target && ['Enabled', 'NetworkSecurityGroupEnabled'].includes(target.subnet.privateEndpointNetworkPolicies ?? 'Disabled')) {
      const inbound = this.decide(target.vnet, target.subnet, 'Inbound', address, ip, port)
      if (inbound?.access === 'Deny') return result('Disconnected', [{ origin: 'Inbound', severity: 'Error', type: 'NetworkSecurityRule', context: [{ RuleName: inbound.ruleName }] }])
    }
    if (!target) return result('Disconnected', [{ origin: 'Outbound', severity: 'Error', type: 'Platform', context: [] }])
    const destinationHop = { type: this.isEndpointAddress(address) ? 'PrivateEndpoint' : 'VnetLocal', id: randomUUID(), address, resourceId: '', nextHopIds: [], issues: [] }
    sourceHop.nextHopIds = [destinationHop.id]
    return result('Connected', [], [destinationHop])
  }

  private isEndpointAddress(address: string): boolean {
    return [...this.state.networkInterfaces.values()].some((n) => n.endpointId && n.privateIp === address)
  }

  private subnetHolding(address: string): { vnet: VirtualNetworkState; subnet: SubnetState } | undefined {
    for (const vnet of this.state.virtualNetworks.values()) for (const subnet of vnet.subnets) if (inCidr(address, subnet.addressPrefix)) return { vnet, subnet }
    return undefined
  }

  /**
   * The subnet's group applied to one packet, first match by priority; `local` is the address on this side.
   * Undefined when the subnet has no group (everything passes).
   */
  private decide(vnet: VirtualNetworkState, subnet: SubnetState, direction: 'Inbound' | 'Outbound', local: string, remote: string, remotePort: number): { access: string; ruleName: string } | undefined {
    const group: NetworkSecurityGroupState | undefined = subnet.networkSecurityGroupId ? this.state.networkSecurityGroups.get(key(subnet.networkSecurityGroupId)) : undefined
    if (!group) return undefined
    const spaces = [...vnet.addressPrefixes, ...(vnet.peerings ?? []).filter((p) => p.peeringState === 'Connected' && p.allowVirtualNetworkAccess).flatMap((p) => this.state.virtualNetworks.get(key(p.remoteVnetId))?.addressPrefixes ?? [])]
    const matches = (prefix: string | undefined, ip: string) => {
      if (!prefix || prefix === '*') return true
      if (prefix === 'VirtualNetwork') return spaces.some((s) => inCidr(ip, s))
      if (prefix === 'Internet') return !spaces.some((s) => inCidr(ip, s))
      if (prefix === 'AzureLoadBalancer') return ip === '168.63.129.16'
      return /^\d/.test(prefix) && inCidr(ip, prefix.includes('/') ? prefix : `${prefix}/32`)
    }
    const [source, destination] = direction === 'Outbound' ? [local, remote] : [remote, local]
    const portMatches = (r: SecurityRuleState) => [r.destinationPortRange, ...(r.destinationPortRanges ?? [])].some((range) => range !== undefined && (range === '*' || (Number(range.split('-')[0]) <= remotePort && remotePort <= Number(range.split('-')[1] ?? range))))
    const candidates = [...group.rules.map((r) => ({ r, kind: 'securityRules' })), ...DEFAULT_RULES.map((r) => ({ r, kind: 'defaultSecurityRules' }))]
      .filter(({ r }) => r.direction === direction)
      .sort((a, b) => a.r.priority - b.r.priority)
    for (const { r, kind } of candidates) {
      if (r.protocol !== '*' && r.protocol !== 'Tcp') continue
      if (!portMatches(r)) continue
      const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].filter((p): p is string => p !== undefined)
      const destinations = [r.destinationAddressPrefix, ...(r.destinationAddressPrefixes ?? [])].filter((p): p is string => p !== undefined)
      if (!sources.some((p) => matches(p, source)) || !destinations.some((p) => matches(p, destination))) continue
      return { access: r.access, ruleName: `${kind}/${r.name}` }
    }
    return undefined
  }
}
