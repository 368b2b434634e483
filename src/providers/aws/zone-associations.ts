// The VPCs a private zone serves besides the one it was created with: aws-dns-vpc-ids, and the endpoint's
// VPC when the zone lives in another account. A VPC of the zone's account is associated by that account; a
// VPC of another account only after the zone's account authorized it, by the VPC's own account, and the
// authorization is deleted once used (Route 53 Developer Guide, "Associating an Amazon VPC and a private
// hosted zone that you created with different AWS accounts").
//
// Route 53 associations carry no tags, so the zone records which VPCs the action put on it, in one tag,
// written before the association (a crash after it can never leave an association the record misses). Destroy
// and prune remove only those and the endpoint's VPC; an association someone else made is never removed.
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeTagsForResourceCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  GetHostedZoneCommand,
  ListVPCAssociationAuthorizationsCommand,
  type Route53Client
} from '@aws-sdk/client-route-53'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ClusterLink } from '../../engine/target.js'
import { waitInSync, zoneTags } from './dns.js'
import { crossAccount, recordedVpcs, recordVpcsTags, type ZoneTopology, type ZoneVpc } from './zone-vpcs.js'

export const associationsStepId = (clusterId: string) => `dns-vpcs:${clusterId}`

const errorName = (error: unknown) => (error as { name?: string }).name ?? ''

/** VPC ids authorized on the zone (ListVPCAssociationAuthorizations, every page). */
export async function authorizedVpcs(route53: Route53Client, zoneId: string): Promise<string[]> {
  const ids: string[] = []
  let NextToken: string | undefined
  do {
    const page = await route53.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zoneId, NextToken }))
    ids.push(...(page.VPCs ?? []).map((v) => v.VPCId ?? '').filter(Boolean))
    NextToken = page.NextToken
  } while (NextToken)
  return ids
}

/** Deletes an authorization; one already gone (a repeat after a lost answer) counts as deleted. */
export async function deauthorize(route53: Route53Client, zoneId: string, vpc: { vpcId: string; region: string }): Promise<void> {
  await route53
    .send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region as never } }))
    .catch((error: unknown) => {
      if (errorName(error) !== 'VPCAssociationAuthorizationNotFound') throw error
    })
}

/**
 * Puts one VPC on the zone, with the authorization dance when the VPC is of another account. Every call is
 * safe to repeat: authorizing twice changes nothing, an association that already holds (a lost answer) is
 * recognised, and deleting an authorization already gone counts as done.
 */
async function associate(topology: ZoneTopology, zoneId: string, vpc: ZoneVpc, ctx: StepContext): Promise<void> {
  const zones = topology.zones.route53
  const VPC = { VPCId: vpc.vpcId, VPCRegion: vpc.region as never }
  const across = crossAccount(topology, vpc)
  if (across) await zones.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }))
  try {
    const out = await vpc.side.route53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC, Comment: 'Zilliz private link (managed by zilliz-private-link)' }))
    await waitInSync(vpc.side.route53, out.ChangeInfo?.Id, `the association of ${vpc.vpcId} with zone ${zoneId} to be INSYNC`, ctx)
  } catch (error) {
    if (errorName(error) !== 'ConflictingDomainExists') throw error
    // The VPC already has a zone of this name: this one (a repeat after a lost answer) is done; another is not.
    const zone = await zones.send(new GetHostedZoneCommand({ Id: zoneId }))
    if (!(zone.VPCs ?? []).some((v) => v.VPCId === vpc.vpcId)) throw error
  }
  if (across) await deauthorize(zones, zoneId, vpc)
}

export interface AssociationsInput {
  topology: ZoneTopology
  link: ClusterLink
  zoneStep: string
  /** The zone's id once the zone step ran */
  zoneId: () => string
  /** The zone as observed; undefined when the zone step creates it (with the home VPC only) */
  zone: { id: string; owned: boolean; vpcs?: string[] } | undefined
  /** VPCs the zone's tag says the action associated */
  recorded: string[]
  /** VPCs with an authorization on the zone */
  authorized: string[]
}

/** The VPCs this step answers for: all but the endpoint's own when the zone step associates it (same account). */
export function associationTargets(topology: ZoneTopology): ZoneVpc[] {
  return [...(crossAccount(topology, topology.endpointVpc) ? [topology.endpointVpc] : []), ...topology.extraVpcs]
}

/** undefined when there is nothing to answer for (one VPC, one account: the zone step does it all). */
export function planAssociations(input: AssociationsInput): PlannedStep | undefined {
  const { topology, link, zone } = input
  const targets = associationTargets(topology)
  if (!targets.length) return undefined
  const current = new Set(zone ? (zone.vpcs ?? []) : topology.home ? [topology.home.vpcId] : [])
  const pending = targets.filter((v) => !current.has(v.vpcId))
  // An authorization of a VPC that is already associated was left by a run that stopped before deleting it.
  const leftovers = targets.filter((v) => current.has(v.vpcId) && input.authorized.includes(v.vpcId))
  const owned = zone?.owned ?? true
  const base = {
    id: associationsStepId(link.clusterId),
    kind: 'aws.route53-vpc-association',
    name: `${link.host} ↔ ${targets.map((v) => v.vpcId).join(', ')}`,
    dependsOn: [input.zoneStep],
    attributes: Object.fromEntries(targets.map((v) => [v.vpcId, crossAccount(topology, v) ? `account ${v.side.account}, authorized by ${topology.zones.account}` : `account ${v.side.account}`]))
  }
  if (!pending.length && !leftovers.length) return { ...base, action: 'keep', reason: `zone is associated with ${targets.map((v) => v.vpcId).join(', ')}` }
  const reasons = [
    ...pending.map((v) => `${v.vpcId} is not associated${crossAccount(topology, v) ? ` (account ${v.side.account}: authorize in ${topology.zones.account}, associate, delete the authorization)` : ''}`),
    ...leftovers.map((v) => `delete the leftover authorization of ${v.vpcId}, which is associated already (an earlier run stopped before deleting it)`)
  ]
  return {
    ...base,
    action: pending.length ? 'create' : 'update',
    reason: reasons.join('; '),
    run: async (ctx) => {
      const zoneId = input.zoneId()
      const zones = topology.zones.route53
      // The record of what the action associates comes first (a zone that is not the action's is never tagged).
      // Read again: the zone step may just have recorded the VPC it created the zone with (see createZone).
      const before = owned && pending.some((v) => !input.recorded.includes(v.vpcId)) ? recordedVpcs((await zoneTags(zones, [zoneId])).get(zoneId) ?? {}) : input.recorded
      const recorded = new Set([...before, ...pending.map((v) => v.vpcId)])
      if (owned && pending.some((v) => !before.includes(v.vpcId)))
        await zones.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: Object.entries(recordVpcsTags([...recorded])).map(([Key, Value]) => ({ Key, Value })) }))
      for (const vpc of pending) await associate(topology, zoneId, vpc, ctx)
      for (const vpc of leftovers) await deauthorize(zones, zoneId, vpc)
    }
  }
}
