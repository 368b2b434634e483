// The default Azure world of tests and the demo: one tenant and subscription, resource group zilliz-rg with a
// workload network in eastus (a subnet for endpoints and a delegated one), a network in westus, Zilliz's
// alias, an app whose federated credential trusts the default repository, and an app with a secret.
// For hub-and-spoke layouts, as Azure landing zones build them: a spoke network in another resource group of
// the same subscription, a network in a network subscription, and a connectivity (hub) subscription with a
// resource group for the central private DNS zones and the hub network where a DNS private resolver lives.
import { randomUUID } from 'node:crypto'
import { GITHUB_ISSUER } from '../oidc.js'
import { ZILLIZ_SEED } from '../zilliz.js'
import { key, resourceIds, type ArmState } from './arm-model.js'
import { ASSERTION_AUDIENCE, type EntraApp, type EntraEmulator } from './entra.js'

export const TENANT_ID = '7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8'
export const SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000001'
export const RESOURCE_GROUP = 'zilliz-rg'
export const LOCATION = 'eastus'
export const VNET = 'zilliz-vnet'
export const VNET_CIDR = '10.20.0.0/16'
export const SUBNET = 'endpoints'
export const SUBNET_CIDR = '10.20.1.0/24'
/** Delegated to App Service: Azure places no private endpoint there */
export const DELEGATED_SUBNET = 'webapps'
/** Delegated to Azure Container Instances: where the live probe's container group runs */
export const PROBE_SUBNET = 'probes'
export const OTHER_LOCATION = 'westus'
export const OTHER_VNET = 'westus-vnet'
export const ALIAS = ZILLIZ_SEED.endpointServices.azure

/** A spoke network in another resource group of the endpoint's subscription */
export const SPOKE_RESOURCE_GROUP = 'spoke-network-rg'
export const SPOKE_VNET = 'spoke-vnet'
/** A network subscription whose network the endpoint's subnet is in */
export const NETWORK_SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000002'
export const NETWORK_RESOURCE_GROUP = 'shared-network-rg'
export const SHARED_VNET = 'shared-vnet'
/** The connectivity (hub) subscription: central private DNS zones and the hub network */
export const HUB_SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000003'
export const DNS_RESOURCE_GROUP = 'private-dns-rg'
export const HUB_RESOURCE_GROUP = 'hub-network-rg'
export const HUB_VNET = 'hub-vnet'

/** The app the action signs in as through GitHub OIDC. */
export const CLIENT_ID = '3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d'
export const CLIENT_OBJECT_ID = 'a1b2c3d4-e5f6-4789-9abc-def012345678'
export const TRUSTED_SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main'
/** An app with a client secret, for the ambient (DefaultAzureCredential) path */
export const SECRET_CLIENT_ID = '5e7f9a1b-3c4d-4e6f-8a0b-4c6e8a0b2d3f'
export const CLIENT_SECRET = 'zpl~emulator~secret~0123456789abcdefABCDEF'

export function seedApps(entra: EntraEmulator): void {
  const federated: EntraApp = {
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    objectId: CLIENT_OBJECT_ID,
    displayName: 'zilliz-private-link',
    federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: TRUSTED_SUBJECT, audiences: [ASSERTION_AUDIENCE] }],
    secrets: []
  }
  entra.addApp(federated)
  entra.addApp({ tenantId: TENANT_ID, clientId: SECRET_CLIENT_ID, objectId: randomUUID(), displayName: 'ci-deployer', federatedCredentials: [], secrets: [CLIENT_SECRET] })
}

function addNetwork(
  state: ArmState,
  name: string,
  location: string,
  cidr: string,
  subnets: { name: string; cidr: string; delegations?: string[] }[],
  where: { subscriptionId: string; resourceGroup: string } = { subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP }
): void {
  const id = resourceIds.network(where.subscriptionId, where.resourceGroup, 'virtualNetworks', name)
  state.virtualNetworks.set(key(id), {
    id,
    name,
    location,
    addressPrefixes: [cidr],
    subnets: subnets.map((s) => ({ name: s.name, addressPrefix: s.cidr, delegations: s.delegations ?? [], used: new Set() })),
    tags: {},
    resourceGuid: randomUUID(),
    etag: `W/"${randomUUID()}"`
  })
}

export function seedArm(state: ArmState): void {
  state.subscriptions.set(SUBSCRIPTION_ID, { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID })
  state.addResourceGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, LOCATION)
  addNetwork(state, VNET, LOCATION, VNET_CIDR, [
    { name: SUBNET, cidr: SUBNET_CIDR },
    { name: DELEGATED_SUBNET, cidr: '10.20.2.0/24', delegations: ['Microsoft.Web/serverFarms'] },
    { name: PROBE_SUBNET, cidr: '10.20.3.0/24', delegations: ['Microsoft.ContainerInstance/containerGroups'] }
  ])
  addNetwork(state, OTHER_VNET, OTHER_LOCATION, '10.30.0.0/16', [{ name: 'default', cidr: '10.30.1.0/24' }])
  state.aliases.add(ALIAS.toLowerCase())
  seedHubAndSpokes(state)
}

function seedHubAndSpokes(state: ArmState): void {
  state.addResourceGroup(SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP, LOCATION)
  addNetwork(state, SPOKE_VNET, LOCATION, '10.40.0.0/16', [{ name: SUBNET, cidr: '10.40.1.0/24' }], { subscriptionId: SUBSCRIPTION_ID, resourceGroup: SPOKE_RESOURCE_GROUP })
  for (const subscriptionId of [NETWORK_SUBSCRIPTION_ID, HUB_SUBSCRIPTION_ID]) state.subscriptions.set(subscriptionId, { subscriptionId, tenantId: TENANT_ID })
  state.addResourceGroup(NETWORK_SUBSCRIPTION_ID, NETWORK_RESOURCE_GROUP, LOCATION)
  addNetwork(state, SHARED_VNET, LOCATION, '10.50.0.0/16', [{ name: SUBNET, cidr: '10.50.1.0/24' }], { subscriptionId: NETWORK_SUBSCRIPTION_ID, resourceGroup: NETWORK_RESOURCE_GROUP })
  state.addResourceGroup(HUB_SUBSCRIPTION_ID, DNS_RESOURCE_GROUP, LOCATION)
  state.addResourceGroup(HUB_SUBSCRIPTION_ID, HUB_RESOURCE_GROUP, LOCATION)
  addNetwork(state, HUB_VNET, LOCATION, '10.0.0.0/16', [{ name: 'dns-resolver-inbound', cidr: '10.0.1.0/28' }], { subscriptionId: HUB_SUBSCRIPTION_ID, resourceGroup: HUB_RESOURCE_GROUP })
}

export const ids = {
  vnet: (name = VNET, subscriptionId = SUBSCRIPTION_ID, resourceGroup = RESOURCE_GROUP) => resourceIds.network(subscriptionId, resourceGroup, 'virtualNetworks', name),
  subnet: (name = SUBNET, vnet = VNET, subscriptionId = SUBSCRIPTION_ID, resourceGroup = RESOURCE_GROUP) => `${resourceIds.network(subscriptionId, resourceGroup, 'virtualNetworks', vnet)}/subnets/${name}`,
  resourceGroup: (subscriptionId: string, resourceGroup: string) => resourceIds.resourceGroup(subscriptionId, resourceGroup)
}
