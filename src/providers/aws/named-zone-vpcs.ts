// dns: existing-zone with aws-dns-vpc-ids: the named zones are the user's, so the action never associates
// them; it checks before any write, and verifies after, that each zone already serves every listed VPC, so
// clients there resolve the hosts it writes. Route 53's GetHostedZone, in the zone's account, lists every
// associated VPC, of any account, so a VPC shared through RAM is fine here.
import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53'
import { check, type Check } from '../../base/checks.js'
import type { NamedZone } from '../../engine/dns-placement.js'
import { InputError } from '../../engine/input-error.js'
import type { ClusterLink } from '../../engine/target.js'
import { early } from '../../base/settle.js'

export interface ZoneVpcRef {
  vpcId: string
  region: string
}

const serves = (vpcs: ZoneVpcRef[], vpcId: string, region: string) => vpcs.some((v) => v.vpcId === vpcId && v.region === region)

const associateHint = (zone: NamedZone, vpcId: string, region: string) =>
  `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${zone.id} --vpc VPCRegion=${region},VPCId=${vpcId}, run by the VPC's account (after create-vpc-association-authorization in the zone's account when that is another one)`

/** Fails, naming aws-dns-vpc-ids, when a named zone does not serve a listed VPC. */
export function checkNamedZonesServe(zones: (NamedZone & { vpcs: ZoneVpcRef[] })[], vpcIds: string[], region: string): void {
  const problems = zones.flatMap((zone) =>
    vpcIds.filter((vpcId) => !serves(zone.vpcs, vpcId, region)).map((vpcId) => `hosted zone ${zone.id} (${zone.name}) is not associated with ${vpcId}: associate it (${associateHint(zone, vpcId, region)})`)
  )
  if (problems.length)
    throw new InputError('aws-dns-vpc-ids', `${problems.join('; ')}; or remove the VPC from aws-dns-vpc-ids. With dns: existing-zone the action never associates a zone it does not own.`)
}

/** Per host and listed VPC, whether the host's named zone serves the VPC, read fresh (one GetHostedZone per zone). */
export async function verifyNamedZonesServe(route53: Route53Client, links: ClusterLink[], placed: Map<string, NamedZone>, vpcIds: string[], region: string): Promise<Check[]> {
  if (!vpcIds.length) return []
  const read = new Map<string, Promise<ZoneVpcRef[]>>()
  const vpcsOf = (zoneId: string) => {
    if (!read.has(zoneId))
      read.set(
        zoneId,
        route53.send(new GetHostedZoneCommand({ Id: zoneId })).then((out) => (out.VPCs ?? []).map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? '' })))
      )
    return read.get(zoneId) as Promise<ZoneVpcRef[]>
  }
  // Every zone is read in the same round; the checks are then made in the clusters' order.
  for (const link of links) {
    const zone = placed.get(link.clusterId)
    if (zone) early(vpcsOf(zone.id))
  }
  const checks: Check[] = []
  for (const link of links) {
    const zone = placed.get(link.clusterId)
    if (!zone) continue
    const vpcs = await vpcsOf(zone.id)
    for (const vpcId of vpcIds)
      checks.push(
        check(`dns-vpc:${link.clusterId}:${vpcId}`, `Private zone ${zone.name} is associated with ${vpcId}`, serves(vpcs, vpcId, region), `zone ${zone.id} serves ${vpcs.map((v) => v.vpcId).join(', ') || 'no VPC'} (GetHostedZone)`, {
          cause: `Clients in ${vpcId} do not see the zone, so ${link.host} does not resolve to the endpoint there.`,
          fix: `Associate the zone: ${associateHint(zone, vpcId, region)}; or remove ${vpcId} from aws-dns-vpc-ids.`
        })
      )
  }
  return checks
}
