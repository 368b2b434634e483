// Private DNS: per cluster a zone named after its private-link host (location global), a link from the zone
// to the virtual network, and an A record at the zone apex to the endpoint's private IP. A zone per host
// answers for that one name only, so the public names of every other cluster still resolve in the network
// (a zone for the region domain would swallow them: Azure private zones do not fall back to public DNS).
import type { PrivateDnsManagementClient, PrivateZone, VirtualNetworkLink } from '@azure/arm-privatedns'
import { MANAGED_BY, MANAGED_BY_TAG, PROJECT_TAG } from '../../engine/ownership.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ClusterLink } from '../../engine/target.js'
import { isTransitional, putUntilSucceeded } from './arm-writes.js'
import { getOrUndefined, isPreconditionFailed, sameId } from './clients.js'
import { ENDPOINT_STEP } from './private-endpoint.js'

export const PRIVATE_ZONE_LOCATION = 'global'
export const APEX = '@'
/** Short enough that a re-created endpoint's new IP is picked up within minutes. */
export const RECORD_TTL_SECONDS = 300

export const zoneStepId = (clusterId: string) => `dns-zone:${clusterId}`
export const linkStepId = (clusterId: string) => `dns-link:${clusterId}`
/** The link to a further network (azure-dns-link-vnet-ids), named by its link name, which is unique per network. */
export const extraLinkStepId = (clusterId: string, name: string) => `dns-link:${clusterId}:${name}`
export const recordStepId = (clusterId: string) => `dns-record:${clusterId}`

export interface ObservedZone {
  id: string
  name: string
  provisioningState: string
  tags: Record<string, string>
}

export interface ObservedLink {
  id: string
  name: string
  vnetId: string
  tags: Record<string, string>
  provisioningState: string
  /** InProgress until the link takes effect, then Completed */
  linkState: string
  registrationEnabled: boolean
}

export interface ObservedRecord {
  ips: string[]
  etag?: string
}

/** One link per zone and network; the digest keeps names of equally named networks in other groups apart. */
export function linkName(vnetName: string, vnetDigest: string): string {
  return `${vnetName.slice(0, 80 - vnetDigest.length - 1)}-${vnetDigest}`
}

export const sameIps = (a: string[], b: string[]) => [...a].sort().join(',') === [...b].sort().join(',')

/** From the resource group's zone listing: one read (shared by every cluster) instead of a GET per zone. */
export async function observeZone(dns: PrivateDnsManagementClient, resourceGroup: string, host: string): Promise<ObservedZone | undefined> {
  let zone: PrivateZone | undefined
  for await (const listed of dns.privateZones.listByResourceGroup(resourceGroup)) if ((listed.name ?? '').toLowerCase() === host.toLowerCase()) zone = listed
  return zone && { id: zone.id ?? '', name: zone.name ?? host, provisioningState: zone.provisioningState ?? 'Unknown', tags: zone.tags ?? {} }
}

function toObservedLink(link: VirtualNetworkLink): ObservedLink {
  return {
    id: link.id ?? '',
    name: link.name ?? '',
    vnetId: link.virtualNetwork?.id ?? '',
    tags: link.tags ?? {},
    provisioningState: link.provisioningState ?? 'Unknown',
    linkState: link.virtualNetworkLinkState ?? 'Unknown',
    registrationEnabled: Boolean(link.registrationEnabled)
  }
}

/** Every link of the zone, read once for all the networks the run links it to. */
export async function observeLinks(dns: PrivateDnsManagementClient, resourceGroup: string, zone: string): Promise<ObservedLink[]> {
  const links: ObservedLink[] = []
  for await (const link of dns.virtualNetworkLinks.list(resourceGroup, zone)) links.push(toObservedLink(link))
  return links
}

/** The zone's link to a network, whatever its name: Azure allows one per zone and network. */
export const linkTo = (links: ObservedLink[] | undefined, vnetId: string) => links?.find((l) => sameId(l.vnetId, vnetId))

export async function observeRecord(dns: PrivateDnsManagementClient, resourceGroup: string, zone: string): Promise<ObservedRecord | undefined> {
  const record = await getOrUndefined(() => dns.recordSets.get(resourceGroup, zone, 'A', APEX))
  return record && { ips: (record.aRecords ?? []).map((a) => a.ipv4Address ?? ''), etag: record.etag }
}

export interface ZonePlanInput {
  dns: PrivateDnsManagementClient
  resourceGroup: string
  link: ClusterLink
  existing: ObservedZone | undefined
  tags: Record<string, string>
  onReady(zoneId: string): void
}

// If-None-Match: * makes the create refuse to overwrite; a 412 means the zone exists (a lost response): adopt
// it. A zone whose operation failed is put again over its etag, as ARM retries a failed resource.
function putZone(input: ZonePlanInput, ctx: StepContext): Promise<PrivateZone> {
  const { dns, resourceGroup, link } = input
  return putUntilSucceeded(
    {
      what: `private DNS zone ${link.host}`,
      read: () => getOrUndefined(() => dns.privateZones.get(resourceGroup, link.host)),
      conditional: true,
      put: async (conditions) => {
        // A repair keeps the zone as it is (the user's tags); a create brings the action's own.
        const body = conditions.ifMatch ? await dns.privateZones.get(resourceGroup, link.host) : { location: PRIVATE_ZONE_LOCATION, tags: input.tags }
        return dns.privateZones.beginCreateOrUpdateAndWait(resourceGroup, link.host, body, { ...conditions, abortSignal: ctx.signal })
      }
    },
    ctx
  )
}

export function planZone(input: ZonePlanInput): PlannedStep {
  const { link, existing, resourceGroup } = input
  const base = { id: zoneStepId(link.clusterId), kind: 'azure.private-dns-zone', name: link.host, dependsOn: [], attributes: { location: PRIVATE_ZONE_LOCATION, resourceGroup } }
  const run = async (ctx: StepContext) => input.onReady((await putZone(input, ctx)).id ?? '')
  if (!existing) return { ...base, action: 'create', reason: `no private DNS zone ${link.host} in ${resourceGroup}`, run }
  input.onReady(existing.id)
  if (isTransitional(existing.provisioningState))
    return { ...base, action: 'wait', reason: `zone is ${existing.provisioningState}: apply waits for the operation on it to end`, run }
  if (existing.provisioningState !== 'Failed') return { ...base, action: 'keep', reason: `zone exists (provisioning ${existing.provisioningState})` }
  return { ...base, action: 'update', reason: 'provisioning Failed: put the zone again, as ARM retries a failed resource', run }
}

export interface LinkPlanInput {
  dns: PrivateDnsManagementClient
  resourceGroup: string
  link: ClusterLink
  /** Step id: linkStepId(cluster) for the endpoint's network, extraLinkStepId(…) for a further one */
  id: string
  vnetId: string
  /** Name for a new link */
  name: string
  existing: ObservedLink | undefined
  tags: Record<string, string>
}

/** Puts the link named `name` (a new one, or the existing one again), adopting or repairing what is there. */
async function putLink(input: LinkPlanInput, name: string, ctx: StepContext): Promise<void> {
  const { dns, resourceGroup, link } = input
  const body = { location: PRIVATE_ZONE_LOCATION, tags: input.tags, virtualNetwork: { id: input.vnetId }, registrationEnabled: false }
  await putUntilSucceeded(
    {
      what: `link ${name} of zone ${link.host}`,
      read: () => getOrUndefined(() => dns.virtualNetworkLinks.get(resourceGroup, link.host, name)),
      conditional: true,
      // A link of that name exists: fine if it links this network (a lost response), wrong otherwise.
      check: (found) => {
        if (!sameId(found.virtualNetwork?.id, input.vnetId)) throw new Error(`Zone ${link.host} already has a link named ${name} to another virtual network`)
      },
      put: async (conditions) => {
        const current = conditions.ifMatch ? await dns.virtualNetworkLinks.get(resourceGroup, link.host, name) : body
        return dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(resourceGroup, link.host, name, current, { ...conditions, abortSignal: ctx.signal })
      }
    },
    ctx
  )
}

export function planLink(input: LinkPlanInput): PlannedStep {
  const { link, existing } = input
  const base = {
    id: input.id,
    kind: 'azure.private-dns-vnet-link',
    dependsOn: [zoneStepId(link.clusterId)],
    attributes: { zone: link.host, virtualNetwork: input.vnetId, registrationEnabled: 'false' }
  }
  if (!existing) return { ...base, name: input.name, action: 'create', reason: `zone ${link.host} is not linked to the virtual network`, run: (ctx) => putLink(input, input.name, ctx) }
  if (isTransitional(existing.provisioningState))
    return { ...base, name: existing.name, action: 'wait', reason: `link is ${existing.provisioningState}: apply waits for the operation on it to end`, run: (ctx) => putLink(input, existing.name, ctx) }
  if (existing.provisioningState !== 'Failed') {
    // A link made by hand may register VM names in the zone; that is the owner's choice and harmless here.
    const registration = existing.registrationEnabled ? ', auto-registration on (left as it is)' : ''
    const foreign = isOwnLink(existing, input.tags) ? '' : '; made outside this action, so destroy keeps it'
    return { ...base, name: existing.name, action: 'keep', reason: `linked to the virtual network (${existing.linkState})${registration}${foreign}` }
  }
  return {
    ...base,
    name: existing.name,
    action: 'update',
    reason: 'provisioning Failed: put the link again, as ARM retries a failed resource',
    run: (ctx) => putLink(input, existing.name, ctx)
  }
}

export interface RecordPlanInput {
  dns: PrivateDnsManagementClient
  resourceGroup: string
  link: ClusterLink
  existing: ObservedRecord | undefined
  /** Known at plan time when the endpoint already exists */
  plannedIp: string | undefined
  /** The endpoint's IP, once the read of its network interface ends */
  ip: () => Promise<string | undefined>
}

/** Creates (If-None-Match) or replaces (If-Match) the apex record; on 412 reads it again and retries once. */
async function upsertRecord(input: RecordPlanInput, ip: string): Promise<void> {
  const { dns, resourceGroup, link } = input
  const body = { ttl: RECORD_TTL_SECONDS, aRecords: [{ ipv4Address: ip }] }
  const put = (etag: string | undefined) => dns.recordSets.createOrUpdate(resourceGroup, link.host, 'A', APEX, body, etag ? { ifMatch: etag } : { ifNoneMatch: '*' })
  try {
    await put(input.existing?.etag)
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error
    const fresh = await observeRecord(dns, resourceGroup, link.host)
    if (fresh && sameIps(fresh.ips, [ip])) return
    await put(fresh?.etag)
  }
}

export function planRecord(input: RecordPlanInput): PlannedStep {
  const { link, existing, plannedIp } = input
  const base = {
    id: recordStepId(link.clusterId),
    kind: 'azure.private-dns-a-record',
    name: `${link.host} A`,
    dependsOn: [zoneStepId(link.clusterId), ENDPOINT_STEP],
    attributes: { address: plannedIp ?? 'the endpoint\'s private IP', ttl: String(RECORD_TTL_SECONDS) }
  }
  if (plannedIp && existing && sameIps(existing.ips, [plannedIp])) return { ...base, action: 'keep', reason: `points at the endpoint's IP ${plannedIp}` }
  return {
    ...base,
    action: existing ? 'update' : 'create',
    reason: existing ? `record holds ${existing.ips.join(', ') || 'no address'}, not the endpoint's IP` : 'no A record at the zone apex',
    run: async () => {
      const ip = await input.ip()
      if (!ip) throw new Error('The private endpoint\'s IP is unknown; its network interface has no private address')
      await upsertRecord(input, ip)
    }
  }
}

export const replacedZoneStepId = (clusterId: string) => `dns-zone-replaced:${clusterId}`

/** Ours: the tags the creating PUT carried (Azure tags atomically with creation), for this project. */
export const isOwnZone = (zone: ObservedZone, projectId: string) => zone.tags[MANAGED_BY_TAG] === MANAGED_BY && zone.tags[PROJECT_TAG] === projectId

/** A link the action made carries the ownership tags of its PUT; `tags` are the run's (resourceTags). */
export const isOwnLink = (link: Pick<ObservedLink, 'tags'>, tags: Record<string, string>) => link.tags[MANAGED_BY_TAG] === MANAGED_BY && link.tags[PROJECT_TAG] === tags[PROJECT_TAG]

export interface ReplacedZoneInput {
  dns: PrivateDnsManagementClient
  resourceGroup: string
  link: ClusterLink
  /** Our zone for the documented host that Zilliz did not allocate */
  stale: ObservedZone
}

/**
 * DNS work starts from the documented host pattern; when Zilliz allocates another host, the zone made for
 * the guess answers for a name no client uses. Once the zone for the allocated host holds its record, the
 * guess's zone goes: its links first, as Azure refuses to delete a zone that still has virtual network links.
 */
export function planReplacedZone(input: ReplacedZoneInput): PlannedStep {
  const { dns, resourceGroup, link, stale } = input
  return {
    id: replacedZoneStepId(link.clusterId),
    kind: 'azure.private-dns-zone',
    name: stale.name,
    action: 'delete',
    reason: `Zilliz allocated ${link.host} for ${link.clusterId}, not the documented ${stale.name} this zone was made for; the zone for ${link.host} replaces it`,
    dependsOn: [recordStepId(link.clusterId)],
    attributes: { replacedBy: link.host, resourceGroup },
    run: async (ctx) => {
      for await (const vnetLink of dns.virtualNetworkLinks.list(resourceGroup, stale.name))
        await dns.virtualNetworkLinks.beginDeleteAndWait(resourceGroup, stale.name, vnetLink.name ?? '', { abortSignal: ctx.signal })
      await dns.privateZones.beginDeleteAndWait(resourceGroup, stale.name, { abortSignal: ctx.signal })
    }
  }
}
