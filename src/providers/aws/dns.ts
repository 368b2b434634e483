// Route 53: per cluster a private hosted zone named after the private-link host, associated with the
// VPC, holding an alias A record at its apex to the endpoint's regional DNS name.
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListHostedZonesByVPCCommand,
  type Route53Client
} from '@aws-sdk/client-route-53'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ClusterLink } from '../../engine/target.js'
import { waitFor } from '../../engine/wait.js'
import { toTags } from './clients.js'
import { ENDPOINT_STEP, type ObservedEndpoint } from './endpoint.js'

/** Zones this action created carry CallerReferences with this prefix, so they can be found unassociated. */
const CALLER_PREFIX = 'zpl-'

export interface ObservedZone {
  id: string
  name: string
  associated: boolean
}

export interface ObservedRecord {
  aliasDnsName?: string
  aliasZoneId?: string
  values: string[]
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
const bareId = (id: string) => id.replace(/^\/hostedzone\//, '').replace(/^\/change\//, '')

export const zoneStepId = (clusterId: string) => `dns-zone:${clusterId}`
export const recordStepId = (clusterId: string) => `dns-record:${clusterId}`

/** Zones associated with the VPC, by name; plus, for hosts without one, our own unassociated zone. */
export async function observeZones(route53: Route53Client, vpcId: string, region: string, hosts: string[]): Promise<Map<string, ObservedZone>> {
  const inVpc = new Map<string, ObservedZone>()
  let NextToken: string | undefined
  do {
    const page = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpcId, VPCRegion: region as never, NextToken }))
    for (const z of page.HostedZoneSummaries ?? []) inVpc.set(fqdn(z.Name ?? ''), { id: bareId(z.HostedZoneId ?? ''), name: fqdn(z.Name ?? ''), associated: true })
    NextToken = page.NextToken
  } while (NextToken)
  const found = new Map<string, ObservedZone>()
  for (const host of hosts) {
    const associated = inVpc.get(fqdn(host))
    if (associated) {
      found.set(host, associated)
      continue
    }
    const byName = await route53.send(new ListHostedZonesByNameCommand({ DNSName: host, MaxItems: 20 }))
    const ours = (byName.HostedZones ?? []).find(
      (z) => fqdn(z.Name ?? '') === fqdn(host) && z.Config?.PrivateZone && (z.CallerReference ?? '').startsWith(CALLER_PREFIX)
    )
    if (ours) found.set(host, { id: bareId(ours.Id ?? ''), name: fqdn(host), associated: false })
  }
  return found
}

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

async function waitInSync(route53: Route53Client, changeId: string, what: string, ctx: StepContext): Promise<void> {
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
  route53: Route53Client
  link: ClusterLink
  vpcId: string
  region: string
  existing: ObservedZone | undefined
  callerReference: string
  tags: Record<string, string>
  onReady(zoneId: string): void
}

async function createZone(input: ZonePlanInput): Promise<string> {
  const { route53, link } = input
  try {
    const out = await route53.send(
      new CreateHostedZoneCommand({
        Name: link.host,
        CallerReference: input.callerReference,
        VPC: { VPCId: input.vpcId, VPCRegion: input.region as never },
        HostedZoneConfig: { PrivateZone: true, Comment: `Zilliz private link for ${link.clusterId} (managed by zilliz-private-link)` }
      })
    )
    const id = bareId(out.HostedZone?.Id ?? '')
    await route53.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: toTags(input.tags) }))
    return id
  } catch (error) {
    // The CallerReference was used by a create whose response was lost: the zone exists, find it.
    if ((error as Error).name !== 'HostedZoneAlreadyExists') throw error
    const found = (await observeZones(route53, input.vpcId, input.region, [link.host])).get(link.host)
    if (!found) throw error
    return found.id
  }
}

export function planZone(input: ZonePlanInput): PlannedStep {
  const { link, existing, route53 } = input
  const base = { id: zoneStepId(link.clusterId), kind: 'aws.route53-private-zone', dependsOn: [], attributes: { name: link.host, vpc: input.vpcId } }
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
  if (existing.associated) return { ...base, name: existing.id, action: 'keep', reason: `zone ${link.host} is associated with ${input.vpcId}` }
  return {
    ...base,
    name: existing.id,
    action: 'update',
    reason: `zone ${link.host} exists but is not associated with ${input.vpcId}`,
    run: async () => {
      await route53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: existing.id, VPC: { VPCId: input.vpcId, VPCRegion: input.region as never } }))
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
      await waitInSync(route53, out.ChangeInfo?.Id ?? '', `the DNS change for ${link.host} to be INSYNC`, ctx)
    }
  }
}
