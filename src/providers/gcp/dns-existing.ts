// dns: existing-zone on Cloud DNS: the A records go into private managed zones the user names, which the
// action never creates, binds or deletes. Cloud DNS record sets carry no labels, so each record has a TXT
// ownership marker beside it (_zilliz-private-link.<host>), written in the same atomic change.
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
import { fqdn, type DnsApi, type ResourceRecordSet } from './dns-api.js'
import { recordHolds, RECORD_TTL_SECONDS, recordStepId } from './dns.js'
import { GoogleApiError, isNotFound } from './google-http.js'
import { networkUrl, resourcePath } from './names.js'

/** A named zone and the Cloud DNS API of the project that holds it. */
export interface GcpNamedZone extends NamedZone {
  api: DnsApi
  /** The managed zone's name in its project */
  zone: string
}

/** projects/P/managedZones/Z, or Z alone in the default project. */
export function zoneRef(id: string, defaultProject: string): { project: string; zone: string } {
  const path = /^projects\/([^/]+)\/managedZones\/([^/]+)$/.exec(id)
  return path ? { project: path[1] ?? '', zone: path[2] ?? '' } : { project: defaultProject, zone: id }
}

/**
 * Reads every named zone and checks, before any write, that it exists, is private and is bound to the
 * network; all problems are reported together, each with its fix.
 */
export async function observeNamedZones(dnsFor: (project: string) => DnsApi, zoneIds: string[], defaultProject: string, networkPath: string): Promise<GcpNamedZone[]> {
  const problems: string[] = []
  const zones: GcpNamedZone[] = []
  for (const id of zoneIds) {
    const { project, zone } = zoneRef(id, defaultProject)
    const api = dnsFor(project)
    const found = await api.getZone(zone)
    if (!found) {
      problems.push(`managed zone ${id} does not exist (Cloud DNS answers 404 for ${zone} in project ${project}); check it with gcloud dns managed-zones list --project ${project}`)
      continue
    }
    const name = bareName(found.dnsName)
    if (found.visibility !== 'private') {
      problems.push(`managed zone ${zone} (${name}) in ${project} is public; name a private zone bound to ${networkPath}, since public records would publish the endpoint's address`)
      continue
    }
    const bound = (found.privateVisibilityConfig?.networks ?? []).map((n) => resourcePath(n.networkUrl))
    if (!bound.includes(networkPath)) {
      problems.push(
        `managed zone ${zone} (${name}) in ${project} is not bound to ${networkPath} (bound: ${bound.join(', ') || 'none'}), so clients there would not see its records. Bind it (gcloud dns managed-zones update ${zone} --project ${project} --networks=${[...bound, networkPath].map((p) => networkUrl(p)).join(',')}); the action never binds a zone it does not own`
      )
      continue
    }
    zones.push({ id, name, api, zone })
  }
  if (problems.length) throw new InputError('dns-zone-ids', `${problems.join('; ')}.`)
  return zones
}

export interface HostRecords {
  a?: ResourceRecordSet
  owner?: ResourceRecordSet
}

export async function readHostRecords(zone: GcpNamedZone, host: string): Promise<HostRecords> {
  const [a, owner] = await Promise.all([zone.api.getRecord(zone.zone, host, 'A'), zone.api.getRecord(zone.zone, ownerRecordName(host), 'TXT')])
  return { ...(a ? { a } : {}), ...(owner ? { owner } : {}) }
}

// A change's deletions must match exactly; one whose records changed since they were read fails (409/412).
const isStale = (error: unknown) => error instanceof GoogleApiError && (error.status === 409 || error.status === 412 || error.status === 404)

/** Replaces what is there now (read again after a stale read) with `additions`, in one atomic change. */
async function replaceRecords(zone: GcpNamedZone, host: string, found: HostRecords, additions: ResourceRecordSet[], what: string, ctx: StepContext): Promise<void> {
  const change = (current: HostRecords) => {
    const deletions = [current.a, current.owner].filter((r): r is ResourceRecordSet => r !== undefined)
    if (!deletions.length && !additions.length) return Promise.resolve()
    return zone.api.change(zone.zone, { additions, deletions }, what, ctx)
  }
  try {
    await change(found)
  } catch (error) {
    if (!isStale(error)) throw error
    await change(await readHostRecords(zone, host))
  }
}

export interface ExistingRecordPlanInput {
  link: ClusterLink
  zone: GcpNamedZone
  found: HostRecords
  ownerTags: Record<string, string>
  plannedIp: string | undefined
  ip: () => string
  after: string[]
}

export function planExistingZoneRecord(input: ExistingRecordPlanInput): PlannedStep {
  const { link, zone, found, plannedIp } = input
  const host = bareName(link.host)
  const marker = parseOwnerTxt(found.owner?.rrdatas ?? [])
  const ownership = found.owner && markedByAction(marker) ? recordOwnership(marker, input.ownerTags) : { owned: false as const, reason: `no ownership marker ${ownerRecordName(host)} TXT` }
  if (!found.a && found.owner && markedByAction(marker) && !ownership.owned)
    throw new InputError('dns-zone-ids', `zone ${zone.name} (${zone.id}) holds the ownership marker of ${host} for another run (${ownership.reason}). Use a zone of this network's own, or destroy the other run's link first.`)
  const verdict = judgeExistingRecord({
    host,
    zone,
    exists: Boolean(found.a),
    pointsAtEndpoint: recordHolds(found.a, plannedIp),
    holds: `A ${(found.a?.rrdatas ?? []).join(', ')}`,
    ownership,
    deleteHint: `gcloud dns record-sets delete ${fqdn(host)} --type=A --zone=${zone.zone} --project=${zone.api.project}`
  })
  return {
    id: recordStepId(link.clusterId),
    kind: 'gcp.dns-a-record',
    name: `${fqdn(host)} A`,
    dependsOn: input.after,
    attributes: {
      zone: `${zone.name} (${zone.id})`,
      value: plannedIp ?? 'the endpoint address',
      ttl: String(RECORD_TTL_SECONDS),
      ...(verdict.owned ? { ownerRecord: `${ownerRecordName(host)} TXT` } : { owner: 'not this action' })
    },
    action: verdict.action,
    reason: verdict.reason,
    ...(verdict.action === 'keep'
      ? {}
      : {
          run: (ctx: StepContext) =>
            replaceRecords(
              zone,
              host,
              found,
              [
                { name: fqdn(host), type: 'A', ttl: RECORD_TTL_SECONDS, rrdatas: [input.ip()] },
                { name: fqdn(ownerRecordName(host)), type: 'TXT', ttl: RECORD_TTL_SECONDS, rrdatas: [ownerTxt(input.ownerTags)] }
              ],
              `the DNS change for ${host} to be done`,
              ctx
            )
        })
  }
}

/**
 * Our records in the named zones (found by their markers), each with its delete; the zones themselves and
 * other runs' records are kept and listed.
 */
export async function existingZoneInventory(
  dnsFor: (project: string) => DnsApi,
  zoneIds: string[],
  defaultProject: string,
  ownerTags: Record<string, string>,
  managed: ManagedResource[],
  kept: KeptResource[]
): Promise<void> {
  for (const id of zoneIds) {
    const { project, zone: zoneName } = zoneRef(id, defaultProject)
    const api = dnsFor(project)
    const found = await api.getZone(zoneName)
    if (!found) continue
    const zone: GcpNamedZone = { id, name: bareName(found.dnsName), api, zone: zoneName }
    kept.push({ kind: 'gcp.dns-private-zone', name: `${zoneName} (${zone.name})`, reason: 'kept: named in dns-zone-ids; the action writes only its own records there and never deletes the zone or its bindings' })
    for (const record of (await api.listRecords(zoneName)).filter((r) => r.type === 'TXT')) {
      const host = hostOfOwnerRecord(record.name)
      const marker = parseOwnerTxt(record.rrdatas ?? [])
      if (!host || !markedByAction(marker)) continue
      const ownership = recordOwnership(marker, ownerTags)
      if (!ownership.owned) {
        kept.push({ kind: 'gcp.dns-a-record', name: `${host} A (zone ${zone.name})`, reason: `kept: ${ownership.reason}` })
        continue
      }
      managed.push({
        id: `dns-record:${id}:${host}`,
        kind: 'gcp.dns-a-record',
        name: `${host} A (zone ${zone.name})`,
        layer: 'record',
        host,
        evidence: `its ownership marker ${ownerRecordName(host)} TXT names this action, project, region, repository and network`,
        remove: async (ctx) => {
          const current = await readHostRecords(zone, host).catch((error: unknown) => (isNotFound(error) ? {} : Promise.reject(error)))
          await replaceRecords(zone, host, current, [], `the deletion of the record ${host} to be done`, ctx)
        }
      })
    }
  }
}
