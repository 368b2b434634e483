// Route 53: per cluster a private hosted zone named after the private-link host, associated with the
// VPC, holding an alias A record at its apex to the endpoint's regional DNS name.
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListTagsForResourcesCommand,
  ListResourceRecordSetsCommand,
  ListHostedZonesByVPCCommand,
  type HostedZone,
  type Route53Client
} from '@aws-sdk/client-route-53'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ClusterLink } from '../../engine/target.js'
import { digest, idempotencyToken, ownershipMarker } from '../../engine/ownership.js'
import { waitFor } from '../../engine/wait.js'
import { InputError } from '../../engine/input-error.js'
import { toTags } from './clients.js'
import { ENDPOINT_STEP, type ObservedEndpoint } from './endpoint.js'
import { noHomeVpc, recordVpcsTags, type ZoneTopology, type ZoneVpc } from './zone-vpcs.js'

// Ownership of a zone is proven by its CallerReference, which the create call itself carries (so no
// crash can separate the zone from its proof) and which Route 53 keeps for the zone's life: it starts
// with a marker derived from the host, the VPC and the Zilliz project. Tags are added by a second call;
// a zone proven ours that lacks them gets them back (a planned update). A zone without the marker is
// never claimed: tags are not added and destroy must leave it.
const zoneKey = (host: string, vpcId: string, projectId: string) => `${host}/${vpcId}/${digest(projectId)}`

/** The CallerReference of a new zone for the host: the ownership marker plus the run attempt. */
export function zoneCallerReference(host: string, vpcId: string, projectId: string): string {
  return idempotencyToken('zone', zoneKey(host, vpcId, projectId))
}

/** True when the zone was created by this action for this host, VPC and project. */
export function isOwnZone(callerReference: string | undefined, host: string, vpcId: string, projectId: string): boolean {
  return (callerReference ?? '').startsWith(ownershipMarker('zone', zoneKey(host, vpcId, projectId)))
}

export interface ObservedZone {
  id: string
  name: string
  associated: boolean
  /** Created by this action (CallerReference marker); false for a zone someone else made */
  owned: boolean
  /** The VPCs the zone serves, by id (GetHostedZone); absent when not read (see ObserveZonesInput.withVpcs) */
  vpcs?: string[]
}

export interface ObservedRecord {
  aliasDnsName?: string
  aliasZoneId?: string
  values: string[]
}

export const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
const bareId = (id: string) => id.replace(/^\/hostedzone\//, '').replace(/^\/change\//, '')

export const zoneStepId = (clusterId: string) => `dns-zone:${clusterId}`
export const recordStepId = (clusterId: string) => `dns-record:${clusterId}`

/** A zone a VPC is associated with, and the account that owns it (another one's, across accounts). */
export interface VpcZone {
  id: string
  owner?: string
}

/** The zones associated with the VPC, by name: one paged listing, whatever the number of zones. */
export async function zonesOfVpc(route53: Route53Client, vpcId: string, region: string): Promise<Map<string, VpcZone>> {
  const inVpc = new Map<string, VpcZone>()
  let NextToken: string | undefined
  do {
    const page = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: region as never, NextToken }))
    for (const z of page.HostedZoneSummaries ?? []) {
      const owner = z.Owner?.OwningAccount
      inVpc.set(fqdn(z.Name ?? ''), { id: bareId(z.HostedZoneId ?? ''), ...(owner ? { owner } : {}) })
    }
    NextToken = page.NextToken
  } while (NextToken)
  return inVpc
}

/** Each of these VPCs with its own zones, listed with the credentials of the VPC's owner, all at once. */
export function zonesOfVpcs(vpcs: ZoneVpc[]): Promise<{ vpc: ZoneVpc; zones: Map<string, VpcZone> }[]> {
  return Promise.all(vpcs.map(async (vpc) => ({ vpc, zones: await zonesOfVpc(vpc.side.route53, vpc.vpcId, vpc.region) })))
}

/** The parent domain of a host: its zone and its siblings' sort together in ListHostedZonesByName. */
const parentOf = (host: string) => fqdn(host).slice(fqdn(host).indexOf('.') + 1)
const reversed = (name: string) => fqdn(name).slice(0, -1).split('.').reverse().join('.')

/**
 * The account's zones named under the hosts' parent domains, with their CallerReference: one paged
 * listing per parent (Route 53 sorts names by reversed labels, so siblings are contiguous) instead of a
 * read per zone.
 */
async function zonesUnder(route53: Route53Client, hosts: string[]): Promise<HostedZone[]> {
  const zones: HostedZone[] = []
  for (const parent of new Set(hosts.map(parentOf))) {
    let start: { DNSName?: string; HostedZoneId?: string } = { DNSName: parent }
    for (;;) {
      const page = await route53.send(new ListHostedZonesByNameCommand({ ...start, MaxItems: 100 }))
      const listed = page.HostedZones ?? []
      zones.push(...listed.filter((z) => fqdn(z.Name ?? '').endsWith(`.${parent}`)))
      // Every name under the parent starts, reversed, with the reversed parent; the first that does not is past them.
      const past = listed.some((z) => !reversed(z.Name ?? '').startsWith(reversed(parent)))
      if (!page.IsTruncated || past) break
      start = { DNSName: page.NextDNSName, HostedZoneId: page.NextHostedZoneId }
    }
  }
  return zones
}

export interface ObserveZonesInput {
  /** Lists the endpoint VPC's zones: the client of the VPC's owner */
  lister: Route53Client
  /** Reads the zones: the client of the account that holds them */
  zones: Route53Client
  zoneAccount: string
  vpcId: string
  region: string
  hosts: string[]
  projectId: string
  /** Read each zone's VPCs (a GetHostedZone per zone): only a topology with more than one VPC or account needs them */
  withVpcs: boolean
}

/**
 * Per host: the zone associated with the VPC (ours or not: there can only be one of a name), else our
 * own zone not associated with it (yet). A look-alike that is neither associated nor proven ours is not
 * returned. A zone associated with the VPC but held by an account neither role acts in stops the plan.
 */
export async function observeZones(input: ObserveZonesInput): Promise<Map<string, ObservedZone>> {
  const { zones, vpcId, projectId } = input
  const [inVpc, listed] = await Promise.all([zonesOfVpc(input.lister, vpcId, input.region), zonesUnder(zones, input.hosts)])
  const byId = new Map(listed.map((z) => [bareId(z.Id ?? ''), z]))
  const details = (id: string) => zones.send(new GetHostedZoneCommand({ Id: id }))
  const found = new Map<string, ObservedZone>()
  await Promise.all(
    input.hosts.map(async (host) => {
      const associated = inVpc.get(fqdn(host))
      if (associated) {
        if (associated.owner && associated.owner !== input.zoneAccount)
          throw new InputError(
            'aws-dns-role-arn',
            `zone ${associated.id} (${host}) is associated with ${vpcId} but held by account ${associated.owner}, and a VPC can have only one zone of a name. The record for ${host} has to go into it: set aws-dns-role-arn to a role of ${associated.owner}, or remove that association.`
          )
        // The VPC's summaries carry no CallerReference; the account's listing does. The zone is read when
        // the listing missed it or its VPCs are needed.
        const inListing = byId.get(associated.id)
        const read = !inListing || input.withVpcs ? await details(associated.id) : undefined
        const callerReference = inListing?.CallerReference ?? read?.HostedZone?.CallerReference
        found.set(host, { id: associated.id, name: fqdn(host), associated: true, owned: isOwnZone(callerReference, host, vpcId, projectId), ...vpcsOf(read) })
        return
      }
      const ours = listed.find((z) => fqdn(z.Name ?? '') === fqdn(host) && z.Config?.PrivateZone && isOwnZone(z.CallerReference, host, vpcId, projectId))
      if (!ours) return
      const id = bareId(ours.Id ?? '')
      found.set(host, { id, name: fqdn(host), associated: false, owned: true, ...vpcsOf(input.withVpcs ? await details(id) : undefined) })
    })
  )
  return found
}

const vpcsOf = (read: { VPCs?: { VPCId?: string }[] } | undefined): { vpcs?: string[] } => (read ? { vpcs: (read.VPCs ?? []).map((v) => v.VPCId ?? '').filter(Boolean) } : {})

/** Tags of hosted zones, by zone id: ListTagsForResources takes 10 zones a request. */
export async function zoneTags(route53: Route53Client, zoneIds: string[]): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>()
  const batches = Array.from({ length: Math.ceil(zoneIds.length / 10) }, (_, i) => zoneIds.slice(i * 10, i * 10 + 10))
  await Promise.all(
    batches.map(async (ResourceIds) => {
      const out = await route53.send(new ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds }))
      for (const set of out.ResourceTagSets ?? []) tags.set(bareId(set.ResourceId ?? ''), Object.fromEntries((set.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])))
    })
  )
  return tags
}

/** The wanted tags the zone lacks or holds with another value. */
export function missingZoneTags(current: Record<string, string> | undefined, wanted: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current?.[key] !== value))
}

const tagZone = (route53: Route53Client, zoneId: string, tags: Record<string, string>) =>
  route53.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, AddTags: toTags(tags) }))

export async function observeRecord(route53: Route53Client, zoneId: string, host: string): Promise<ObservedRecord | undefined> {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: host, StartRecordType: 'A', MaxItems: 1 }))
  const record = out.ResourceRecordSets?.[0]
  if (!record || fqdn(record.Name ?? '') !== fqdn(host) || record.Type !== 'A') return undefined
  return {
    aliasDnsName: record.AliasTarget?.DNSName,
    aliasZoneId: record.AliasTarget?.HostedZoneId,
    values: (record.ResourceRecords ?? []).map((r) => r.Value ?? '')
  }
}

export function recordPointsAt(record: ObservedRecord | undefined, endpoint: Pick<ObservedEndpoint, 'dnsName' | 'dnsZoneId'>): boolean {
  return Boolean(record?.aliasDnsName && endpoint.dnsName && fqdn(record.aliasDnsName) === fqdn(endpoint.dnsName) && bareId(record.aliasZoneId ?? '') === endpoint.dnsZoneId)
}

/** Waits for a Route 53 change to be INSYNC; an answer without a change id has nothing to wait for. */
export async function waitInSync(route53: Route53Client, changeId: string | undefined, what: string, ctx: StepContext): Promise<void> {
  if (!changeId) return
  await waitFor({
    what,
    deadline: ctx.deadline,
    signal: ctx.signal,
    poll: async () => {
      const out = await route53.send(new GetChangeCommand({ Id: bareId(changeId) }))
      const status = out.ChangeInfo?.Status ?? 'UNKNOWN'
      return { done: status === 'INSYNC', state: `change ${bareId(changeId)} ${status}` }
    }
  })
}

export interface ZonePlanInput {
  /** The client of the account that holds the zones */
  route53: Route53Client
  link: ClusterLink
  topology: ZoneTopology
  /** The endpoint's VPC: the zone's ownership marker is made for it */
  vpcId: string
  region: string
  existing: ObservedZone | undefined
  /** Tags an owned existing zone lacks (see missingZoneTags) */
  missingTags: Record<string, string>
  projectId: string
  tags: Record<string, string>
  onReady(zoneId: string): void
}

// The zone carries its proof of ownership from the first call; the tags follow in a second one, which a
// crash can prevent: the next plan finds the zone by its marker and restores them.
async function createZone(input: ZonePlanInput): Promise<string> {
  const { route53, link } = input
  const home = input.topology.home
  if (!home) throw noHomeVpc(input.topology)
  let id: string
  try {
    const out = await route53.send(
      new CreateHostedZoneCommand({
        Name: link.host,
        CallerReference: zoneCallerReference(link.host, input.vpcId, input.projectId),
        VPC: { VPCId: home.vpcId, VPCRegion: home.region as never },
        HostedZoneConfig: { PrivateZone: true, Comment: `Zilliz private link for ${link.clusterId} (managed by zilliz-private-link)` }
      })
    )
    id = bareId(out.HostedZone?.Id ?? '')
  } catch (error) {
    // The CallerReference was used by a create whose response was lost: the zone exists, find it.
    if ((error as Error).name !== 'HostedZoneAlreadyExists') throw error
    const found = (await observeZones({ lister: input.topology.endpointVpc.side.route53, zones: route53, zoneAccount: input.topology.zones.account, vpcId: input.vpcId, region: input.region, hosts: [link.host], projectId: input.projectId, withVpcs: false })).get(link.host)
    if (!found?.owned) throw error
    id = found.id
  }
  // The home VPC, when it is not the endpoint's, is an association the action made: recorded with the tags.
  await tagZone(route53, id, { ...input.tags, ...(home.vpcId === input.vpcId ? {} : recordVpcsTags([home.vpcId])) })
  return id
}

const describeTags = (tags: Record<string, string>) => Object.keys(tags).join(', ')

export function planZone(input: ZonePlanInput): PlannedStep {
  const { link, existing, route53 } = input
  const home = input.topology.home?.vpcId ?? input.vpcId
  const base = { id: zoneStepId(link.clusterId), kind: 'aws.route53-private-zone', dependsOn: [], attributes: { name: link.host, vpc: home } }
  // Everything knowable before the first write: a zone to create needs a VPC of the zone's account.
  if (!existing && !input.topology.home) throw noHomeVpc(input.topology)
  if (!existing) {
    return {
      ...base,
      name: link.host,
      action: 'create',
      reason: `no private hosted zone ${link.host} associated with ${input.vpcId}`,
      run: async () => input.onReady(await createZone(input))
    }
  }
  input.onReady(existing.id)
  if (!existing.owned) {
    // Only one zone of a name can be associated with a VPC: the record goes into this one, but the zone
    // stays the user's (no tags, and destroy leaves it).
    return {
      ...base,
      name: existing.id,
      action: 'keep',
      reason: `zone ${link.host} is associated with ${input.vpcId} but was not created by this action: used for the record, not tagged or taken over`,
      attributes: { ...base.attributes, owner: 'not this action' }
    }
  }
  const retag = Object.keys(input.missingTags).length > 0
  const restore = retag ? `restore ownership tags ${describeTags(input.missingTags)} (the zone was created by this action, as its CallerReference shows, but not tagged)` : ''
  if (existing.associated) {
    if (!retag) return { ...base, name: existing.id, action: 'keep', reason: `zone ${link.host} is associated with ${input.vpcId}` }
    return {
      ...base,
      name: existing.id,
      action: 'update',
      reason: restore,
      run: async () => {
        await tagZone(route53, existing.id, input.missingTags)
      }
    }
  }
  // The endpoint's VPC of another account joins through the authorization (zone-associations.ts).
  if (input.topology.endpointVpc.side.account !== input.topology.zones.account) {
    if (!retag) return { ...base, name: existing.id, action: 'keep', reason: `zone ${link.host} exists in account ${input.topology.zones.account}; ${input.vpcId} joins it across accounts` }
    return { ...base, name: existing.id, action: 'update', reason: restore, run: async () => void (await tagZone(route53, existing.id, input.missingTags)) }
  }
  return {
    ...base,
    name: existing.id,
    action: 'update',
    reason: [`zone ${link.host} exists but is not associated with ${input.vpcId}`, restore].filter(Boolean).join('; '),
    run: async () => {
      await route53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: existing.id, VPC: { VPCId: input.vpcId, VPCRegion: input.region as never } }))
      if (retag) await tagZone(route53, existing.id, input.missingTags)
    }
  }
}

export interface RecordPlanInput {
  route53: Route53Client
  link: ClusterLink
  zoneId: () => string
  endpoint: () => ObservedEndpoint
  /** Known at plan time when the endpoint already exists */
  plannedEndpoint: ObservedEndpoint | undefined
  existing: ObservedRecord | undefined
}

export function planRecord(input: RecordPlanInput): PlannedStep {
  const { link, existing, plannedEndpoint, route53 } = input
  const base = {
    id: recordStepId(link.clusterId),
    kind: 'aws.route53-alias-record',
    name: `${link.host} A`,
    dependsOn: [zoneStepId(link.clusterId), ENDPOINT_STEP],
    attributes: { alias: plannedEndpoint?.dnsName || 'the endpoint\'s regional DNS name' }
  }
  if (plannedEndpoint && recordPointsAt(existing, plannedEndpoint)) return { ...base, action: 'keep', reason: 'alias points at the endpoint' }
  const current = existing ? (existing.aliasDnsName ? `alias to ${existing.aliasDnsName}` : `values ${existing.values.join(', ')}`) : undefined
  return {
    ...base,
    action: existing ? 'update' : 'create',
    reason: current ? `record holds ${current}, not the endpoint` : 'no A record for the host',
    run: async (ctx) => {
      const endpoint = input.endpoint()
      const out = await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: input.zoneId(),
          ChangeBatch: {
            Comment: `Zilliz private link ${link.clusterId}`,
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: { Name: link.host, Type: 'A', AliasTarget: { HostedZoneId: endpoint.dnsZoneId, DNSName: endpoint.dnsName, EvaluateTargetHealth: false } }
              }
            ]
          }
        })
      )
      await waitInSync(route53, out.ChangeInfo?.Id, `the DNS change for ${link.host} to be INSYNC`, ctx)
    }
  }
}

export const replacedZoneStepId = (clusterId: string) => `dns-zone-replaced:${clusterId}`

export interface ReplacedZoneInput {
  route53: Route53Client
  link: ClusterLink
  /** Our zone (CallerReference marker for this host, VPC and project) in this VPC, for the documented host Zilliz did not allocate */
  stale: ObservedZone
}

/**
 * DNS work starts from the documented host pattern; when Zilliz allocates another host, the zone made for
 * the guess answers for a name no client uses. Once the zone for the allocated host holds its record, the
 * guess's zone goes: its alias record first, as Route 53 deletes only zones holding nothing but SOA and NS.
 */
export function planReplacedZone(input: ReplacedZoneInput): PlannedStep {
  const { route53, link, stale } = input
  return {
    id: replacedZoneStepId(link.clusterId),
    kind: 'aws.route53-private-zone',
    name: stale.id,
    action: 'delete',
    reason: `Zilliz allocated ${link.host} for ${link.clusterId}, not the documented ${stale.name.replace(/\.$/, '')} this zone was made for; the zone for ${link.host} replaces it`,
    dependsOn: [recordStepId(link.clusterId)],
    attributes: { name: stale.name, replacedBy: link.host },
    run: async () => {
      const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stale.id, StartRecordName: stale.name, StartRecordType: 'A', MaxItems: 1 }))
      const record = listed.ResourceRecordSets?.find((r) => fqdn(r.Name ?? '') === stale.name && r.Type === 'A')
      if (record) await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: stale.id, ChangeBatch: { Comment: `Replaced by ${link.host}`, Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] } }))
      await route53.send(new DeleteHostedZoneCommand({ Id: stale.id }))
    }
  }
}
