// Microsoft.Network DNS private resolver (api-version 2022-07-01), as far as a reader of a network's DNS
// needs it: the forwarding rulesets linked to a virtual network (a POST list action) and a ruleset's
// forwarding rules. Rulesets are seeded by tests (addRuleset), as the portal or az would have made them.
import type { EmulatorResponse } from '../core/service.js'
import { ArmFailure, armJson } from './arm-http.js'
import { key, resourceIds, type ArmState, type ForwardingRuleState, type ForwardingRulesetState } from './arm-model.js'
import { armRoute, type ArmCall, type ArmRoute } from './arm-route.js'

export const DNS_RESOLVER_API_VERSION = '2022-07-01'
const GROUP = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network'

export class DnsResolverProvider {
  constructor(private readonly state: ArmState) {}

  routes(): ArmRoute[] {
    return [
      armRoute(
        'POST',
        `${GROUP}/virtualNetworks/{name}/listDnsForwardingRulesets`,
        'DnsForwardingRulesets_ListByVirtualNetwork',
        'Microsoft.Network/virtualNetworks/listDnsForwardingRulesets/action',
        (c) => this.listByVirtualNetwork(c),
        false
      ),
      armRoute('GET', `${GROUP}/dnsForwardingRulesets/{name}/forwardingRules`, 'ForwardingRules_List', 'Microsoft.Network/dnsForwardingRulesets/forwardingRules/read', (c) => this.listRules(c))
    ]
  }

  /** Seeds a ruleset in the subscription and group given, linked to these networks. */
  addRuleset(subscriptionId: string, resourceGroup: string, name: string, linkedVnetIds: string[], rules: ForwardingRuleState[]): ForwardingRulesetState {
    const id = resourceIds.network(subscriptionId, resourceGroup, 'dnsForwardingRulesets', name)
    const ruleset: ForwardingRulesetState = { id, name, links: new Map(linkedVnetIds.map((vnetId, i) => [`link-${i}`, vnetId])), rules }
    this.state.forwardingRulesets.set(key(id), ruleset)
    return ruleset
  }

  private listByVirtualNetwork(c: ArmCall): EmulatorResponse {
    const vnetId = resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', 'virtualNetworks', c.params['name'] ?? '')
    if (!this.state.virtualNetworks.has(key(vnetId)))
      throw new ArmFailure(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/virtualNetworks/${c.params['name']}' under resource group '${c.params['resourceGroupName']}' was not found.`)
    const value = [...this.state.forwardingRulesets.values()].flatMap((r) =>
      [...r.links].filter(([, linked]) => key(linked) === key(vnetId)).map(([link]) => ({ id: r.id, properties: { virtualNetworkLink: { id: `${r.id}/virtualNetworkLinks/${link}` } } }))
    )
    return armJson(200, { value })
  }

  private listRules(c: ArmCall): EmulatorResponse {
    const id = resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', 'dnsForwardingRulesets', c.params['name'] ?? '')
    const ruleset = this.state.forwardingRulesets.get(key(id))
    if (!ruleset) throw new ArmFailure(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/dnsForwardingRulesets/${c.params['name']}' under resource group '${c.params['resourceGroupName']}' was not found.`)
    const value = ruleset.rules.map((r) => ({
      id: `${ruleset.id}/forwardingRules/${r.name}`,
      name: r.name,
      type: 'Microsoft.Network/dnsForwardingRulesets/forwardingRules',
      etag: '"00000000-0000-0000-0000-000000000000"',
      properties: {
        domainName: r.domainName,
        targetDnsServers: r.targetDnsServers.map((t) => ({ ipAddress: t.ipAddress, port: t.port ?? 53 })),
        forwardingRuleState: r.forwardingRuleState,
        provisioningState: 'Succeeded'
      }
    }))
    return armJson(200, { value })
  }
}
