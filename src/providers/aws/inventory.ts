// What the action manages on AWS, found by ownership tags (and, for a zone whose tagging was interrupted, its
// CallerReference), with the delete of each: the alias records, the private zones (or only the association
// with this VPC when the zone serves other VPCs too), the VPC endpoint, the managed security group.
import { DeleteSecurityGroupCommand, DeleteVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import {
  ChangeResourceRecordSetsCommand,
  DeleteHostedZoneCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  type ResourceRecordSet,
  type Route53Client
} from '@aws-sdk/client-route-53'
import type { Config } from '../../config/types.js'
import { ownershipOf, ownershipTags, TAG_PREFIX, type Ownership } from '../../engine/ownership.js'
import { zoneRemoval } from '../../engine/dns-removal.js'
import type { Inventory, KeptResource, ManagedResource } from '../../engine/provider.js'
import { waitFor } from '../../engine/wait.js'
import { isOwnZone, waitInSync, zoneTags } from './dns.js'
import { existingZoneInventory, zoneRecords } from './dns-existing.js'
import { describeEndpoint, listEndpoints } from './endpoint.js'
import { findGroupByName } from './security-group.js'

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
const bare = (name: string) => fqdn(name).slice(0, -1)
const bareId = (id: string) => id.replace(/^\/hostedzone\//, '').replace(/^\/change\//, '')
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
  const { route53, vpcId, region } = input
  const zones: { id: string; name: string }[] = []
  let NextToken: string | undefined
  do {
    const page = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: region as never, NextToken }))
    for (const z of page.HostedZoneSummaries ?? []) zones.push({ id: bareId(z.HostedZoneId ?? ''), name: fqdn(z.Name ?? '') })
    NextToken = page.NextToken
  } while (NextToken)

  // Zones named in dns-zone-ids are the user's: only our records in them are looked at (existingZoneInventory).
  const named = new Set(input.config.dns.zoneIds)
  const wanted = zones.filter((z) => ZILLIZ_DOMAIN.test(z.name) && !named.has(z.id) && !input.skipHosts?.has(bare(z.name)))
  const tagsOf = await zoneTags(route53, wanted.map((z) => z.id))
  for (const zone of wanted) {
    const host = bare(zone.name)
    const details = await route53.send(new GetHostedZoneCommand({ Id: zone.id }))
    const ownership = zoneOwnership(input, tagsOf.get(zone.id) ?? {}, details.HostedZone?.CallerReference ?? '', host)
    const otherNetworks = (details.VPCs ?? []).filter((v) => v.VPCId !== vpcId).map((v) => v.VPCId ?? '')
    const records = ownership.owned && !otherNetworks.length ? await zoneRecords(route53, zone.id) : []
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
        links: [],
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
        removeLink: async (ctx) => {
          const out = await route53
            .send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zone.id, VPC: { VPCId: vpcId, VPCRegion: region as never } }))
            .catch((error: unknown) => ignore(error, 'VPCAssociationNotFound', 'NoSuchHostedZone'))
          await waitInSync(route53, out?.ChangeInfo?.Id, `the removal of ${vpcId} from zone ${host} to be INSYNC`, ctx)
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
  const dns = mode === 'none' ? [] : [dnsInventory(input, managed, kept), existingZoneInventory(input.route53, zoneIds, input.ownerTags, managed, kept)]
  const [endpointId] = await Promise.all([endpointInventory(input, managed, kept), groupInventory(input, managed, kept), ...dns])
  kept.sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`))
  return { managed, kept, ...(endpointId ? { endpointId } : {}) }
}
