// What the action manages on AWS, found by ownership tags (and, for a zone whose tagging was interrupted, its
// CallerReference), with the delete of each: the alias records, the private zones (or only the association
// with this VPC when the zone serves other VPCs too), the VPC endpoint, the managed security group.
import { DeleteSecurityGroupCommand, DeleteVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import {
  ChangeResourceRecordSetsCommand,
  DeleteHostedZoneCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetHostedZoneCommand,
  type ResourceRecordSet,
  type Route53Client
} from '@aws-sdk/client-route-53'
import type { Config } from '../../config/types.js'
import { ownershipOf, ownershipTags, TAG_PREFIX, type Ownership } from '../../engine/ownership.js'
import { zoneRemoval } from '../../engine/dns-removal.js'
import type { Inventory, KeptResource, ManagedResource } from '../../engine/provider.js'
import { waitFor } from '../../engine/wait.js'
import { isOwnZone, waitInSync, zonesOfVpc, zoneTags } from './dns.js'
import { existingZoneInventory, zoneRecords } from './dns-existing.js'
import { authorizedVpcs, deauthorize } from './zone-associations.js'
import { allVpcs, crossAccount, recordedVpcs, type ZoneTopology } from './zone-vpcs.js'
import { describeEndpoint, listEndpoints } from './endpoint.js'
import { findGroupByName } from './security-group.js'

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
const bare = (name: string) => fqdn(name).slice(0, -1)
const errorName = (error: unknown) => (error as { name?: string }).name ?? ''
/** Zone names the action makes: private-link hosts under Zilliz's domain. */
const ZILLIZ_DOMAIN = /\.vectordb\.zillizcloud\.com\.$/

export interface AwsInventoryInput {
  config: Config
  ec2: EC2Client
  route53: Route53Client
  vpcId: string
  region: string
  serviceName: string
  /** Who holds the zones and which VPCs they serve */
  topology: ZoneTopology
  /** The managed security group's deterministic name; absent when the user supplies groups */
  groupName?: string
  /** The ownership marker of records in named zones (dns: existing-zone) */
  ownerTags: Record<string, string>
  userGroupIds: string[]
  /** Hosts whose DNS the caller does not need (see InventoryHint): their zones are not read */
  skipHosts?: ReadonlySet<string>
}

/**
 * A zone is the action's only with the CallerReference marker its create carried for this host, VPC and
 * project (dns.ts); its tags, when it has the action's, must also name this region and repository.
 */
function zoneOwnership(input: AwsInventoryInput, tags: Record<string, string>, callerReference: string, host: string): Ownership {
  if (!isOwnZone(callerReference, host, input.vpcId, input.config.zilliz.projectId))
    return { owned: false, reason: 'not made by this action (its CallerReference lacks the action\'s marker for this host, VPC and project)' }
  const byTags = ownershipOf(tags, ownershipTags(input.config))
  // Tags are added by a second call, so a zone of ours may lack them (a crash between the two calls).
  return byTags.owned || !Object.keys(tags).some((k) => k.startsWith(TAG_PREFIX)) ? { owned: true } : byTags
}

async function dnsInventory(input: AwsInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  const { vpcId, topology } = input
  // Every zone any of the run's VPCs is associated with: a zone of the DNS account made with its hub VPC is
  // found there even when the endpoint's VPC never joined it (a run stopped in between).
  const zones = new Map<string, { id: string; name: string; owner?: string }>()
  for (const vpc of allVpcs(topology))
    for (const [name, zone] of await zonesOfVpc(vpc.side.route53, vpc.vpcId, vpc.region)) if (!zones.has(zone.id)) zones.set(zone.id, { ...zone, name })
  const accounts = new Map(allVpcs(topology).map((v) => [v.side.account, v.side.route53]))
  accounts.set(topology.zones.account, topology.zones.route53)

  // Zones named in dns-zone-ids are the user's: only our records in them are looked at (existingZoneInventory).
  const named = new Set(input.config.dns.zoneIds)
  const held = [...zones.values()].filter((zone) => {
    if (!ZILLIZ_DOMAIN.test(zone.name) || named.has(zone.id) || input.skipHosts?.has(bare(zone.name))) return false
    if (accounts.has(zone.owner ?? topology.zones.account)) return true
    kept.push({ kind: 'aws.route53-private-zone', name: `${zone.id} (${bare(zone.name)})`, reason: `kept: held by account ${zone.owner}, which neither role acts in` })
    return false
  })
  // Each account's zones' tags in bulk: ListTagsForResources takes 10 zones a request.
  const tagsOf = new Map<string, Record<string, string>>()
  for (const [account, route53] of accounts) {
    const ids = held.filter((z) => (z.owner ?? topology.zones.account) === account).map((z) => z.id)
    if (ids.length) for (const [id, tags] of await zoneTags(route53, ids)) tagsOf.set(id, tags)
  }
  for (const zone of held) {
    const host = bare(zone.name)
    const route53 = accounts.get(zone.owner ?? topology.zones.account) as Route53Client
    const details = await route53.send(new GetHostedZoneCommand({ Id: zone.id }))
    const tagged = tagsOf.get(zone.id) ?? {}
    const ownership = zoneOwnership(input, tagged, details.HostedZone?.CallerReference ?? '', host)
    // The associations the action made: the endpoint's VPC (the CallerReference is made for it) and those it recorded.
    const ours = new Set([vpcId, ...recordedVpcs(tagged)])
    const associated = (details.VPCs ?? []).map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? input.region }))
    const otherNetworks = associated.filter((v) => !ours.has(v.vpcId)).map((v) => v.vpcId)
    const ourLinks = associated.filter((v) => ours.has(v.vpcId)).map((v) => v.vpcId)
    if (ownership.owned && otherNetworks.length && !ourLinks.length) {
      kept.push({ kind: 'aws.route53-private-zone', name: `${zone.id} (${host})`, reason: `kept with its records: serves only ${otherNetworks.join(', ')}, associations the action did not make` })
      continue
    }
    const records = ownership.owned && !otherNetworks.length ? await zoneRecords(route53, zone.id) : []
    // Authorizations of the action's VPCs left by a run that stopped before deleting them go first.
    if (ownership.owned && allVpcs(topology).some((v) => crossAccount(topology, v))) {
      for (const authorized of (await authorizedVpcs(route53, zone.id)).filter((v) => ours.has(v) || allVpcs(topology).some((t) => t.vpcId === v)))
        managed.push({
          id: `dns-authorization:${host}:${authorized}`,
          kind: 'aws.route53-vpc-association-authorization',
          name: `${zone.id} → ${authorized}`,
          layer: 'zone-link',
          host,
          evidence: 'an authorization of one of the run\'s VPCs on a zone the action created',
          remove: () => deauthorize(route53, zone.id, { vpcId: authorized, region: input.region })
        })
    }
    const apexA = records.find((r) => fqdn(r.Name ?? '') === zone.name && r.Type === 'A')
    const apexOwn = (r: ResourceRecordSet) => fqdn(r.Name ?? '') === zone.name && (r.Type === 'SOA' || r.Type === 'NS')
    const ignore = (error: unknown, ...names: string[]) => {
      if (!names.includes(errorName(error))) throw error
      return undefined
    }
    zoneRemoval(
      {
        host,
        zoneKind: 'aws.route53-private-zone',
        recordKind: 'aws.route53-alias-record',
        linkKind: 'aws.route53-vpc-association',
        zoneName: `${zone.id} (${host})`,
        ownership,
        hasRecord: apexA !== undefined,
        foreignRecords: records.filter((r) => r !== apexA && !apexOwn(r)).map((r) => `${r.Name} ${r.Type}`),
        otherNetworks,
        // With other networks the zone stays and only the action's associations go; without, the zone goes whole.
        links: otherNetworks.length ? ourLinks : [],
        removeRecord: async (ctx) => {
          const out = await route53
            .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.id, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: apexA }] } }))
            .catch(async (error: unknown) => {
              // Gone already (a crash after the delete, or a hand edit): nothing left to delete.
              if (errorName(error) === 'InvalidChangeBatch' && !(await zoneRecords(route53, zone.id)).some((r) => fqdn(r.Name ?? '') === zone.name && r.Type === 'A')) return undefined
              return ignore(error, 'NoSuchHostedZone')
            })
          await waitInSync(route53, out?.ChangeInfo?.Id, `the deletion of the record ${host} to be INSYNC`, ctx)
        },
        // The zone's account may disassociate any VPC from it (DisassociateVPCFromHostedZone, API reference).
        removeLink: async (ctx, link) => {
          const vpc = link ?? vpcId
          const out = await route53
            .send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zone.id, VPC: { VPCId: vpc, VPCRegion: input.region as never } }))
            .catch((error: unknown) => ignore(error, 'VPCAssociationNotFound', 'NoSuchHostedZone'))
          await waitInSync(route53, out?.ChangeInfo?.Id, `the removal of ${vpc} from zone ${host} to be INSYNC`, ctx)
        },
        removeZone: async (ctx) => {
          const out = await route53.send(new DeleteHostedZoneCommand({ Id: zone.id })).catch((error: unknown) => ignore(error, 'NoSuchHostedZone'))
          await waitInSync(route53, out?.ChangeInfo?.Id, `the deletion of zone ${host} to be INSYNC`, ctx)
        }
      },
      managed,
      kept
    )
  }
}

async function endpointInventory(input: AwsInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<string | undefined> {
  const { ec2, config } = input
  const projectId = config.zilliz.projectId
  const found = await listEndpoints(ec2, input.vpcId, input.serviceName, projectId)
  let endpointId: string | undefined
  for (const e of [...found.live, ...found.dead.filter((d) => d.state === 'deleting')]) {
    const ownership = ownershipOf(e.tags, ownershipTags(config))
    if (!ownership.owned) {
      kept.push({ kind: 'aws.vpc-endpoint', name: e.id, reason: `kept: ${ownership.reason}` })
      continue
    }
    endpointId ??= e.id
    managed.push({
      id: `vpc-endpoint:${e.id}`,
      kind: 'aws.vpc-endpoint',
      name: e.id,
      layer: 'endpoint',
      evidence: `tagged by this action for this project, region and repository (state ${e.state})`,
      remove: async (ctx) => {
        const out = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.id] }))
        const refused = (out.Unsuccessful ?? []).find((u) => u.Error?.Code !== 'InvalidVpcEndpoint.NotFound')
        if (refused) throw new Error(`DeleteVpcEndpoints refused ${e.id}: ${refused.Error?.Code}: ${refused.Error?.Message}`)
        await waitFor({
          what: `VPC endpoint ${e.id} to be deleted`,
          deadline: ctx.deadline,
          signal: ctx.signal,
          poll: async () => {
            const state = (await describeEndpoint(ec2, e.id, projectId))?.state ?? 'missing'
            return { done: state === 'deleted' || state === 'missing', state: `state=${state}` }
          }
        })
      }
    })
  }
  return endpointId
}

async function groupInventory(input: AwsInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  for (const id of input.userGroupIds) kept.push({ kind: 'aws.security-group', name: id, reason: 'kept: supplied in aws-security-group-ids, so it is yours' })
  if (!input.groupName) return
  const group = await findGroupByName(input.ec2, input.vpcId, input.groupName)
  if (!group) return
  const ownership = ownershipOf(group.tags, ownershipTags(input.config))
  if (!ownership.owned) {
    kept.push({ kind: 'aws.security-group', name: `${group.id} (${group.name})`, reason: `kept: ${ownership.reason}` })
    return
  }
  const { ec2 } = input
  managed.push({
    id: `security-group:${group.id}`,
    kind: 'aws.security-group',
    name: `${group.id} (${group.name})`,
    layer: 'security-rule',
    evidence: 'tagged by this action for this project, region and repository',
    // EC2 refuses while a deleting endpoint's interfaces still hold the group: retried until the deadline.
    remove: (ctx) =>
      waitFor({
        what: `security group ${group.id} to be deletable (no endpoint holds it)`,
        deadline: ctx.deadline,
        signal: ctx.signal,
        minDelayMs: 500,
        poll: async () => {
          try {
            await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.id }))
            return { done: true, state: 'deleted' }
          } catch (error) {
            if (errorName(error) === 'InvalidGroup.NotFound') return { done: true, state: 'already gone' }
            if (errorName(error) === 'DependencyViolation') return { done: false, state: 'DependencyViolation: still in use' }
            throw error
          }
        }
      })
  })
}

export async function awsInventory(input: AwsInventoryInput): Promise<Inventory> {
  const managed: ManagedResource[] = []
  const kept: KeptResource[] = []
  // dns: none reads no DNS at all (the role may lack Route 53 permissions); managed zones of an earlier
  // managed run are still found in existing-zone mode, since they would shadow the named zone's records.
  const { mode, zoneIds } = input.config.dns
  const dns = mode === 'none' ? [] : [dnsInventory(input, managed, kept), existingZoneInventory(input.topology.zones.route53, zoneIds, input.ownerTags, managed, kept)]
  const [endpointId] = await Promise.all([endpointInventory(input, managed, kept), groupInventory(input, managed, kept), ...dns])
  kept.sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`))
  return { managed, kept, ...(endpointId ? { endpointId } : {}) }
}
