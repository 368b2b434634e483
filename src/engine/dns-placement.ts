// Where the private-link records go, the same on every cloud: for dns: existing-zone, each host's record
// goes into the named zone whose name is the longest suffix of the host; records in zones the action does
// not own carry a TXT ownership marker where the cloud has no record tags; a zone wider than a host hides
// every public name under it that it holds no record for; for dns: none, the records are handed to the
// user's DNS team instead. Cloud calls stay in each provider; this module only decides.
import { skipped, type Check } from '../base/checks.js'
import type { Config } from '../config/types.js'
import type { Cluster, ZillizApi } from '../zilliz/types.js'
import { isDedicated } from '../zilliz/dedicated.js'
import { InputError } from './input-error.js'
import { MANAGED_BY_TAG, ownershipOf, ownershipTags, TAG_PREFIX, type Ownership } from './ownership.js'
import type { ClusterLink } from './target.js'

/** One record a private link needs, as a DNS team would type it. */
export interface DnsRecordSpec {
  clusterId: string
  /** The zone the record lives in (its DNS name, no trailing dot) */
  zone: string
  /** The zone's id in the cloud, when it is an existing one */
  zoneId?: string
  /** Fully qualified, no trailing dot */
  name: string
  type: 'A'
  /** Seconds; absent for an alias, whose TTL is the target's */
  ttl?: number
  /** IPv4 addresses of the endpoint; empty until the endpoint exists */
  values: string[]
  /** AWS: a Route 53 alias to the endpoint's regional DNS name, the record the action itself makes */
  alias?: { dnsName: string; hostedZoneId: string }
}

/** A zone named in dns-zone-ids, as its cloud describes it. */
export interface NamedZone {
  /** As given in dns-zone-ids (normalised) */
  id: string
  /** DNS name, lowercase, no trailing dot */
  name: string
}

export const bareName = (name: string): string => name.toLowerCase().replace(/\.$/, '')

const within = (host: string, zone: string): boolean => host === zone || host.endsWith(`.${zone}`)

/** The record name relative to the zone ('@' at the apex), as Azure and zone files write it. */
export function relativeName(host: string, zone: string): string {
  const h = bareName(host)
  const z = bareName(zone)
  return h === z ? '@' : h.slice(0, -(z.length + 1))
}

/**
 * Each link's zone: the named zone whose name is the longest suffix of its host (DNS answers from the most
 * specific zone, so that is where clients look). A host no named zone serves fails before any write.
 */
export function placeLinks(links: ClusterLink[], zones: NamedZone[]): Map<string, NamedZone> {
  const placed = new Map<string, NamedZone>()
  const unserved: string[] = []
  for (const link of links) {
    const host = bareName(link.host)
    const best = zones.filter((z) => within(host, z.name)).sort((a, b) => b.name.length - a.name.length)[0]
    if (best) placed.set(link.clusterId, best)
    else unserved.push(`${host} (${link.clusterId})`)
  }
  if (unserved.length) {
    const names = zones.map((z) => `${z.name} (${z.id})`).join(', ')
    throw new InputError(
      'dns-zone-ids',
      `no named zone serves ${unserved.join(', ')}: the zones are ${names}. Add a private zone whose name is the host or a suffix of it (for example the host itself, which hides no other name), or leave the cluster out of cluster-ids.`
    )
  }
  return placed
}

// ---- Ownership of records in zones the action does not own ----------------------------------------

/** Where the TXT marker of a host's record lives: beside it, under a name no client asks for. */
export const OWNER_RECORD_LABEL = '_zilliz-private-link'
export const NETWORK_TAG = `${TAG_PREFIX}network`

export const ownerRecordName = (host: string): string => `${OWNER_RECORD_LABEL}.${bareName(host)}`

/** The host an owner record name marks, or undefined for any other name. */
export function hostOfOwnerRecord(name: string): string | undefined {
  const bare = bareName(name)
  return bare.startsWith(`${OWNER_RECORD_LABEL}.`) ? bare.slice(OWNER_RECORD_LABEL.length + 1) : undefined
}

/** The ownership tags plus the network, key=value: what a record's marker or metadata says. */
export function recordOwnerTags(config: Config, network: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { ...ownershipTags(config, env), [NETWORK_TAG]: network }
}

/**
 * The TXT value, one character-string per tag (each under the 255-character limit of one string):
 * "zilliz-private-link:managed-by=zilliz-private-link" "zilliz-private-link:project=proj-…" …
 */
export function ownerTxt(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `"${`${key}=${value}`.replace(/["\\]/g, '')}"`)
    .join(' ')
}

/** The tags a TXT value written by ownerTxt carries; other TXT text yields none. */
export function parseOwnerTxt(values: string[]): Record<string, string> {
  const strings = values.flatMap((value) => [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? ''))
  return Object.fromEntries(strings.flatMap((s) => (s.startsWith(TAG_PREFIX) && s.includes('=') ? [[s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]] : [])))
}

/**
 * Whether a record's marker (or metadata) makes it this action's for this project, region, repository and
 * network. Another network's record of the same host is not ours: two runs would take turns rewriting it.
 */
export function recordOwnership(found: Record<string, string> | undefined, expected: Record<string, string>): Ownership {
  const { [NETWORK_TAG]: network, ...rest } = expected
  const byTags = ownershipOf(found, rest)
  if (!byTags.owned) return byTags
  if (found?.[NETWORK_TAG] !== network) return { owned: false, reason: `made by zilliz-private-link for another network (${found?.[NETWORK_TAG] ?? 'none'}, not ${network})` }
  return { owned: true }
}

/** True when the marker says the action made it at all (for whichever project or network). */
export const markedByAction = (found: Record<string, string>): boolean => found[MANAGED_BY_TAG] !== undefined

/** What to do with the A record found at a host in a zone the action does not own. */
export type ExistingRecordVerdict = { action: 'create' | 'update' | 'keep'; owned: boolean; reason: string }

/**
 * Ours (by marker): keep when it holds the wanted value, else update. Not ours: kept as it is when it
 * already points at the endpoint, and otherwise refused before any write, since it is someone else's.
 */
export function judgeExistingRecord(input: {
  host: string
  zone: NamedZone
  exists: boolean
  pointsAtEndpoint: boolean
  /** How the record differs, e.g. 'values 10.0.0.9' */
  holds: string
  ownership: Ownership
  /** Shown for the refusal: how to delete the record in this cloud */
  deleteHint: string
}): ExistingRecordVerdict {
  const { host, zone } = input
  if (!input.exists) return { action: 'create', owned: true, reason: `no A record for ${host} in zone ${zone.name}` }
  if (input.ownership.owned) {
    if (input.pointsAtEndpoint) return { action: 'keep', owned: true, reason: `points at the endpoint (ours by its ownership marker, in zone ${zone.name})` }
    return { action: 'update', owned: true, reason: `holds ${input.holds}, not the endpoint (ours by its ownership marker)` }
  }
  if (input.pointsAtEndpoint) return { action: 'keep', owned: false, reason: `points at the endpoint already, but was not made by this action (${input.ownership.reason}): used as it is, never changed or deleted` }
  throw new InputError(
    'dns-zone-ids',
    `zone ${zone.name} (${zone.id}) already holds an A record for ${host} that this action did not make (${input.ownership.reason}; it holds ${input.holds}). The action never overwrites a record it does not own: delete it (${input.deleteHint}) and re-run, or name another zone.`
  )
}

// ---- Zones that hide names ---------------------------------------------------------------------------

export interface ShadowedZone {
  zone: NamedZone
  /** Hosts in scope that get a record in it */
  hosts: string[]
}

/** The zones in use that are wider than the hosts they hold: they answer for every other name under them. */
export function widerZones(links: ClusterLink[], placed: Map<string, NamedZone>): ShadowedZone[] {
  const byZone = new Map<string, ShadowedZone>()
  for (const link of links) {
    const zone = placed.get(link.clusterId)
    if (!zone || bareName(link.host) === zone.name) continue
    const entry = byZone.get(zone.id) ?? { zone, hosts: [] }
    entry.hosts.push(bareName(link.host))
    byZone.set(zone.id, entry)
  }
  return [...byZone.values()]
}

const hostOf = (address: string | undefined): string | undefined => {
  if (!address) return undefined
  try {
    return bareName(new URL(address.includes('://') ? address : `https://${address}`).hostname)
  } catch {
    return undefined
  }
}

/**
 * One warning per wider zone: the public names of this project's clusters in the region it hides (the
 * only ones the Zilliz API shows), then every other name under it, which no API lists (other projects' and
 * organisations' clusters). A private zone answers NXDOMAIN for names it holds no record for; resolvers in
 * the network do not fall back to public DNS.
 */
export async function shadowWarnings(config: Config, links: ClusterLink[], wider: ShadowedZone[], zilliz: Pick<ZillizApi, 'listClusters'>): Promise<string[]> {
  if (!wider.length) return []
  const { projectId, regionId } = config.zilliz
  const clusters: Cluster[] = (await zilliz.listClusters(projectId)).filter((c) => c.regionId === regionId)
  const inScope = new Set(links.map((l) => l.clusterId))
  return wider.map(({ zone, hosts }) => {
    const names = new Set<string>()
    for (const cluster of clusters) {
      const publicHost = hostOf(cluster.connectAddress)
      if (publicHost && within(publicHost, zone.name)) names.add(`${publicHost} (public address of ${cluster.clusterId})`)
      const privateHost = hostOf(cluster.privateLinkAddress)
      if (!inScope.has(cluster.clusterId) && isDedicated(cluster) && privateHost && within(privateHost, zone.name)) names.add(`${privateHost} (private link of ${cluster.clusterId}, not in scope)`)
    }
    const known = names.size ? `: ${[...names].sort().join(', ')}` : ''
    return `Zone ${zone.name} (${zone.id}) is wider than the hosts it gets records for (${hosts.join(', ')}): in the networks it is linked to, it answers every other name under ${zone.name} and so hides its public DNS name, unless the zone holds a record for it. Hidden names seen in this project${known || ' (none besides the records above)'}; also every *.${zone.name} name of other projects and organisations, which no API lists. A zone per host (the host's own name) hides nothing.`
  })
}

// ---- dns: none ---------------------------------------------------------------------------------------

/** The records a DNS team creates for dns: none: a zone per host, as managed does, so nothing is hidden. */
export function recordsForTeam(links: ClusterLink[], values: (link: ClusterLink) => Omit<DnsRecordSpec, 'clusterId' | 'zone' | 'name' | 'type'>): DnsRecordSpec[] {
  return links.map((link) => ({ clusterId: link.clusterId, zone: bareName(link.host), name: bareName(link.host), type: 'A', ...values(link) }))
}

/**
 * Each link's record where it lives: in its named zone (dns: existing-zone), else in the zone the action made
 * for it (by cluster id), else, for dns: none, in a zone of the host's own name for the DNS team to create.
 */
export function recordsWhereTheyLive(
  links: ClusterLink[],
  values: (link: ClusterLink) => Omit<DnsRecordSpec, 'clusterId' | 'zone' | 'name' | 'type'>,
  placed: ReadonlyMap<string, NamedZone>,
  madeZoneIds: ReadonlyMap<string, string>
): DnsRecordSpec[] {
  return recordsForTeam(links, values).map((r) => {
    const zone = placed.get(r.clusterId)
    const zoneId = zone?.id ?? madeZoneIds.get(r.clusterId)
    return { ...r, ...(zone ? { zone: zone.name } : {}), ...(zoneId ? { zoneId } : {}) }
  })
}

/** The control-plane verdict on a record in dns: none: the action reads no DNS, so it is unknown here. */
export const NONE_MODE_EVIDENCE = 'dns is none: the action reads and writes no DNS; your DNS team creates the record listed in the dns-records output'

/**
 * Each link's record check in dns: none, the same on every cloud: skipped (unknown, not failed), with the
 * fix naming who makes the record, so a data-plane failure on the host is diagnosed as the DNS team's to fix.
 */
export function recordsLeftToDnsTeam(links: Pick<ClusterLink, 'clusterId' | 'host'>[]): Check[] {
  return links.map((link) => ({
    ...skipped(`dns-record:${link.clusterId}`, `${link.host} has a private record`, NONE_MODE_EVIDENCE),
    fix: `Have your DNS team create the A record of ${bareName(link.host)} as the dns-records output gives it (the endpoint's private IPs), in a private zone the network resolves; this action writes no DNS with dns: none.`
  }))
}
