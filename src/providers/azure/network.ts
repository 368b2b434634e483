// Observes the virtual network and subnet and checks the inputs against them (they exist, the network is
// in the Zilliz region's location, the subnet can hold a private endpoint) before anything is written.
import type { NetworkManagementClient, Subnet } from '@azure/arm-network'
import type { AzureSettings } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import { armError, subnetId, virtualNetworkId } from './clients.js'

export interface AzureNetwork {
  vnetId: string
  subnetId: string
  location: string
  addressPrefixes: string[]
}

function notFound(error: unknown, settings: AzureSettings): Error {
  const { code } = armError(error)
  const where = `subscription ${settings.subscriptionId}`
  if (code === 'SubscriptionNotFound')
    return new InputError('azure-subscription-id', `subscription ${settings.subscriptionId} does not exist or these credentials cannot see it. Check the id and the role assignment.`)
  if (code === 'ResourceGroupNotFound')
    return new InputError('azure-resource-group', `resource group ${settings.resourceGroup} does not exist in ${where}. Check the name and the subscription.`)
  return new InputError(
    'azure-virtual-network',
    `virtual network ${settings.virtualNetwork} does not exist in resource group ${settings.resourceGroup} of ${where}. Check the name; give the network's resource group as azure-resource-group.`
  )
}

function checkSubnet(settings: AzureSettings, subnets: Subnet[]): Subnet {
  const subnet = subnets.find((s) => s.name?.toLowerCase() === settings.subnet.toLowerCase())
  if (!subnet) {
    const names = subnets.map((s) => s.name).filter(Boolean)
    throw new InputError('azure-subnet', `${settings.virtualNetwork} has no subnet ${settings.subnet}; its subnets are ${names.length ? names.join(', ') : 'none'}.`)
  }
  const delegated = (subnet.delegations ?? []).map((d) => d.serviceName).filter(Boolean)
  if (delegated.length)
    throw new InputError('azure-subnet', `${settings.subnet} is delegated to ${delegated.join(', ')}; Azure does not place private endpoints in delegated subnets. Use another subnet of ${settings.virtualNetwork}.`)
  return subnet
}

export async function observeNetwork(network: NetworkManagementClient, settings: AzureSettings): Promise<AzureNetwork> {
  const vnet = await network.virtualNetworks.get(settings.resourceGroup, settings.virtualNetwork).catch((error: unknown) => {
    throw armError(error).status === 404 ? notFound(error, settings) : error
  })
  const location = (vnet.location ?? '').toLowerCase()
  if (location !== settings.location)
    throw new InputError(
      'azure-virtual-network',
      `${settings.virtualNetwork} is in ${location}, but zilliz-region-id is in ${settings.location}; the private endpoint must be in its virtual network's location. Use a virtual network in ${settings.location}.`
    )
  const subnet = checkSubnet(settings, vnet.subnets ?? [])
  return {
    vnetId: vnet.id ?? virtualNetworkId(settings),
    subnetId: subnet.id ?? subnetId(settings),
    location,
    addressPrefixes: vnet.addressSpace?.addressPrefixes ?? []
  }
}
