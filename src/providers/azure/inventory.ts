// What the action manages on Azure, found by its tags, with the delete of each: the apex A records, the
// virtual network links, the private DNS zones (or only this run's links when a zone serves other networks),
// all in the zones' resource group (a hub's, perhaps in another subscription), and the private endpoint in
// its own. A link is this run's only when its PUT carried the ownership tags and it links the endpoint's
// network or one of azure-dns-link-vnet-ids: links made by others are never removed, they keep the zone.
// Deletes follow ARM's long-running operations.
import type { PrivateDnsManagementClient, RecordSet, VirtualNetworkLink } from '@azure/arm-privatedns'
import type { Config } from '../../config/types.js'
import { zoneRemoval } from '../../engine/dns-removal.js'
import { azureEndpointName, ownershipOf, ownershipTags } from '../../engine/ownership.js'
import type { StepContext } from '../../engine/plan.js'
import type { Inventory, KeptResource, ManagedResource } from '../../engine/provider.js'
import { isNotFound, sameId } from './clients.js'
import { APEX } from './dns.js'
import { existingZoneInventory } from './dns-existing.js'
import type { NetworkApi } from './network-api.js'
import { getEndpointsInGroup, registrationId } from './private-endpoint.js'

const ZILLIZ_DOMAIN = /\.vectordb\.zillizcloud\.com$/

export interface AzureInventoryInput {
  config: Config
  network: NetworkApi
  /** Private DNS in the zones' subscription */
  dns: PrivateDnsManagementClient
  /** The endpoint's resource group (in the subscription of `network`) */
  resourceGroup: string
  /** The zones' resource group */
  dnsResourceGroup: string
  vnetId: string
  /** Further networks the run links every zone to */
  linkVnetIds: string[]
  alias: string
  subscriptionId: string
  dnsFor(subscriptionId: string): PrivateDnsManagementClient
  /** The ownership metadata of records in named zones (dns: existing-zone) */
  ownerTags: Record<string, string>
  /** Hosts whose DNS the caller does not need (see InventoryHint): their zones are not read */
  skipHosts?: ReadonlySet<string>
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
  const { dns } = input
  const resourceGroup = input.dnsResourceGroup
  const expected = ownershipTags(input.config)
  const ourNetworks = [input.vnetId, ...input.linkVnetIds]
  const ours = (l: VirtualNetworkLink) => ownershipOf(l.tags, expected).owned && ourNetworks.some((id) => sameId(l.virtualNetwork?.id, id))
  const zones: { name?: string; tags?: Record<string, string> }[] = []
  // Zones named in dns-zone-ids are the user's: only our records in them are looked at (existingZoneInventory).
  const named = new Set(input.config.dns.zoneIds.map((id) => id.toLowerCase()))
  const skipped = (name: string) => input.skipHosts?.has(name.toLowerCase()) ?? false
  for await (const zone of dns.privateZones.listByResourceGroup(resourceGroup))
    if (ZILLIZ_DOMAIN.test(zone.name ?? '') && !named.has((zone.id ?? '').toLowerCase()) && !skipped(zone.name ?? '')) zones.push(zone)
  for (const zone of zones) {
    const host = (zone.name ?? '').toLowerCase()
    const links: VirtualNetworkLink[] = []
    for await (const link of dns.virtualNetworkLinks.list(resourceGroup, host)) links.push(link)
    const ourLinks = links.filter(ours)
    const ownership = ownershipOf(zone.tags, expected)
    // A zone that does not serve this network is no part of this link (a hub holds other spokes' zones); one
    // of ours with no link left (its links were deleted before a crash) still is.
    const servesThisNetwork = ourLinks.length > 0 || links.some((l) => sameId(l.virtualNetwork?.id, input.vnetId))
    if (!servesThisNetwork && (links.length || !ownership.owned)) continue
    const otherNetworks = links.filter((l) => !ours(l)).map((l) => (ownershipOf(l.tags, expected).owned ? l.virtualNetwork?.id ?? l.name ?? '' : `${l.virtualNetwork?.id ?? ''} (link ${l.name ?? ''}, not made by this action)`))
    const removeLink = (ctx: StepContext, link?: string) => goneOk(() => dns.virtualNetworkLinks.beginDeleteAndWait(resourceGroup, host, link ?? '', { abortSignal: ctx.signal }))
    // A link the action made into a zone that is not its own (a central zone someone else keeps) is still its own.
    if (!ownership.owned)
      for (const link of ourLinks.map((l) => l.name ?? ''))
        managed.push({ id: `dns-link:${host}:${link}`, kind: 'azure.private-dns-vnet-link', name: link, layer: 'zone-link', host, evidence: 'tagged by this action for this project, region and repository, in a zone it did not make', remove: (ctx) => removeLink(ctx, link) })
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
        removeLink,
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
      remove: (ctx) => goneOk(() => network.deletePrivateEndpoint(resourceGroup, e.name, ctx.signal))
    })
  }
  return endpointId
}

export async function azureInventory(input: AzureInventoryInput): Promise<Inventory> {
  const managed: ManagedResource[] = []
  const kept: KeptResource[] = []
  // dns: none reads no DNS at all (the identity may lack Private DNS roles); managed zones of an earlier
  // managed run are still found in existing-zone mode, since they would shadow the named zone's records.
  const { mode, zoneIds } = input.config.dns
  const dns = mode === 'none' ? [] : [dnsInventory(input, managed, kept), existingZoneInventory(input.dnsFor, zoneIds, input.ownerTags, managed, kept)]
  const [endpointId] = await Promise.all([endpointInventory(input, managed, kept), ...dns])
  kept.sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`))
  return { managed, kept, ...(endpointId ? { endpointId } : {}), whitelistAccount: input.subscriptionId }
}

