// Cloud DNS: per cluster a private managed zone named after the private-link host and bound to the
// network, holding an A record at its apex with the endpoint's address.
import { createOrAdopt } from '../../engine/adopt.js'
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ClusterLink } from '../../engine/target.js'
import { fqdn, type DnsApi, type ManagedZone, type ResourceRecordSet } from './dns-api.js'
import { GoogleApiError, isAlreadyExists, isNotFound, isRetryableGoogleError } from './google-http.js'
import { ownedBy } from './labels.js'
import { lastSegment, networkUrl, resourcePath } from './names.js'

export const RECORD_TTL_SECONDS = 60

export const zoneStepId = (clusterId: string) => `dns-zone:${clusterId}`
export const recordStepId = (clusterId: string) => `dns-record:${clusterId}`

export interface ObservedZone {
  name: string
  dnsName: string
  /** Bound networks as returned (full URLs), kept as they are when one is added */
  networkUrls: string[]
  bound: boolean
  owned: boolean
}

function toObserved(zone: ManagedZone, networkPath: string, zillizProjectId: string): ObservedZone {
  const networkUrls = (zone.privateVisibilityConfig?.networks ?? []).map((n) => n.networkUrl)
  return { name: zone.name, dnsName: zone.dnsName, networkUrls, bound: networkUrls.some((u) => resourcePath(u) === networkPath), owned: ownedBy(zone.labels, zillizProjectId) }
}

const isPrivateZoneFor = (zone: ManagedZone, host: string) => zone.visibility === 'private' && fqdn(zone.dnsName) === fqdn(host)

/** The private zone for the host bound to the network; else the action's own zone of that name, unbound. */
export async function observeZone(dns: DnsApi, host: string, networkPath: string, zoneName: string, zillizProjectId: string): Promise<ObservedZone | undefined> {
  // One listing of the project's zones serves every host (and plan, inventory and verify alike).
  const zones = (await dns.listZones()).filter((z) => isPrivateZoneFor(z, host)).map((z) => toObserved(z, networkPath, zillizProjectId))
  return zones.find((z) => z.bound) ?? zones.find((z) => z.name === zoneName)
}

/** A zone with the action's name that serves another host, e.g. one built from the documented pattern before Zilliz allocated a different privateLinkAddress. */
export interface StaleZone {
  name: string
  dnsName: string
  owned: boolean
}

export async function observeStaleZone(dns: DnsApi, host: string, zoneName: string, zillizProjectId: string): Promise<StaleZone | undefined> {
  const found = (await dns.listZones()).find((z) => z.name === zoneName)
  if (!found || isPrivateZoneFor(found, host)) return undefined
  return { name: found.name, dnsName: found.dnsName, owned: ownedBy(found.labels, zillizProjectId) }
}

export interface ZonePlanInput {
  dns: DnsApi
  link: ClusterLink
  zoneName: string
  networkPath: string
  zillizProjectId: string
  existing: ObservedZone | undefined
  /** The action's zone of that name serving another host, to be replaced */
  stale?: StaleZone
  labels: Record<string, string>
  onReady(zoneName: string): void
}

async function bind(input: ZonePlanInput, zone: ObservedZone): Promise<void> {
  await input.dns.bindNetworks(zone.name, [...zone.networkUrls, networkUrl(input.networkPath)])
}

async function createZone(input: ZonePlanInput): Promise<string> {
  const { dns, link, zoneName, networkPath } = input
  const zone = await createOrAdopt({
    create: async () => {
      await dns.createZone({
        name: zoneName,
        dnsName: fqdn(link.host),
        description: `Zilliz private link for ${link.clusterId} (managed by zilliz-private-link)`,
        visibility: 'private',
        privateVisibilityConfig: { networks: [{ networkUrl: networkUrl(networkPath) }] },
        labels: input.labels
      })
      return zoneName
    },
    isDuplicate: isAlreadyExists,
    // The name is taken: by our own zone (a lost response, or one that lost its binding) or by another.
    find: async () => {
      const found = await dns.getZone(zoneName)
      if (!found) return undefined
      if (!isPrivateZoneFor(found, link.host))
        throw new InputError('gcp-endpoint-prefix', `managed zone ${zoneName} exists for ${found.dnsName}, not as a private zone for ${fqdn(link.host)}. Delete it or set another gcp-endpoint-prefix.`)
      const observed = toObserved(found, networkPath, input.zillizProjectId)
      if (!observed.bound) await bind(input, observed)
      return zoneName
    }
  })
  return zone
}

/**
 * Empties the zone built for the wrong host (Cloud DNS deletes only a zone holding nothing but its NS and
 * SOA), deletes it, and creates the zone for the allocated host under the same name. Every part is safe to
 * repeat: a crash in between leaves either the old zone (replaced again) or no zone (created).
 */
async function replaceZone(input: ZonePlanInput, stale: StaleZone, ctx: StepContext): Promise<string> {
  const { dns } = input
  const records = (await dns.listRecords(stale.name)).filter((r) => !(fqdn(r.name) === fqdn(stale.dnsName) && (r.type === 'NS' || r.type === 'SOA')))
  const asSent = (r: ResourceRecordSet): ResourceRecordSet => ({ name: r.name, type: r.type, ...(r.ttl === undefined ? {} : { ttl: r.ttl }), rrdatas: r.rrdatas ?? [] })
  if (records.length) await dns.change(stale.name, { deletions: records.map(asSent) }, `the records of ${stale.name} to be removed`, ctx)
  // A zone already gone (a run stopped after the delete) counts as deleted.
  await dns.deleteZone(stale.name).catch((error: unknown) => {
    if (!isNotFound(error)) throw error
  })
  return createZone(input)
}

export function planZone(input: ZonePlanInput): PlannedStep {
  const { link, existing, networkPath, stale } = input
  const base = { id: zoneStepId(link.clusterId), kind: 'gcp.dns-private-zone', dependsOn: [], attributes: { dnsName: fqdn(link.host), network: networkPath } }
  if (!existing && stale) {
    if (!stale.owned)
      throw new InputError(
        'gcp-endpoint-prefix',
        `managed zone ${stale.name} exists for ${stale.dnsName}, not for ${fqdn(link.host)}, and carries no ownership labels of this action, so it is not replaced. Delete it (gcloud dns managed-zones delete ${stale.name}) or set another gcp-endpoint-prefix.`
      )
    return {
      ...base,
      name: input.zoneName,
      action: 'update',
      reason: `replace: zone ${stale.name} is this action's own but serves ${stale.dnsName}, while Zilliz allocated ${fqdn(link.host)} (privateLinkAddress); its records and the zone are deleted and a zone for the allocated host is created`,
      run: async (ctx) => input.onReady(await replaceZone(input, stale, ctx))
    }
  }
  if (!existing) {
    return {
      ...base,
      name: input.zoneName,
      action: 'create',
      reason: `no private zone for ${fqdn(link.host)} bound to ${lastSegment(networkPath)}`,
      run: async () => input.onReady(await createZone(input))
    }
  }
  input.onReady(existing.name)
  const adopted = existing.owned ? '' : ' (adopted: created outside this action)'
  if (existing.bound) return { ...base, name: existing.name, action: 'keep', reason: `bound to ${lastSegment(networkPath)}${adopted}` }
  return { ...base, name: existing.name, action: 'update', reason: `zone exists but is not bound to ${lastSegment(networkPath)}${adopted}`, run: () => bind(input, existing) }
}

export function recordHolds(record: ResourceRecordSet | undefined, ip: string | undefined): boolean {
  return Boolean(ip && record && record.rrdatas?.length === 1 && record.rrdatas[0] === ip)
}

export interface RecordPlanInput {
  dns: DnsApi
  link: ClusterLink
  zoneName: () => string
  ip: () => string
  /** The endpoint address when it is known at plan time */
  plannedIp: string | undefined
  existing: ResourceRecordSet | undefined
  after: string[]
}

// Deletions must match the record exactly; a record changed since it was read fails the change, so it is
// read again and the change retried once (as is a change whose answers kept failing).
const isStale = (error: unknown) => error instanceof GoogleApiError && (error.status === 409 || error.status === 412 || error.status === 404)

async function upsert(input: RecordPlanInput, ctx: StepContext): Promise<void> {
  const { dns, link } = input
  const zone = input.zoneName()
  const ip = input.ip()
  const wanted: ResourceRecordSet = { name: fqdn(link.host), type: 'A', ttl: RECORD_TTL_SECONDS, rrdatas: [ip] }
  // A deletion repeats the record as read, minus what the API marks output only (`kind`).
  const asSent = (r: ResourceRecordSet): ResourceRecordSet => ({ name: r.name, type: r.type, ...(r.ttl === undefined ? {} : { ttl: r.ttl }), rrdatas: r.rrdatas ?? [] })
  const apply = (current: ResourceRecordSet | undefined) =>
    dns.change(zone, { additions: [wanted], deletions: current ? [asSent(current)] : [] }, `the DNS change for ${link.host} to be done`, ctx)
  try {
    await apply(input.existing)
  } catch (error) {
    // A stale read, or a change whose polling ran out of retries: read the record before deciding.
    if (!isStale(error) && !isRetryableGoogleError(error)) throw error
    const current = await dns.getRecord(zone, link.host, 'A')
    if (recordHolds(current, ip)) return
    await apply(current)
  }
}

export function planRecord(input: RecordPlanInput): PlannedStep {
  const { link, existing, plannedIp } = input
  const base = {
    id: recordStepId(link.clusterId),
    kind: 'gcp.dns-a-record',
    name: `${fqdn(link.host)} A`,
    dependsOn: input.after,
    attributes: { value: plannedIp ?? 'the endpoint address', ttl: String(RECORD_TTL_SECONDS) }
  }
  if (recordHolds(existing, plannedIp)) return { ...base, action: 'keep', reason: `holds ${plannedIp}` }
  return {
    ...base,
    action: existing ? 'update' : 'create',
    reason: existing ? `record holds ${(existing.rrdatas ?? []).join(', ')}, not the endpoint address` : 'no A record for the host',
    run: (ctx) => upsert(input, ctx)
  }
}
