// What the action manages on Azure, found by its tags in the resource group, with the delete of each: the
// apex A records, the virtual network links, the private DNS zones (or only this network's link when a
// zone serves other networks), and the private endpoint. Deletes follow ARM's long-running operations.
import type { NetworkManagementClient } from '@azure/arm-network'
import type { PrivateDnsManagementClient, RecordSet, VirtualNetworkLink } from '@azure/arm-privatedns'
import type { Config } from '../../config/types.js'
import { zoneRemoval } from '../../engine/dns-removal.js'
import { azureEndpointName, ownershipOf, ownershipTags } from '../../engine/ownership.js'
import type { Inventory, KeptResource, ManagedResource } from '../../engine/provider.js'
import { isNotFound, sameId } from './clients.js'
import { APEX } from './dns.js'
import { getEndpointsInGroup, registrationId } from './private-endpoint.js'

const ZILLIZ_DOMAIN = /\.vectordb\.zillizcloud\.com$/

export interface AzureInventoryInput {
  config: Config
  network: NetworkManagementClient
  dns: PrivateDnsManagementClient
  resourceGroup: string
  vnetId: string
  alias: string
  subscriptionId: string
}

/** A delete of something already gone counts as done. */
async function goneOk(run: () => Promise<unknown>): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

async function dnsInventory(input: AzureInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  const { dns, resourceGroup } = input
  const expected = ownershipTags(input.config)
  const zones: { name?: string; tags?: Record<string, string> }[] = []
  for await (const zone of dns.privateZones.listByResourceGroup(resourceGroup)) if (ZILLIZ_DOMAIN.test(zone.name ?? '')) zones.push(zone)
  for (const zone of zones) {
    const host = (zone.name ?? '').toLowerCase()
    const links: VirtualNetworkLink[] = []
    for await (const link of dns.virtualNetworkLinks.list(resourceGroup, host)) links.push(link)
    const ourLinks = links.filter((l) => sameId(l.virtualNetwork?.id, input.vnetId))
    const ownership = ownershipOf(zone.tags, expected)
    // A zone linked only to other networks is no part of this link; one of ours with no link left (its link
    // was deleted before a crash) still is.
    if (!ourLinks.length && (links.length || !ownership.owned)) continue
    const otherNetworks = links.filter((l) => !sameId(l.virtualNetwork?.id, input.vnetId)).map((l) => l.virtualNetwork?.id ?? l.name ?? '')
    const records: RecordSet[] = []
    if (ownership.owned && !otherNetworks.length) for await (const r of dns.recordSets.list(resourceGroup, host)) records.push(r)
    const apexA = records.find((r) => r.name === APEX && (r.type ?? '').endsWith('/A'))
    const own = (r: RecordSet) => r === apexA || (r.name === APEX && (r.type ?? '').endsWith('/SOA'))
    zoneRemoval(
      {
        host,
        zoneKind: 'azure.private-dns-zone',
        recordKind: 'azure.private-dns-a-record',
        linkKind: 'azure.private-dns-vnet-link',
        zoneName: host,
        ownership,
        hasRecord: apexA !== undefined,
        foreignRecords: records.filter((r) => !own(r)).map((r) => `${r.name} ${(r.type ?? '').split('/').pop()}`),
        otherNetworks,
        links: ourLinks.map((l) => l.name ?? ''),
        removeRecord: () => goneOk(() => dns.recordSets.delete(resourceGroup, host, 'A', APEX)),
        removeLink: (ctx, link) => goneOk(() => dns.virtualNetworkLinks.beginDeleteAndWait(resourceGroup, host, link ?? '', { abortSignal: ctx.signal })),
        removeZone: (ctx) => goneOk(() => dns.privateZones.beginDeleteAndWait(resourceGroup, host, { abortSignal: ctx.signal }))
      },
      managed,
      kept
    )
  }
}

async function endpointInventory(input: AzureInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<string | undefined> {
  const { network, resourceGroup, config } = input
  const name = azureEndpointName(config)
  const inNetwork = (subnetId: string) => subnetId.toLowerCase().startsWith(`${input.vnetId.toLowerCase()}/subnets/`)
  const endpoints = (await getEndpointsInGroup(network, resourceGroup, config.zilliz.projectId)).filter(
    (e) => e.name === name || (e.target.toLowerCase() === input.alias.toLowerCase() && inNetwork(e.subnetId))
  )
  let endpointId: string | undefined
  for (const e of endpoints) {
    const ownership = ownershipOf(e.tags, ownershipTags(config))
    if (!ownership.owned) {
      kept.push({ kind: 'azure.private-endpoint', name: e.name, reason: `kept: ${ownership.reason}` })
      continue
    }
    if (e.resourceGuid) endpointId ??= registrationId(e)
    managed.push({
      id: `private-endpoint:${e.name}`,
      kind: 'azure.private-endpoint',
      name: e.name,
      layer: 'endpoint',
      evidence: `tagged by this action for this project, region and repository (provisioning ${e.provisioningState})`,
      // The long-running delete also removes the endpoint's network interface.
      remove: (ctx) => goneOk(() => network.privateEndpoints.beginDeleteAndWait(resourceGroup, e.name, { abortSignal: ctx.signal }))
    })
  }
  return endpointId
}

export async function azureInventory(input: AzureInventoryInput): Promise<Inventory> {
  const managed: ManagedResource[] = []
  const kept: KeptResource[] = []
  const [, endpointId] = await Promise.all([dnsInventory(input, managed, kept), endpointInventory(input, managed, kept)])
  kept.sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`))
  return { managed, kept, ...(endpointId ? { endpointId } : {}), whitelistAccount: input.subscriptionId }
}

