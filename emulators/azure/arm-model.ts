// State of the emulated Azure subscriptions: resource groups, virtual networks with subnets, private
// endpoints with their network interfaces, and private DNS zones with links and record sets. Maps are keyed
// by lower-cased resource id, because ARM ids compare case-insensitively.

export interface SubscriptionState {
  subscriptionId: string
  tenantId: string
}

export interface SubnetState {
  name: string
  addressPrefix: string
  /** Services the subnet is delegated to, e.g. Microsoft.Web/serverFarms */
  delegations: string[]
  /** Private IPs handed out so far */
  used: Set<string>
  networkSecurityGroupId?: string
  routeTableId?: string
  /** Disabled (Azure's default), Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled */
  privateEndpointNetworkPolicies?: string
}

/** A peering of this network to another (the remote's address space is read from the remote network). */
export interface PeeringState {
  name: string
  remoteVnetId: string
  peeringState: 'Connected' | 'Initiated' | 'Disconnected'
  allowVirtualNetworkAccess: boolean
}

/** A security rule as ARM stores it (SecurityRulePropertiesFormat). */
export interface SecurityRuleState {
  name: string
  priority: number
  direction: 'Inbound' | 'Outbound'
  access: 'Allow' | 'Deny'
  protocol: 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*'
  sourceAddressPrefix?: string
  sourceAddressPrefixes?: string[]
  sourcePortRange?: string
  destinationAddressPrefix?: string
  destinationAddressPrefixes?: string[]
  destinationPortRange?: string
  destinationPortRanges?: string[]
}

export interface NetworkSecurityGroupState {
  id: string
  name: string
  location: string
  rules: SecurityRuleState[]
  etag: string
}

export interface RouteState {
  name: string
  addressPrefix: string
  nextHopType: 'VirtualNetworkGateway' | 'VnetLocal' | 'Internet' | 'VirtualAppliance' | 'None'
  nextHopIpAddress?: string
}

export interface RouteTableState {
  id: string
  name: string
  location: string
  routes: RouteState[]
  disableBgpRoutePropagation: boolean
  etag: string
}

export interface VirtualNetworkState {
  id: string
  name: string
  location: string
  addressPrefixes: string[]
  subnets: SubnetState[]
  tags: Record<string, string>
  resourceGuid: string
  etag: string
  /** dhcpOptions.dnsServers: custom DNS servers handed to the network's VMs; empty: Azure-provided DNS */
  dnsServers?: string[]
  peerings?: PeeringState[]
}

/** A DNS private resolver forwarding ruleset, its links to virtual networks and its rules. */
export interface ForwardingRulesetState {
  id: string
  name: string
  /** Linked virtual network ids, by link name */
  links: Map<string, string>
  rules: ForwardingRuleState[]
}

export interface ForwardingRuleState {
  name: string
  /** Fully qualified, with the trailing dot */
  domainName: string
  targetDnsServers: { ipAddress: string; port?: number }[]
  forwardingRuleState: 'Enabled' | 'Disabled'
}

export type ConnectionStatus = 'Pending' | 'Approved' | 'Rejected' | 'Disconnected'

export interface ConnectionState {
  name: string
  /** privateLinkServiceId as given: an alias or a private link service id */
  target: string
  requestMessage?: string
  groupIds: string[]
  status: ConnectionStatus
  description: string
}

export interface PrivateEndpointState {
  id: string
  name: string
  location: string
  tags: Record<string, string>
  subnetId: string
  resourceGuid: string
  provisioningState: string
  /** True when the connection was requested as a manual one */
  manual: boolean
  connection: ConnectionState
  nicId: string
  etag: string
}

export interface NetworkInterfaceState {
  id: string
  name: string
  location: string
  subnetId: string
  privateIp: string
  /** The private endpoint the interface belongs to ('' for a VM's) */
  endpointId: string
  virtualMachineId?: string
  resourceGuid: string
  etag: string
}

export interface RecordSetState {
  name: string
  type: string
  ttl: number
  ips: string[]
  metadata?: Record<string, string>
  etag: string
}

export interface VirtualNetworkLinkState {
  id: string
  name: string
  vnetId: string
  registrationEnabled: boolean
  tags: Record<string, string>
  etag: string
  provisioningState: string
  linkState: 'InProgress' | 'Completed'
}

export interface PrivateZoneState {
  id: string
  name: string
  tags: Record<string, string>
  etag: string
  provisioningState: string
  internalId: string
  /** By lower-cased link name */
  links: Map<string, VirtualNetworkLinkState>
  /** By '<TYPE>/<lower-cased relative name>' */
  records: Map<string, RecordSetState>
}

export class ArmState {
  readonly subscriptions = new Map<string, SubscriptionState>()
  /** '<subscription>/<group>' (lower case) → the group's name as created */
  readonly resourceGroups = new Map<string, { name: string; location: string }>()
  readonly virtualNetworks = new Map<string, VirtualNetworkState>()
  readonly privateEndpoints = new Map<string, PrivateEndpointState>()
  readonly networkInterfaces = new Map<string, NetworkInterfaceState>()
  readonly privateZones = new Map<string, PrivateZoneState>()
  readonly forwardingRulesets = new Map<string, ForwardingRulesetState>()
  readonly networkSecurityGroups = new Map<string, NetworkSecurityGroupState>()
  readonly routeTables = new Map<string, RouteTableState>()
  /** Private link service aliases that exist (lower case), e.g. Zilliz's per region */
  readonly aliases = new Set<string>()

  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.resourceGroups.has(`${subscriptionId}/${resourceGroup}`.toLowerCase())
  }

  addResourceGroup(subscriptionId: string, name: string, location: string): void {
    this.resourceGroups.set(`${subscriptionId}/${name}`.toLowerCase(), { name, location })
  }

  /** The network and subnet a subnet id names, when both exist. */
  subnet(subnetId: string): { vnet: VirtualNetworkState; subnet: SubnetState } | undefined {
    const match = /^(.*)\/subnets\/([^/]+)$/i.exec(subnetId)
    if (!match) return undefined
    const vnet = this.virtualNetworks.get((match[1] ?? '').toLowerCase())
    const subnet = vnet?.subnets.find((s) => s.name.toLowerCase() === (match[2] ?? '').toLowerCase())
    return vnet && subnet ? { vnet, subnet } : undefined
  }
}

export const key = (id: string) => id.toLowerCase()

export const resourceIds = {
  resourceGroup: (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`,
  network: (sub: string, rg: string, type: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`
}

/** The next free host address of a subnet; Azure keeps the first four and the last one of every subnet. */
export function allocateIp(subnet: SubnetState): string | undefined {
  const [address = '', bits = '32'] = subnet.addressPrefix.split('/')
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
  const size = 2 ** (32 - Number(bits))
  for (let offset = 4; offset < size - 1; offset++) {
    const n = base + offset
    const ip = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
    if (!subnet.used.has(ip)) {
      subnet.used.add(ip)
      return ip
    }
  }
  return undefined
}
