// dns: existing-zone on Azure Private DNS: the A records go into private DNS zones the user names (often a
// hub subscription's central zone), which the action never creates, links or deletes. Azure record sets
// carry metadata, so each record is owned by its metadata, written in the same PUT as the record.
import type { PrivateDnsManagementClient } from '@azure/arm-privatedns'
import { bareName, judgeExistingRecord, recordOwnership, relativeName, type NamedZone } from '../../engine/dns-placement.js'
import { InputError } from '../../engine/input-error.js'
import { MANAGED_BY_TAG, TAG_PREFIX } from '../../engine/ownership.js'
import type { PlannedStep } from '../../engine/plan.js'
import type { KeptResource, ManagedResource } from '../../engine/provider.js'
import type { ClusterLink } from '../../engine/target.js'
import { getOrUndefined, isNotFound, isPreconditionFailed, sameId } from './clients.js'
import { RECORD_TTL_SECONDS, recordStepId, sameIps } from './dns.js'
import { ENDPOINT_STEP } from './private-endpoint.js'

/** A named zone, where it lives, and the Private DNS client of its subscription. */
export interface AzureNamedZone extends NamedZone {
  dns: PrivateDnsManagementClient
  subscriptionId: string
  resourceGroup: string
  /** The zone resource's name (its DNS name) */
  zone: string
}

export function zoneRef(id: string): { subscriptionId: string; resourceGroup: string; zone: string } {
  const parts = id.split('/')
  return { subscriptionId: parts[2] ?? '', resourceGroup: parts[4] ?? '', zone: (parts[8] ?? '').toLowerCase() }
}

// Metadata names are letters, digits and underscores: the ownership tags are spelt with _ for : and -.
const metadataKey = (tagKey: string) => tagKey.replace(/[^A-Za-z0-9]/g, '_')

export function toMetadata(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [metadataKey(key), value]))
}

/** The ownership tags a record's metadata carries, under their tag names. */
export function fromMetadata(metadata: Record<string, string> | undefined, expected: Record<string, string>): Record<string, string> {
  const byKey = new Map(Object.keys(expected).map((key) => [metadataKey(key), key]))
  return Object.fromEntries(Object.entries(metadata ?? {}).flatMap(([key, value]) => (byKey.has(key) ? [[byKey.get(key) ?? key, value]] : [])))
}

/** The private DNS zone's link to the network, if it works: one per zone and network. */
async function linkedTo(zone: AzureNamedZone, vnetId: string): Promise<{ linked: boolean; state: string }> {
  for await (const link of zone.dns.virtualNetworkLinks.list(zone.resourceGroup, zone.zone)) {
    if (!sameId(link.virtualNetwork?.id, vnetId)) continue
    return { linked: link.provisioningState === 'Succeeded', state: `link ${link.name} ${link.provisioningState}/${link.virtualNetworkLinkState}` }
  }
  return { linked: false, state: 'no link to the network' }
}

/**
 * Reads every named zone and checks, before any write, that it exists and is linked to the virtual
 * network; all problems are reported together, each with its fix.
 */
export async function observeNamedZones(dnsFor: (subscriptionId: string) => PrivateDnsManagementClient, zoneIds: string[], vnetId: string): Promise<AzureNamedZone[]> {
  const problems: string[] = []
  const zones: AzureNamedZone[] = []
  for (const id of zoneIds) {
    const { subscriptionId, resourceGroup, zone: zoneName } = zoneRef(id)
    const dns = dnsFor(subscriptionId)
    const found = await getOrUndefined(() => dns.privateZones.get(resourceGroup, zoneName))
    if (!found) {
      problems.push(`private DNS zone ${id} does not exist (ARM answers 404 for ${zoneName} in resource group ${resourceGroup} of subscription ${subscriptionId}); check it with az network private-dns zone list --subscription ${subscriptionId}`)
      continue
    }
    const zone: AzureNamedZone = { id, name: bareName(found.name ?? zoneName), dns, subscriptionId, resourceGroup, zone: zoneName }
    const link = await linkedTo(zone, vnetId)
    if (!link.linked) {
      problems.push(
        `private DNS zone ${zoneName} (${id}) is not linked to ${vnetId} (${link.state}), so clients there would not see its records. Link it (az network private-dns link vnet create --subscription ${subscriptionId} -g ${resourceGroup} -z ${zoneName} -n <link name> -v ${vnetId} -e false); the action never links a zone it does not own`
      )
      continue
    }
    zones.push(zone)
  }
  if (problems.length) throw new InputError('dns-zone-ids', `${problems.join('; ')}.`)
  return zones
}

export interface FoundRecord {
  ips: string[]
  etag?: string
  metadata: Record<string, string>
}

export async function readRecord(zone: AzureNamedZone, host: string): Promise<FoundRecord | undefined> {
  const record = await getOrUndefined(() => zone.dns.recordSets.get(zone.resourceGroup, zone.zone, 'A', relativeName(host, zone.name)))
  return record && { ips: (record.aRecords ?? []).map((a) => a.ipv4Address ?? ''), etag: record.etag, metadata: record.metadata ?? {} }
}

export interface ExistingRecordPlanInput {
  link: ClusterLink
  zone: AzureNamedZone
  found: FoundRecord | undefined
  ownerTags: Record<string, string>
  plannedIp: string | undefined
  /** The endpoint's IP, once the read of its network interface ends */
  ip: () => Promise<string | undefined>
}

/** Creates (If-None-Match) or replaces ours (If-Match); on 412 reads again and retries once if still ours. */
async function putRecord(input: ExistingRecordPlanInput, ip: string): Promise<void> {
  const { zone, link } = input
  const body = { ttl: RECORD_TTL_SECONDS, aRecords: [{ ipv4Address: ip }], metadata: toMetadata(input.ownerTags) }
  const put = (etag: string | undefined) => zone.dns.recordSets.createOrUpdate(zone.resourceGroup, zone.zone, 'A', relativeName(link.host, zone.name), body, etag ? { ifMatch: etag } : { ifNoneMatch: '*' })
  try {
    await put(input.found?.etag)
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error
    const fresh = await readRecord(zone, link.host)
    if (fresh && sameIps(fresh.ips, [ip])) return
    if (fresh && !recordOwnership(fromMetadata(fresh.metadata, input.ownerTags), input.ownerTags).owned) throw new Error(`The A record of ${link.host} in ${zone.name} was made by someone else since the plan; it is left as it is`)
    await put(fresh?.etag)
  }
}

export function planExistingZoneRecord(input: ExistingRecordPlanInput): PlannedStep {
  const { link, zone, found, plannedIp } = input
  const host = bareName(link.host)
  const tags = fromMetadata(found?.metadata, input.ownerTags)
  const ownership = tags[MANAGED_BY_TAG] ? recordOwnership(tags, input.ownerTags) : { owned: false as const, reason: 'no ownership metadata of this action' }
  const verdict = judgeExistingRecord({
    host,
    zone,
    exists: Boolean(found),
    pointsAtEndpoint: Boolean(plannedIp && found && sameIps(found.ips, [plannedIp])),
    holds: `A ${found?.ips.join(', ') || 'empty'}`,
    ownership,
    deleteHint: `az network private-dns record-set a delete --subscription ${zone.subscriptionId} -g ${zone.resourceGroup} -z ${zone.zone} -n ${relativeName(host, zone.name)}`
  })
  return {
    id: recordStepId(link.clusterId),
    kind: 'azure.private-dns-a-record',
    name: `${host} A`,
    dependsOn: [ENDPOINT_STEP],
    attributes: {
      zone: `${zone.name} (${zone.id})`,
      address: plannedIp ?? "the endpoint's private IP",
      ttl: String(RECORD_TTL_SECONDS),
      ...(verdict.owned ? { ownership: 'record metadata' } : { owner: 'not this action' })
    },
    action: verdict.action,
    reason: verdict.reason,
    ...(verdict.action === 'keep'
      ? {}
      : {
          run: async () => {
            const ip = await input.ip()
            if (!ip) throw new Error("The private endpoint's IP is unknown; its network interface has no private address")
            await putRecord(input, ip)
          }
        })
  }
}

/**
 * Our records in the named zones (found by their metadata), each with its delete; the zones themselves and
 * other runs' records are kept and listed.
 */
export async function existingZoneInventory(dnsFor: (subscriptionId: string) => PrivateDnsManagementClient, zoneIds: string[], ownerTags: Record<string, string>, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  for (const id of zoneIds) {
    const { subscriptionId, resourceGroup, zone: zoneName } = zoneRef(id)
    const dns = dnsFor(subscriptionId)
    const found = await getOrUndefined(() => dns.privateZones.get(resourceGroup, zoneName))
    if (!found) continue
    const name = bareName(found.name ?? zoneName)
    kept.push({ kind: 'azure.private-dns-zone', name: `${name} (${resourceGroup})`, reason: 'kept: named in dns-zone-ids; the action writes only its own records there and never deletes the zone or its links' })
    for await (const record of dns.recordSets.list(resourceGroup, zoneName)) {
      if (!(record.type ?? '').endsWith('/A')) continue
      const tags = fromMetadata(record.metadata, ownerTags)
      if (!tags[MANAGED_BY_TAG] || !Object.keys(tags).every((k) => k.startsWith(TAG_PREFIX))) continue
      const relative = record.name ?? '@'
      const host = relative === '@' ? name : `${relative}.${name}`
      const ownership = recordOwnership(tags, ownerTags)
      if (!ownership.owned) {
        kept.push({ kind: 'azure.private-dns-a-record', name: `${host} A (zone ${name})`, reason: `kept: ${ownership.reason}` })
        continue
      }
      managed.push({
        id: `dns-record:${id}:${host}`,
        kind: 'azure.private-dns-a-record',
        name: `${host} A (zone ${name})`,
        layer: 'record',
        host,
        evidence: 'its metadata names this action, project, region, repository and network',
        // Only the record as read: one rewritten since (its etag changed) is left for the next run to judge.
        remove: async () => {
          try {
            await dns.recordSets.delete(resourceGroup, zoneName, 'A', relative, record.etag ? { ifMatch: record.etag } : {})
          } catch (error) {
            if (!isNotFound(error)) throw error
          }
        }
      })
    }
  }
}

/** The named zone still exists and is linked to the network (verification). */
export async function zoneStillLinked(zone: AzureNamedZone, vnetId: string): Promise<{ linked: boolean; state: string }> {
  const found = await getOrUndefined(() => zone.dns.privateZones.get(zone.resourceGroup, zone.zone))
  return found ? linkedTo(zone, vnetId) : { linked: false, state: 'zone gone' }
}
