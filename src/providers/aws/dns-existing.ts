// dns: existing-zone on Route 53: the alias records go into private hosted zones the user names, which the
// action never creates, associates or deletes. Route 53 records carry no tags, so each record has a TXT
// ownership marker beside it (_zilliz-private-link.<host>), written in the same atomic change batch.
import { ChangeResourceRecordSetsCommand, GetHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53'
import {
  bareName,
  hostOfOwnerRecord,
  judgeExistingRecord,
  markedByAction,
  ownerRecordName,
  ownerTxt,
  parseOwnerTxt,
  recordOwnership,
  type NamedZone
} from '../../engine/dns-placement.js'
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { KeptResource, ManagedResource } from '../../engine/provider.js'
import type { ClusterLink } from '../../engine/target.js'
import { fqdn, recordPointsAt, recordStepId, waitInSync } from './dns.js'
import { ENDPOINT_STEP, type ObservedEndpoint } from './endpoint.js'

export const OWNER_TTL_SECONDS = 300
const errorName = (error: unknown) => (error as { name?: string }).name ?? ''

/** A named zone with the VPCs it serves (GetHostedZone lists them all, of any account). */
export type AwsNamedZone = NamedZone & { vpcs: { vpcId: string; region: string }[] }

/**
 * Reads every named zone and checks, before any write, that it exists, is private and is associated with
 * the VPC; all problems are reported together, each with its fix.
 */
export async function observeNamedZones(route53: Route53Client, zoneIds: string[], vpcId: string, region: string, account = 'this account'): Promise<AwsNamedZone[]> {
  const problems: string[] = []
  const zones: AwsNamedZone[] = []
  for (const id of zoneIds) {
    const found = await route53.send(new GetHostedZoneCommand({ Id: id })).catch((error: unknown) => {
      if (errorName(error) === 'NoSuchHostedZone') return undefined
      // Route 53's answer for a zone of another account: denied on the resource, not on the action.
      if (errorName(error) === 'AccessDenied' && /not authorized to access this resource/.test((error as Error).message)) return null
      throw error
    })
    if (found === null) {
      problems.push(
        `hosted zone ${id} is held by another account than ${account} (Route 53 refuses access to it, which it does for another account's zone); name a zone of ${account}, or set aws-dns-role-arn to the role of the account that holds it`
      )
      continue
    }
    if (!found?.HostedZone) {
      problems.push(`hosted zone ${id} does not exist in ${account} (Route 53 answers NoSuchHostedZone); check the id (aws route53 list-hosted-zones)`)
      continue
    }
    const name = bareName(found.HostedZone.Name ?? '')
    if (!found.HostedZone.Config?.PrivateZone) {
      problems.push(`hosted zone ${id} (${name}) is public; name a private hosted zone associated with ${vpcId}, since public records would publish the endpoint's addresses`)
      continue
    }
    const vpcs = found.VPCs ?? []
    if (!vpcs.some((v) => v.VPCId === vpcId && v.VPCRegion === region)) {
      const others = vpcs.map((v) => `${v.VPCId} (${v.VPCRegion})`).join(', ') || 'none'
      problems.push(
        `hosted zone ${id} (${name}) is not associated with ${vpcId} in ${region} (associated: ${others}), so clients there would not see its records. Associate it (aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${id} --vpc VPCRegion=${region},VPCId=${vpcId}); the action never associates a zone it does not own`
      )
      continue
    }
    zones.push({ id, name, vpcs: vpcs.map((v) => ({ vpcId: v.VPCId ?? '', region: v.VPCRegion ?? '' })) })
  }
  if (problems.length) throw new InputError('dns-zone-ids', `${problems.join('; ')}.`)
  return zones
}

/** The record set of exactly this name and type, if any. */
async function readRecord(route53: Route53Client, zoneId: string, name: string, type: 'A' | 'TXT'): Promise<ResourceRecordSet | undefined> {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type, MaxItems: 1 }))
  const record = out.ResourceRecordSets?.[0]
  return record && fqdn(record.Name ?? '') === fqdn(name) && record.Type === type ? record : undefined
}

export interface HostRecords {
  a?: ResourceRecordSet
  owner?: ResourceRecordSet
}

export async function readHostRecords(route53: Route53Client, zoneId: string, host: string): Promise<HostRecords> {
  const [a, owner] = await Promise.all([readRecord(route53, zoneId, host, 'A'), readRecord(route53, zoneId, ownerRecordName(host), 'TXT')])
  return { ...(a ? { a } : {}), ...(owner ? { owner } : {}) }
}

const txtValues = (record: ResourceRecordSet | undefined) => (record?.ResourceRecords ?? []).map((r) => r.Value ?? '')
const holds = (a: ResourceRecordSet | undefined) => (a?.AliasTarget ? `alias ${a.AliasTarget.DNSName}` : `values ${txtValues(a).join(', ') || 'none'}`)

export interface ExistingRecordPlanInput {
  route53: Route53Client
  link: ClusterLink
  zone: NamedZone
  found: HostRecords
  /** The ownership tags and the network, as the marker says them */
  ownerTags: Record<string, string>
  plannedEndpoint: ObservedEndpoint | undefined
  endpoint: () => ObservedEndpoint
}

/** The alias record and its marker, upserted together: a crash leaves both or neither. */
async function upsertWithMarker(input: ExistingRecordPlanInput, ctx: StepContext): Promise<void> {
  const { route53, link, zone } = input
  const endpoint = input.endpoint()
  const out = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.id,
      ChangeBatch: {
        Comment: `Zilliz private link ${link.clusterId} (managed by zilliz-private-link)`,
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { Name: link.host, Type: 'A', AliasTarget: { HostedZoneId: endpoint.dnsZoneId, DNSName: endpoint.dnsName, EvaluateTargetHealth: false } } },
          { Action: 'UPSERT', ResourceRecordSet: { Name: ownerRecordName(link.host), Type: 'TXT', TTL: OWNER_TTL_SECONDS, ResourceRecords: [{ Value: ownerTxt(input.ownerTags) }] } }
        ]
      }
    })
  )
  await waitInSync(route53, out.ChangeInfo?.Id, `the DNS change for ${link.host} to be INSYNC`, ctx)
}

export function planExistingZoneRecord(input: ExistingRecordPlanInput): PlannedStep {
  const { link, zone, found, plannedEndpoint } = input
  const marker = parseOwnerTxt(txtValues(found.owner))
  const ownership = found.owner && markedByAction(marker) ? recordOwnership(marker, input.ownerTags) : { owned: false as const, reason: `no ownership marker ${ownerRecordName(link.host)} TXT` }
  if (!found.a && found.owner && markedByAction(marker) && !ownership.owned)
    throw new InputError('dns-zone-ids', `zone ${zone.name} (${zone.id}) holds the ownership marker of ${link.host} for ${ownership.reason.replace(/^made by zilliz-private-link for /, '')}: another run owns this name there. Use a zone of this network's own, or destroy the other run's link first.`)
  const verdict = judgeExistingRecord({
    host: bareName(link.host),
    zone,
    exists: Boolean(found.a),
    pointsAtEndpoint: plannedEndpoint ? recordPointsAt(found.a && { aliasDnsName: found.a.AliasTarget?.DNSName, aliasZoneId: found.a.AliasTarget?.HostedZoneId, values: [] }, plannedEndpoint) : false,
    holds: holds(found.a),
    ownership,
    deleteHint: `aws route53 change-resource-record-sets --hosted-zone-id ${zone.id} with a DELETE of ${bareName(link.host)} A`
  })
  return {
    id: recordStepId(link.clusterId),
    kind: 'aws.route53-alias-record',
    name: `${bareName(link.host)} A`,
    dependsOn: [ENDPOINT_STEP],
    attributes: {
      zone: `${zone.name} (${zone.id})`,
      alias: plannedEndpoint?.dnsName || "the endpoint's regional DNS name",
      ...(verdict.owned ? { ownerRecord: `${ownerRecordName(link.host)} TXT` } : { owner: 'not this action' })
    },
    action: verdict.action,
    reason: verdict.reason,
    ...(verdict.action === 'keep' ? {} : { run: (ctx: StepContext) => upsertWithMarker(input, ctx) })
  }
}

/** Every record set of a zone, all pages. */
export async function zoneRecords(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const records: ResourceRecordSet[] = []
  let start: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string } = {}
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start } as never))
    records.push(...(page.ResourceRecordSets ?? []))
    if (!page.IsTruncated) return records
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier }
  }
}

/** Deletes the record and its marker as they are now; gone already counts as deleted. */
async function removeWithMarker(route53: Route53Client, zoneId: string, host: string, ctx: StepContext): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { a, owner } = await readHostRecords(route53, zoneId, host)
    const changes = [a, owner].filter((r): r is ResourceRecordSet => r !== undefined).map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: r }))
    if (!changes.length) return
    try {
      const out = await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: `Remove the Zilliz private link record ${host}`, Changes: changes } }))
      await waitInSync(route53, out.ChangeInfo?.Id, `the deletion of the record ${host} to be INSYNC`, ctx)
      return
    } catch (error) {
      if (errorName(error) === 'NoSuchHostedZone') return
      // Changed between the read and the delete (DELETE must match exactly): read again, once.
      if (errorName(error) !== 'InvalidChangeBatch' || attempt > 0) throw error
    }
  }
}

/**
 * Our records in the named zones (found by their markers), each with its delete; the zones themselves and
 * other runs' records are kept and listed.
 */
export async function existingZoneInventory(route53: Route53Client, zoneIds: string[], ownerTags: Record<string, string>, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  for (const id of zoneIds) {
    const zone = await route53.send(new GetHostedZoneCommand({ Id: id })).catch((error: unknown) => {
      if (errorName(error) === 'NoSuchHostedZone') return undefined
      throw error
    })
    if (!zone?.HostedZone) continue
    const name = bareName(zone.HostedZone.Name ?? '')
    kept.push({ kind: 'aws.route53-private-zone', name: `${id} (${name})`, reason: 'kept: named in dns-zone-ids; the action writes only its own records there and never deletes the zone or its associations' })
    const records = await zoneRecords(route53, id)
    for (const record of records.filter((r) => r.Type === 'TXT')) {
      const host = hostOfOwnerRecord(record.Name ?? '')
      const marker = parseOwnerTxt(txtValues(record))
      if (!host || !markedByAction(marker)) continue
      const ownership = recordOwnership(marker, ownerTags)
      if (!ownership.owned) {
        kept.push({ kind: 'aws.route53-alias-record', name: `${host} A (zone ${name})`, reason: `kept: ${ownership.reason}` })
        continue
      }
      managed.push({
        id: `dns-record:${id}:${host}`,
        kind: 'aws.route53-alias-record',
        name: `${host} A (zone ${name})`,
        layer: 'record',
        host,
        evidence: `its ownership marker ${ownerRecordName(host)} TXT names this action, project, region, repository and network`,
        remove: (ctx) => removeWithMarker(route53, id, host, ctx)
      })
    }
  }
}

