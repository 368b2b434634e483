// Control-plane checks for AWS, read fresh after apply: endpoint state, ports, zones, records, names.
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { Route53Client } from '@aws-sdk/client-route-53'
import { check, skipped, type Check } from '../../base/checks.js'
import { describeGrants, desiredGrants, missingGrants } from '../../engine/ports.js'
import type { DnsMode } from '../../config/types.js'
import { recordsLeftToDnsTeam, type NamedZone } from '../../engine/dns-placement.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import { describeEndpoint, describeEndpointIps } from './endpoint.js'
import { fqdn, observeRecord, recordPointsAt, zonesOfVpc, zonesOfVpcs } from './dns.js'
import { verifyNamedZonesServe } from './named-zone-vpcs.js'
import { describeGroups } from './security-group.js'
import type { ZoneTopology, ZoneVpc } from './zone-vpcs.js'
import { early } from '../../base/settle.js'

export interface AwsVerifyInput {
  ec2: EC2Client
  route53: Route53Client
  region: string
  vpcId: string
  endpointId: string | undefined
  cidrs: string[]
  dns: DnsMode
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, NamedZone>
  /** dns: existing-zone: the further VPCs (aws-dns-vpc-ids) each named zone must already serve */
  namedZoneVpcIds: string[]
  /** Who holds the zones and which VPCs they serve; absent: the endpoint's account and VPC only */
  topology?: ZoneTopology
  /** Receives the endpoint's private IPs, read along the way for the data-plane checks */
  onEndpointIps(ips: string[]): void
  /**
   * What apply left, by id: read beside the endpoint instead of after it. Each read is used only when the
   * endpoint (or the VPC's zone listing) just read names the same ids; otherwise the named ones are read.
   */
  applied?: AppliedIds
}

export interface AppliedIds {
  groupIds: string[]
  networkInterfaceIds: string[]
  /** Cluster id → the zone that holds its record */
  zoneIds: Map<string, string>
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ')

/** A read keyed by the ids it was made for: the answer, when they are the ids wanted now; else a new read. */
function readFor<T>(ids: string[], ahead: { ids: string[]; read: Promise<T> } | undefined, read: () => Promise<T>): Promise<T> {
  return ahead && sameIds(ahead.ids, ids) ? ahead.read : read()
}

const readAhead = <T>(ids: string[], read: () => Promise<T>) => ({ ids, read: early(read()) })

const notYet = (target: Target) => (target.mode === 'plan' ? 'not created yet; apply creates it' : 'missing')

export async function verifyAws(target: Target, input: AwsVerifyInput): Promise<Check[]> {
  const { ec2, route53 } = input
  const checks: Check[] = []
  // The VPC's zones are listed while the endpoint is read: the two do not depend on each other.
  // dns: none reads no Route 53: the role may have no DNS permissions at all.
  const zonesInVpc = input.dns === 'none' ? undefined : early(zonesOfVpc(route53, input.vpcId, input.region))
  // Verification needs the association and the record, not the ownership proof the plan reads per zone.
  // Each VPC's zones are listed with the credentials of its owner; records are read in the zones' account.
  const topology = input.topology
  const zoneReader = topology?.zones.route53 ?? route53
  const extrasRead = input.dns === 'none' ? undefined : early(zonesOfVpcs(topology?.extraVpcs ?? []))
  const namedServe = input.dns === 'none' ? undefined : early(verifyNamedZonesServe(zoneReader, target.clusters, input.placed, input.namedZoneVpcIds, input.region))
  // With the endpoint's id known, what apply left is read in the same round as the endpoint itself.
  const applied = input.endpointId ? input.applied : undefined
  const ipsAhead = applied?.networkInterfaceIds.length ? readAhead(applied.networkInterfaceIds, () => describeEndpointIps(ec2, applied.networkInterfaceIds)) : undefined
  const groupsAhead = applied?.groupIds.length ? readAhead(applied.groupIds, () => describeGroups(ec2, applied.groupIds)) : undefined
  const recordsAhead = new Map(
    input.dns === 'none' ? [] : [...(applied?.zoneIds ?? [])].flatMap(([clusterId, zoneId]) => {
      const link = target.clusters.find((c) => c.clusterId === clusterId)
      return link && zoneId ? [[clusterId, readAhead([zoneId], () => observeRecord(zoneReader, zoneId, link.host))] as const] : []
    })
  )
  const endpoint = input.endpointId ? await describeEndpoint(ec2, input.endpointId, target.config.zilliz.projectId) : undefined
  if (!endpoint) {
    const title = 'VPC endpoint is available'
    checks.push(target.mode === 'plan' ? skipped('endpoint-available', title, notYet(target)) : check('endpoint-available', title, false, 'no endpoint', { cause: 'The endpoint was not created.', fix: 'Re-run in apply mode and read the failed step.' }))
  } else {
    const [ips, groups] = await Promise.all([
      readFor(endpoint.networkInterfaceIds, ipsAhead, () => describeEndpointIps(ec2, endpoint.networkInterfaceIds)),
      readFor(endpoint.groupIds, groupsAhead, () => describeGroups(ec2, endpoint.groupIds))
    ])
    input.onEndpointIps(ips)
    checks.push(
      check('endpoint-available', `VPC endpoint ${endpoint.id} is available`, endpoint.state === 'available', `state=${endpoint.state}`, {
        ...endpointFix(endpoint.state)
      })
    )
    const missing = missingGrants(groups.flatMap((g) => g.rules), desiredGrants(target.ports, input.cidrs))
    checks.push(
      check('security-group-ports', 'Security groups admit the link ports', missing.length === 0, missing.length ? `missing ${describeGrants(missing)}` : `groups ${endpoint.groupIds.join(', ')} admit tcp ${target.ports.join(', ')}`, {
        cause: 'Clients time out: the endpoint\'s security group drops the link port.',
        fix: `Add inbound rules to ${endpoint.groupIds.join(', ')}: ${describeGrants(missing)}.`
      })
    )
  }

  if (input.dns === 'none') {
    // No Route 53 read: the role may have no DNS permissions at all. The data-plane checks resolve the hosts.
    return [...checks, ...recordsLeftToDnsTeam(target.clusters)]
  }
  const inVpc = (await zonesInVpc) ?? new Map<string, { id: string }>()
  const extras = (await extrasRead) ?? []
  // Every cluster's record is read in the same round; the gate paces the calls.
  const perCluster = await Promise.all(
    target.clusters.map(async (link) => {
      const out: Check[] = []
      const zoneName = zoneOf(input, link)
      const zoneId = inVpc.get(fqdn(zoneName))?.id
      const zoneTitle = `Private zone ${zoneName} is associated with ${input.vpcId}`
      if (!zoneId) {
        out.push(
          target.mode === 'plan'
            ? skipped(`dns-zone:${link.clusterId}`, zoneTitle, notYet(target))
            : check(`dns-zone:${link.clusterId}`, zoneTitle, false, 'no zone of this name is associated with the VPC', {
                cause: 'Name or service not known: the VPC has no private zone for the host.',
                fix: 'Re-run in apply mode, or associate the zone with the VPC.'
              })
        )
        return out
      }
      // ListHostedZonesByVPC just listed the zone among the VPC's own: that read proves the association.
      out.push({ id: `dns-zone:${link.clusterId}`, title: zoneTitle, status: 'pass', evidence: `zone ${zoneId}, listed by ListHostedZonesByVPC` })
      for (const { vpc, zones } of extras) out.push(extraVpcCheck(target, link, zoneId, vpc, zones.get(fqdn(link.host))?.id))
      const record = await readFor([zoneId], recordsAhead.get(link.clusterId), () => observeRecord(zoneReader, zoneId, link.host))
      const points = endpoint ? recordPointsAt(record, endpoint) : false
      out.push(
        check(`dns-record:${link.clusterId}`, `${link.host} is an alias of the endpoint`, points, record ? `alias ${record.aliasDnsName ?? record.values.join(', ')}` : 'no A record', {
          cause: 'The host does not resolve to the endpoint.',
          fix: 'Re-run in apply mode to upsert the alias record.'
        })
      )
      return out
    })
  )
  checks.push(...perCluster.flat())
  checks.push(...((await namedServe) ?? []))
  return checks
}

/** The zone that holds the link's record: its own (managed) or the named one it was placed in. */
const zoneOf = (input: AwsVerifyInput, link: ClusterLink): string => input.placed.get(link.clusterId)?.name ?? link.host

/** What to do about an endpoint that is not available: wait for states AWS leaves by itself, replace a dead one. */
function endpointFix(state: string): { cause: string; fix: string } {
  if (state === 'pendingacceptance') return { cause: 'Zilliz has not accepted the endpoint yet.', fix: 'Check the registration on the Zilliz side and re-run; acceptance takes about 5 minutes.' }
  if (state === 'pending' || state === 'deleting')
    return { cause: `The endpoint is still ${state}: AWS has not finished with it.`, fix: 'Re-run in a few minutes (raise wait-timeout to wait longer in one run); nothing needs to be deleted.' }
  return { cause: `The endpoint is ${state}.`, fix: 'Delete the endpoint and re-run to create a new one.' }
}

/** A further VPC (aws-dns-vpc-ids) resolves the host through the same zone. */
function extraVpcCheck(target: Target, link: ClusterLink, zoneId: string, vpc: ZoneVpc, listed: string | undefined): Check {
  const id = `dns-vpc:${link.clusterId}:${vpc.vpcId}`
  const title = `Private zone ${link.host} is associated with ${vpc.vpcId}`
  if (listed === zoneId) return { id, title, status: 'pass', evidence: `zone ${zoneId}, listed by ListHostedZonesByVPC for ${vpc.vpcId} (account ${vpc.side.account})` }
  if (target.mode === 'plan' && !listed) return skipped(id, title, notYet(target))
  return check(id, title, false, listed ? `${vpc.vpcId} resolves ${link.host} through another zone, ${listed}` : `${vpc.vpcId} has no zone of this name`, {
    cause: `Clients in ${vpc.vpcId} do not resolve ${link.host} to the endpoint.`,
    fix: listed ? `Disassociate zone ${listed} from ${vpc.vpcId}, or remove ${vpc.vpcId} from aws-dns-vpc-ids.` : 'Re-run in apply mode to associate the zone with the VPC.'
  })
}
