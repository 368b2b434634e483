// Control-plane checks for Azure, read fresh after apply: the endpoint provisioned and approved, and per
// cluster the zone, its link to the network and the apex record at the endpoint's IP.
import type { PrivateDnsManagementClient } from '@azure/arm-privatedns'
import { check, skipped, type Check } from '../../base/checks.js'
import type { DnsMode } from '../../config/types.js'
import { recordsLeftToDnsTeam } from '../../engine/dns-placement.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import { readRecord, zoneStillLinked, type AzureNamedZone } from './dns-existing.js'
import { isTransitional } from './arm-writes.js'
import { getOrUndefined, sameId } from './clients.js'
import { extraLinkStepId, linkTo, observeLinks, observeRecord, observeZone, sameIps, type ObservedLink, type ObservedRecord, type ObservedZone } from './dns.js'
import type { NetworkApi } from './network-api.js'
import { endpointIp, getEndpoint, type ObservedEndpoint } from './private-endpoint.js'

export interface AzureVerifyInput {
  network: NetworkApi
  dns: PrivateDnsManagementClient
  /** The zones' resource group (in the subscription of `dns`) */
  resourceGroup: string
  vnetId: string
  /** Further networks every zone must be linked to (azure-dns-link-vnet-ids), with the link name a new link gets */
  linked: { id: string; name: string; linkName: string }[]
  /** The endpoint the plan chose or created, if any */
  endpoint: Pick<ObservedEndpoint, 'name' | 'resourceGroup' | 'nicId'> | undefined
  dnsMode: DnsMode
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, AzureNamedZone>
}

const notYet = (target: Target) => (target.mode === 'plan' ? 'not created yet; apply creates it' : 'missing')

function missing(target: Target, id: string, title: string, onFail: { cause: string; fix: string }): Check {
  return target.mode === 'plan' ? skipped(id, title, notYet(target)) : check(id, title, false, 'missing', onFail)
}

async function endpointChecks(target: Target, input: AzureVerifyInput): Promise<{ checks: Check[]; ip?: string }> {
  const title = 'Private endpoint is provisioned and its connection Approved'
  const projectId = target.config.zilliz.projectId
  const known = input.endpoint
  // The network interface the run knows is read beside the endpoint; a different one is read after it.
  const [endpoint, knownIp] = await Promise.all([
    known ? getEndpoint(input.network, known.resourceGroup, known.name, projectId) : undefined,
    known?.nicId ? endpointIp(input.network, known) : undefined
  ])
  if (!endpoint) return { checks: [missing(target, 'endpoint-approved', title, { cause: 'The private endpoint was not created.', fix: 'Re-run in apply mode and read the failed step.' })] }
  const ip = sameId(endpoint.nicId, known?.nicId) ? knownIp : await endpointIp(input.network, endpoint)
  const ok = endpoint.provisioningState === 'Succeeded' && endpoint.connectionStatus === 'Approved' && Boolean(ip)
  const pending = endpoint.connectionStatus === 'Pending'
  const busy = isTransitional(endpoint.provisioningState)
  return {
    ip,
    checks: [
      check('endpoint-approved', `Private endpoint ${endpoint.name} is provisioned and Approved`, ok, `provisioning=${endpoint.provisioningState} connection=${endpoint.connectionStatus} ip=${ip ?? 'none'}`, {
        cause: busy
          ? `The endpoint is still ${endpoint.provisioningState}: an operation on it has not ended.`
          : pending
            ? 'Zilliz has not approved the connection yet.'
            : `The endpoint is ${endpoint.provisioningState} with a ${endpoint.connectionStatus} connection.`,
        fix: busy
          ? 'Re-run once the operation ends (raise wait-timeout to wait longer in one run); nothing needs to be deleted.'
          : pending
            ? 'Check the registration on the Zilliz side and re-run; approval takes about 5 minutes.'
            : endpoint.provisioningState === 'Failed'
              ? 'Re-run in apply mode: it puts the endpoint again, as ARM retries a failed resource.'
              : `Delete private endpoint ${endpoint.name} and re-run to create a new one.`
      })
    ]
  }
}

function linkCheck(id: string, title: string, vnetLink: ObservedLink | undefined): Check {
  const linked = vnetLink?.provisioningState === 'Succeeded' && vnetLink.linkState !== 'InProgress'
  return check(id, title, linked, vnetLink ? `link ${vnetLink.name} ${vnetLink.provisioningState}/${vnetLink.linkState}` : 'no link to the network', {
    cause: 'The network does not see the zone, so the host resolves to its public address or not at all.',
    fix: 'Re-run in apply mode, or link the zone to the virtual network.'
  })
}

export async function verifyAzure(target: Target, input: AzureVerifyInput): Promise<Check[]> {
  // The endpoint and every cluster's DNS are read in the same round; the gate paces the calls.
  const endpoint = endpointChecks(target, input)
  // No Private DNS read: the identity may have no DNS role at all. The data-plane checks resolve the hosts.
  if (input.dnsMode === 'none') return [...(await endpoint).checks, ...recordsLeftToDnsTeam(target.clusters)]
  if (input.dnsMode === 'existing-zone') {
    const [{ checks, ip }, named] = await Promise.all([endpoint, existingZoneReads(target, input)])
    return [...checks, ...existingZoneChecks(named, ip)]
  }
  const [{ checks, ip }, perCluster] = await Promise.all([endpoint, Promise.all(target.clusters.map((link) => dnsReads(target, input, link)))])
  return [...checks, ...perCluster.flatMap((read) => dnsChecks(target, input, read, ip))]
}

interface ZoneRead {
  link: ClusterLink
  zone: ObservedZone | undefined
  links: ObservedLink[] | undefined
  record: ObservedRecord | undefined
}

/** After apply the zone is there, so its links and record are read beside it; before, only once it is found. */
async function dnsReads(target: Target, input: AzureVerifyInput, link: ClusterLink): Promise<ZoneRead> {
  const { dns, resourceGroup } = input
  const zoneRead = observeZone(dns, resourceGroup, link.host)
  if (target.mode === 'apply') {
    // A zone that is missing after all answers 404 for its links too; the zone's check reports it.
    const [zone, links, record] = await Promise.all([zoneRead, getOrUndefined(() => observeLinks(dns, resourceGroup, link.host)), observeRecord(dns, resourceGroup, link.host)])
    return { link, zone, links, record }
  }
  const zone = await zoneRead
  if (!zone) return { link, zone, links: undefined, record: undefined }
  const [links, record] = await Promise.all([observeLinks(dns, resourceGroup, link.host), observeRecord(dns, resourceGroup, link.host)])
  return { link, zone, links, record }
}

function dnsChecks(target: Target, input: AzureVerifyInput, { link, zone, links, record }: ZoneRead, ip: string | undefined): Check[] {
  if (!zone)
    return [missing(target, `dns-zone:${link.clusterId}`, `Private DNS zone ${link.host} exists`, { cause: 'Name or service not known: no private zone answers for the host.', fix: 'Re-run in apply mode.' })]
  const checks: Check[] = []
  checks.push(linkCheck(`dns-link:${link.clusterId}`, `Zone ${link.host} is linked to the virtual network`, linkTo(links, input.vnetId)))
  for (const other of input.linked)
    checks.push(linkCheck(extraLinkStepId(link.clusterId, other.linkName), `Zone ${link.host} is linked to ${other.name} (azure-dns-link-vnet-ids)`, linkTo(links, other.id)))
  const points = Boolean(ip && record && sameIps(record.ips, [ip]))
  checks.push(
    check(`dns-record:${link.clusterId}`, `${link.host} resolves to the endpoint's IP`, points, record ? `A ${record.ips.join(', ') || 'empty'}; endpoint ${ip ?? 'unknown'}` : 'no A record at the apex', {
      cause: 'The host does not resolve to the private endpoint.',
      fix: 'Re-run in apply mode to put the A record.'
    })
  )
  return checks
}

interface NamedZoneRead {
  link: ClusterLink
  zone: AzureNamedZone
  linked: { linked: boolean; state: string }
  record: Awaited<ReturnType<typeof readRecord>>
}

/** Each cluster's named zone, its link to the network and the record, all in one round. */
function existingZoneReads(target: Target, input: AzureVerifyInput): Promise<NamedZoneRead[]> {
  const placed = target.clusters.flatMap((link) => {
    const zone = input.placed.get(link.clusterId)
    return zone ? [{ link, zone }] : []
  })
  return Promise.all(
    placed.map(async ({ link, zone }) => {
      const [linked, record] = await Promise.all([zoneStillLinked(zone, input.vnetId), readRecord(zone, link.host)])
      return { link, zone, linked, record }
    })
  )
}

/** The named zone of each link is still linked to the network and holds the record. */
function existingZoneChecks(reads: NamedZoneRead[], ip: string | undefined): Check[] {
  const checks: Check[] = []
  for (const { link, zone, linked: { linked, state }, record } of reads) {
    checks.push(
      check(`dns-link:${link.clusterId}`, `Zone ${zone.name} is linked to the virtual network`, linked, state, {
        cause: 'The network does not see the named zone, so the host resolves to its public address or not at all.',
        fix: `Link the zone ${zone.name} to the virtual network (the action never links a zone it does not own).`
      })
    )
    if (!linked) continue
    const points = Boolean(ip && record && sameIps(record.ips, [ip]))
    checks.push(
      check(`dns-record:${link.clusterId}`, `${link.host} resolves to the endpoint's IP`, points, record ? `A ${record.ips.join(', ') || 'empty'} in ${zone.name}; endpoint ${ip ?? 'unknown'}` : 'no A record', {
        cause: 'The host does not resolve to the private endpoint.',
        fix: 'Re-run in apply mode to put the A record.'
      })
    )
  }
  return checks
}
