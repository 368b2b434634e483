// Every ARM operation the provider calls (by the REST specs' operationId), how to recognise its request,
// and the Azure RBAC actions it needs, including the linked ones checked on another resource. The error
// reports read it; __tests__/denials-azure.test.ts keeps it in step with docs/policies/azure-*.json.
import type { CloudCallFailure, OperationPermissions } from '../../engine/cloud-error.js'

export interface ArmOperation extends OperationPermissions {
  operation: string
  method: 'GET' | 'PUT' | 'DELETE' | 'POST'
  /** Matches the request path (ARM paths are case-insensitive) */
  path: RegExp
}

const NETWORK = '/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\\.network'
const ZONE = `${NETWORK}/privatednszones/[^/]+`

function op(operation: string, method: ArmOperation['method'], path: string, write: boolean, ...permissions: string[]): ArmOperation {
  return { operation, method, path: new RegExp(`^${path}$`, 'i'), write, permissions }
}

const GROUPS = '/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\\.containerinstance/containergroups'
/** The opt-in live probe (azure-probe-subnet-id): granted by docs/policies/azure-probe.json, not the apply roles. */
function probe(operation: string, method: ArmOperation['method'], path: string, ...permissions: string[]): ArmOperation {
  return { ...op(operation, method, path, true, ...permissions), policy: 'azure-probe' }
}

export const AZURE_OPERATIONS: ArmOperation[] = [
  op('VirtualNetworks_Get', 'GET', `${NETWORK}/virtualnetworks/[^/]+`, false, 'Microsoft.Network/virtualNetworks/read'),
  op('PrivateEndpoints_List', 'GET', `${NETWORK}/privateendpoints`, false, 'Microsoft.Network/privateEndpoints/read'),
  op('PrivateEndpoints_Get', 'GET', `${NETWORK}/privateendpoints/[^/]+`, false, 'Microsoft.Network/privateEndpoints/read'),
  // Placing the endpoint in the subnet is checked on the subnet as a linked action.
  op('PrivateEndpoints_CreateOrUpdate', 'PUT', `${NETWORK}/privateendpoints/[^/]+`, true, 'Microsoft.Network/privateEndpoints/write', 'Microsoft.Network/virtualNetworks/subnets/join/action'),
  // destroy: the long-running delete also removes the endpoint's network interface.
  op('PrivateEndpoints_Delete', 'DELETE', `${NETWORK}/privateendpoints/[^/]+`, true, 'Microsoft.Network/privateEndpoints/delete'),
  op('NetworkInterfaces_Get', 'GET', `${NETWORK}/networkinterfaces/[^/]+`, false, 'Microsoft.Network/networkInterfaces/read'),
  // The endpoint's long-running operation (Azure-AsyncOperation); only polled after a write.
  op('NetworkOperationStatus_Get', 'GET', '/subscriptions/[^/]+/providers/microsoft\\.network/locations/[^/]+/operations/[^/]+', true, 'Microsoft.Network/locations/operations/read'),
  op('PrivateZones_ListByResourceGroup', 'GET', `${NETWORK}/privatednszones`, false, 'Microsoft.Network/privateDnsZones/read'),
  op('PrivateZones_Get', 'GET', ZONE, false, 'Microsoft.Network/privateDnsZones/read'),
  op('RecordSets_List', 'GET', `${ZONE}/all`, false, 'Microsoft.Network/privateDnsZones/ALL/read'),
  op('PrivateZones_CreateOrUpdate', 'PUT', ZONE, true, 'Microsoft.Network/privateDnsZones/write'),
  op('VirtualNetworkLinks_List', 'GET', `${ZONE}/virtualnetworklinks`, false, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read'),
  op('VirtualNetworkLinks_Get', 'GET', `${ZONE}/virtualnetworklinks/[^/]+`, false, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read'),
  // Linking a zone to the network is checked on the network as a linked action.
  op('VirtualNetworkLinks_CreateOrUpdate', 'PUT', `${ZONE}/virtualnetworklinks/[^/]+`, true, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write', 'Microsoft.Network/virtualNetworks/join/action'),
  // To replace a zone of the action's own made for a host Zilliz did not allocate, and for destroy and prune:
  // links first, then the zone.
  op('VirtualNetworkLinks_Delete', 'DELETE', `${ZONE}/virtualnetworklinks/[^/]+`, true, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete'),
  op('PrivateZones_Delete', 'DELETE', ZONE, true, 'Microsoft.Network/privateDnsZones/delete'),
  op('RecordSets_Get', 'GET', `${ZONE}/a/[^/]+`, false, 'Microsoft.Network/privateDnsZones/A/read'),
  op('RecordSets_CreateOrUpdate', 'PUT', `${ZONE}/a/[^/]+`, true, 'Microsoft.Network/privateDnsZones/A/write'),
  op('RecordSets_Delete', 'DELETE', `${ZONE}/a/[^/]+`, true, 'Microsoft.Network/privateDnsZones/A/delete'),
  // Level 1 DNS analysis: the DNS private resolver forwarding rulesets linked to the network, and their rules.
  op('DnsForwardingRulesets_ListByVirtualNetwork', 'POST', `${NETWORK}/virtualnetworks/[^/]+/listdnsforwardingrulesets`, false, 'Microsoft.Network/virtualNetworks/listDnsForwardingRulesets/action'),
  op('ForwardingRules_List', 'GET', `${NETWORK}/dnsforwardingrulesets/[^/]+/forwardingrules`, false, 'Microsoft.Network/dnsForwardingRulesets/forwardingRules/read'),
  // Level 1 path analysis: the client subnet's and the endpoint subnet's security groups, the client subnet's route table.
  op('NetworkSecurityGroups_Get', 'GET', `${NETWORK}/networksecuritygroups/[^/]+`, false, 'Microsoft.Network/networkSecurityGroups/read'),
  op('RouteTables_Get', 'GET', `${NETWORK}/routetables/[^/]+`, false, 'Microsoft.Network/routeTables/read'),
  // Network Watcher from a named VM (azure-network-watcher-vm-id), granted by docs/policies/azure-network-watcher.json:
  // the VM, the region's watcher, its two checks and their long-running results (Location).
  watcher('VirtualMachines_Get', 'GET', '/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\\.compute/virtualmachines/[^/]+', 'Microsoft.Compute/virtualMachines/read'),
  watcher('NetworkWatchers_ListAll', 'GET', '/subscriptions/[^/]+/providers/microsoft\\.network/networkwatchers', 'Microsoft.Network/networkWatchers/read'),
  watcher('NetworkWatchers_VerifyIPFlow', 'POST', `${NETWORK}/networkwatchers/[^/]+/ipflowverify`, 'Microsoft.Network/networkWatchers/ipFlowVerify/action'),
  watcher('NetworkWatchers_CheckConnectivity', 'POST', `${NETWORK}/networkwatchers/[^/]+/connectivitycheck`, 'Microsoft.Network/networkWatchers/connectivityCheck/action'),
  watcher('NetworkOperationResult_Get', 'GET', '/subscriptions/[^/]+/providers/microsoft\\.network/locations/[^/]+/operationresults/[^/]+', 'Microsoft.Network/locations/operationResults/read'),
  // The zone and link long-running operations; only polled after a write.
  op('PrivateDnsOperationStatus_Get', 'GET', `${NETWORK}/privatednsoperationstatuses/[^/]+`, true, 'Microsoft.Network/privateDnsOperationStatuses/read'),
  // Level 2, the live probe's container group in the probe subnet's resource group (Container Instances 2023-05-01).
  probe('ContainerGroups_ListByResourceGroup', 'GET', GROUPS, 'Microsoft.ContainerInstance/containerGroups/read'),
  probe('ContainerGroups_Get', 'GET', `${GROUPS}/[^/]+`, 'Microsoft.ContainerInstance/containerGroups/read'),
  // Placing the group in the subnet is checked on the subnet as a linked action.
  probe('ContainerGroups_CreateOrUpdate', 'PUT', `${GROUPS}/[^/]+`, 'Microsoft.ContainerInstance/containerGroups/write', 'Microsoft.Network/virtualNetworks/subnets/join/action'),
  probe('ContainerGroups_Start', 'POST', `${GROUPS}/[^/]+/start`, 'Microsoft.ContainerInstance/containerGroups/start/action'),
  probe('ContainerGroups_Stop', 'POST', `${GROUPS}/[^/]+/stop`, 'Microsoft.ContainerInstance/containerGroups/stop/action'),
  probe('Containers_ListLogs', 'GET', `${GROUPS}/[^/]+/containers/[^/]+/logs`, 'Microsoft.ContainerInstance/containerGroups/containers/logs/read'),
  // destroy
  probe('ContainerGroups_Delete', 'DELETE', `${GROUPS}/[^/]+`, 'Microsoft.ContainerInstance/containerGroups/delete')
]

/** Network Watcher's checks from a named VM (azure-network-watcher-vm-id): reads and check actions, granted by docs/policies/azure-network-watcher.json. */
function watcher(operation: string, method: ArmOperation['method'], path: string, ...permissions: string[]): ArmOperation {
  return { ...op(operation, method, path, false, ...permissions), policy: 'azure-network-watcher' }
}

/** The operation a request was, from its method and path. */
export function armOperationOf(method: string, url: string): ArmOperation | undefined {
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return undefined
  }
  return AZURE_OPERATIONS.find((o) => o.method === method.toUpperCase() && o.path.test(path))
}

/**
 * The part of a hub-and-spoke layout whose scope an action is checked on: the endpoint's resource group
 * (the endpoint, its network interface, its operations), a virtual network's (read, joined by the
 * endpoint's subnet or a zone's link, its linked forwarding rulesets listed), and the private DNS zones' and
 * forwarding rulesets' (a hub's). Each has its own role files.
 */
export type AzureScopePart = 'endpoint' | 'network' | 'dns'
export const AZURE_SCOPE_PARTS: AzureScopePart[] = ['endpoint', 'network', 'dns']

export function scopePartOf(action: string): AzureScopePart {
  // DNS private resolver forwarding rulesets live with the central DNS too, where a hub keeps them.
  if (/^Microsoft\.Network\/(privateDnsZones|privateDnsOperationStatuses|dnsForwardingRulesets)\//i.test(action)) return 'dns'
  // Security groups and route tables sit with the networks whose subnets use them.
  if (/^Microsoft\.Network\/(virtualNetworks|networkSecurityGroups|routeTables)\//i.test(action)) return 'network'
  return 'endpoint'
}

/** The per-scope role file that grants the action: docs/policies/azure-<part>-<plan|apply>.json. */
export function azureRoleFile(part: AzureScopePart, write: boolean): string {
  return `docs/policies/azure-${part}-${write ? 'apply' : 'plan'}.json`
}

const WHOLE = (write: boolean) => (write ? 'docs/policies/azure-apply.json' : 'docs/policies/azure-plan.json (or azure-apply.json)')

/**
 * What to grant, and where: each missing action's per-scope role (or the opt-in feature's file), assigned on
 * the scope ARM named, or the one role of the single-resource-group layout. `write` is the operation's (a
 * write needs the apply roles).
 */
export function azurePlaces(actions: string[], write: boolean, scope: string, policy?: string): Pick<CloudCallFailure, 'places' | 'grantNote'> {
  const fileOf = (action: string) => (policy ? `docs/policies/${policy}.json` : azureRoleFile(scopePartOf(action), write))
  return {
    places: Object.fromEntries(actions.map((action) => [action, { scope, policy: fileOf(action) }])),
    grantNote: policy ? 'assigned on that scope' : `assigned on that scope (${WHOLE(write)} where one resource group holds everything)`
  }
}
