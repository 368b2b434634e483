// Microsoft.Network network security groups and route tables (api-version 2025-05-01, GET), and how tests
// shape them: groups with their rules and Azure's six default rules, route tables with user-defined
// routes, and their association with subnets (with the subnet's privateEndpointNetworkPolicies) and
// network peerings. What the path analysis reads (src/providers/azure/path-analysis.ts).
import type { EmulatorResponse } from '../core/service.js'
import { armJson, networkEtag, resourceNotFound } from './arm-http.js'
import { key, resourceIds, type ArmState, type NetworkSecurityGroupState, type RouteState, type RouteTableState, type SecurityRuleState } from './arm-model.js'
import { armRoute, type ArmCall, type ArmRoute } from './arm-route.js'

const GROUP = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network'

type JsonObject = Record<string, unknown>

// network-security-groups-overview, "Default security rules": every group has them, after its own.
export const DEFAULT_RULES: SecurityRuleState[] = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'AzureLoadBalancer', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }
]

function ruleView(group: NetworkSecurityGroupState, rule: SecurityRuleState, kind: 'securityRules' | 'defaultSecurityRules'): JsonObject {
  const { name, ...properties } = rule
  return {
    name,
    id: `${group.id}/${kind}/${name}`,
    etag: group.etag,
    type: `Microsoft.Network/networkSecurityGroups/${kind}`,
    properties: {
      provisioningState: 'Succeeded',
      description: kind === 'defaultSecurityRules' ? 'Default rule' : '',
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
      sourcePortRanges: [],
      destinationPortRanges: [],
      ...properties
    }
  }
}

export class NetworkRulesProvider {
  constructor(private readonly state: ArmState) {}

  routes(): ArmRoute[] {
    return [
      armRoute('GET', `${GROUP}/networkSecurityGroups/{name}`, 'NetworkSecurityGroups_Get', 'Microsoft.Network/networkSecurityGroups/read', (c) => this.getGroup(c)),
      armRoute('GET', `${GROUP}/routeTables/{name}`, 'RouteTables_Get', 'Microsoft.Network/routeTables/read', (c) => this.getRouteTable(c))
    ]
  }

  /** Creates (or replaces) a group with these rules in the location given; returns it for tests to change. */
  addSecurityGroup(subscriptionId: string, resourceGroup: string, name: string, rules: SecurityRuleState[], location = 'eastus'): NetworkSecurityGroupState {
    const id = resourceIds.network(subscriptionId, resourceGroup, 'networkSecurityGroups', name)
    const group = { id, name, location, rules, etag: networkEtag() }
    this.state.networkSecurityGroups.set(key(id), group)
    return group
  }

  addRouteTable(subscriptionId: string, resourceGroup: string, name: string, routes: RouteState[], location = 'eastus'): RouteTableState {
    const id = resourceIds.network(subscriptionId, resourceGroup, 'routeTables', name)
    const table = { id, name, location, routes, disableBgpRoutePropagation: false, etag: networkEtag() }
    this.state.routeTables.set(key(id), table)
    return table
  }

  /** Associates a group and a route table with a subnet and sets its privateEndpointNetworkPolicies (undefined leaves each as is). */
  configureSubnet(subnetId: string, settings: { networkSecurityGroupId?: string | null; routeTableId?: string | null; privateEndpointNetworkPolicies?: string }): void {
    const found = this.state.subnet(subnetId)
    if (!found) throw new Error(`no subnet ${subnetId}`)
    const { subnet } = found
    if (settings.networkSecurityGroupId !== undefined) subnet.networkSecurityGroupId = settings.networkSecurityGroupId ?? undefined
    if (settings.routeTableId !== undefined) subnet.routeTableId = settings.routeTableId ?? undefined
    if (settings.privateEndpointNetworkPolicies !== undefined) subnet.privateEndpointNetworkPolicies = settings.privateEndpointNetworkPolicies
    found.vnet.etag = networkEtag()
  }

  /** Peers two networks both ways (connected, with virtual network access), as a completed peering is. */
  peer(vnetId: string, remoteVnetId: string): void {
    for (const [from, to] of [
      [vnetId, remoteVnetId],
      [remoteVnetId, vnetId]
    ] as const) {
      const vnet = this.state.virtualNetworks.get(key(from))
      if (!vnet) throw new Error(`no virtual network ${from}`)
      vnet.peerings = [...(vnet.peerings ?? []), { name: `to-${to.split('/').pop()}`, remoteVnetId: to, peeringState: 'Connected', allowVirtualNetworkAccess: true }]
    }
  }

  private id(c: ArmCall, type: string): string {
    return resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', type, c.params['name'] ?? '')
  }

  private subnetsUsing(field: 'networkSecurityGroupId' | 'routeTableId', id: string): JsonObject[] {
    return [...this.state.virtualNetworks.values()].flatMap((v) => v.subnets.filter((s) => s[field] && key(s[field] as string) === key(id)).map((s) => ({ id: `${v.id}/subnets/${s.name}` })))
  }

  private getGroup(c: ArmCall): EmulatorResponse {
    const group = this.state.networkSecurityGroups.get(key(this.id(c, 'networkSecurityGroups')))
    if (!group) throw resourceNotFound('Microsoft.Network/networkSecurityGroups', c.params['name'], c.params['resourceGroupName'])
    return armJson(200, {
      name: group.name,
      id: group.id,
      etag: group.etag,
      type: 'Microsoft.Network/networkSecurityGroups',
      location: group.location,
      properties: {
        provisioningState: 'Succeeded',
        securityRules: group.rules.map((r) => ruleView(group, r, 'securityRules')),
        defaultSecurityRules: DEFAULT_RULES.map((r) => ruleView(group, r, 'defaultSecurityRules')),
        subnets: this.subnetsUsing('networkSecurityGroupId', group.id)
      }
    })
  }

  private getRouteTable(c: ArmCall): EmulatorResponse {
    const table = this.state.routeTables.get(key(this.id(c, 'routeTables')))
    if (!table) throw resourceNotFound('Microsoft.Network/routeTables', c.params['name'], c.params['resourceGroupName'])
    return armJson(200, {
      name: table.name,
      id: table.id,
      etag: table.etag,
      type: 'Microsoft.Network/routeTables',
      location: table.location,
      properties: {
        provisioningState: 'Succeeded',
        disableBgpRoutePropagation: table.disableBgpRoutePropagation,
        routes: table.routes.map((r) => {
          const { name, ...properties } = r
          return { name, id: `${table.id}/routes/${name}`, etag: table.etag, type: 'Microsoft.Network/routeTables/routes', properties: { provisioningState: 'Succeeded', hasBgpOverride: false, ...properties } }
        }),
        subnets: this.subnetsUsing('routeTableId', table.id)
      }
    })
  }
}
