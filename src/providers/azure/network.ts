// Observes the virtual network and subnet and checks the inputs against them (they exist, the network is
// in the Zilliz region's location, the subnet can hold a private endpoint) before anything is written; and
// the further networks the zones are linked to (azure-dns-link-vnet-ids), which must exist too.
import type { AzureSettings } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import { armError, isMissingScope, parseResourceId, sameId, subnetId, virtualNetworkId, type AzureClients } from './clients.js'
import type { NetworkApi, Subnet } from './network-api.js'

export interface AzureNetwork {
  vnetId: string
  subnetId: string
  location: string
  addressPrefixes: string[]
  /** dhcpOptions.dnsServers: custom DNS servers the network hands its VMs; empty: Azure-provided DNS */
  dnsServers: string[]
}

/** A further network every zone is linked to. */
export interface LinkedNetwork {
  /** As ARM spells it */
  id: string
  name: string
}

/** The input that names the network: azure-subnet when it is a resource id, else azure-virtual-network. */
const networkInput = (settings: AzureSettings) => (settings.networkResourceGroup === settings.resourceGroup && settings.networkSubscriptionId === settings.subscriptionId ? 'azure-virtual-network' : 'azure-subnet')

function notFound(error: unknown, settings: AzureSettings): Error {
  const { code } = armError(error)
  const elsewhere = networkInput(settings) === 'azure-subnet'
  const where = `subscription ${settings.networkSubscriptionId}`
  if (code === 'SubscriptionNotFound')
    return new InputError(
      elsewhere ? 'azure-subnet' : 'azure-subscription-id',
      `subscription ${settings.networkSubscriptionId} does not exist or these credentials cannot see it. Check the id and the role assignment.`
    )
  if (code === 'ResourceGroupNotFound')
    return new InputError(
      elsewhere ? 'azure-subnet' : 'azure-resource-group',
      `resource group ${settings.networkResourceGroup} does not exist in ${where}. Check the name and the subscription.`
    )
  return new InputError(
    networkInput(settings),
    elsewhere
      ? `virtual network ${settings.virtualNetwork} does not exist in resource group ${settings.networkResourceGroup} of ${where}. Check the subnet id.`
      : `virtual network ${settings.virtualNetwork} does not exist in resource group ${settings.networkResourceGroup} of ${where}. Check the name; for a network in another resource group or subscription, give azure-subnet as the subnet's full resource id.`
  )
}

function checkSubnet(settings: AzureSettings, subnets: Subnet[]): Subnet {
  const subnet = subnets.find((s) => s.name?.toLowerCase() === settings.subnet.toLowerCase())
  if (!subnet) {
    const names = subnets.map((s) => s.name).filter(Boolean)
    throw new InputError('azure-subnet', `${settings.virtualNetwork} has no subnet ${settings.subnet}; its subnets are ${names.length ? names.join(', ') : 'none'}.`)
  }
  const delegated = (subnet.properties?.delegations ?? []).map((d) => d.properties?.serviceName).filter(Boolean)
  if (delegated.length)
    throw new InputError('azure-subnet', `${settings.subnet} is delegated to ${delegated.join(', ')}; Azure does not place private endpoints in delegated subnets. Use another subnet of ${settings.virtualNetwork}.`)
  return subnet
}

/** `network` is the client of the network's subscription (settings.networkSubscriptionId). */
export async function observeNetwork(network: NetworkApi, settings: AzureSettings): Promise<AzureNetwork> {
  const vnet = await network.virtualNetwork(settings.networkResourceGroup, settings.virtualNetwork).catch((error: unknown) => {
    throw armError(error).status === 404 ? notFound(error, settings) : error
  })
  const location = (vnet.location ?? '').toLowerCase()
  if (location !== settings.location)
    throw new InputError(
      networkInput(settings),
      `${settings.virtualNetwork} is in ${location}, but zilliz-region-id is in ${settings.location}; the private endpoint must be in its virtual network's location. Use a virtual network in ${settings.location}.`
    )
  const subnet = checkSubnet(settings, vnet.properties?.subnets ?? [])
  return {
    vnetId: vnet.id ?? virtualNetworkId(settings),
    subnetId: subnet.id ?? subnetId(settings),
    location,
    addressPrefixes: vnet.properties?.addressSpace?.addressPrefixes ?? [],
    dnsServers: vnet.properties?.dhcpOptions?.dnsServers ?? []
  }
}

/**
 * The networks of azure-dns-link-vnet-ids, read in their own subscriptions before any write: a link to a
 * network that does not exist would fail after the zones were made. Any location will do (zones are global);
 * the endpoint's own network is linked anyway and is left out (it is known by its id, so this read goes out
 * beside the network's own).
 */
export async function observeLinkedNetworks(clients: AzureClients, settings: AzureSettings): Promise<LinkedNetwork[]> {
  const ids = settings.dnsLinkVnetIds.filter((id) => !sameId(id, virtualNetworkId(settings)))
  return Promise.all(
    ids.map(async (id) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(id)
      const vnet = await clients
        .network(subscriptionId)
        .virtualNetwork(resourceGroup, name)
        .catch((error: unknown) => {
          const { status, code } = armError(error)
          if (status !== 404) throw error
          const what = code === 'SubscriptionNotFound' ? `subscription ${subscriptionId} does not exist or these credentials cannot see it` : code === 'ResourceGroupNotFound' ? `resource group ${resourceGroup} does not exist in subscription ${subscriptionId}` : `virtual network ${name} does not exist in resource group ${resourceGroup} of subscription ${subscriptionId}`
          throw new InputError('azure-dns-link-vnet-ids', `${what} (${id}). Check the id, or remove it from the list.`)
        })
      return { id: vnet.id ?? id, name: vnet.name ?? name }
    })
  )
}

/**
 * A resource group or subscription that does not exist (ARM's 404 for the scope, not the resource) names the
 * input that chose it: the endpoint's (azure-resource-group) or the zones' (azure-dns-resource-group).
 */
export function scopeInputError(error: unknown, settings: AzureSettings, part: 'endpoint' | 'dns'): unknown {
  if (!isMissingScope(error)) return error
  const [subscription, group] = part === 'endpoint' ? [settings.subscriptionId, settings.resourceGroup] : [settings.dnsSubscriptionId, settings.dnsResourceGroup]
  const inputs = part === 'endpoint' ? ['azure-subscription-id', 'azure-resource-group'] : ['azure-dns-subscription-id', 'azure-dns-resource-group']
  return armError(error).code === 'SubscriptionNotFound'
    ? new InputError(inputs[0] ?? '', `subscription ${subscription} does not exist or these credentials cannot see it. Check the id and the role assignment.`)
    : new InputError(inputs[1] ?? '', `resource group ${group} does not exist in subscription ${subscription}. Check the name and the subscription.`)
}
