// The one rule every cloud's DNS removal follows, given what its provider observed about one private zone:
// a zone that is not the action's is kept; in the action's zone the apex record goes; the zone itself
// goes only when nothing else lives in it or depends on it, otherwise just this network's link does.
import type { Ownership } from './ownership.js'
import type { StepContext } from './plan.js'
import type { KeptResource, ManagedResource } from './provider.js'

export interface ObservedPrivateZone {
  /** Step id prefix: the private-link host the zone serves */
  host: string
  /** e.g. 'aws.route53-private-zone' */
  zoneKind: string
  recordKind: string
  linkKind: string
  zoneName: string
  ownership: Ownership
  /** The apex A record, when there is one */
  hasRecord: boolean
  /** Records the action did not make (besides the zone's own NS and SOA) */
  foreignRecords: string[]
  /** Other networks the zone serves */
  otherNetworks: string[]
  /** Links of this zone to the run's network that are separate resources (Azure), by name */
  links: string[]
  removeRecord(ctx: StepContext): Promise<void>
  /** Removes only this network's link or association (for a zone that serves other networks too) */
  removeLink(ctx: StepContext, link?: string): Promise<void>
  removeZone(ctx: StepContext): Promise<void>
}

const EVIDENCE = 'tagged or labelled by this action for this project, region and repository'

export function zoneRemoval(zone: ObservedPrivateZone, managed: ManagedResource[], kept: KeptResource[]): void {
  const { host } = zone
  if (!zone.ownership.owned) {
    kept.push({ kind: zone.zoneKind, name: zone.zoneName, reason: `kept: ${zone.ownership.reason}` })
    return
  }
  if (zone.otherNetworks.length) {
    kept.push({ kind: zone.zoneKind, name: zone.zoneName, reason: `kept with its records: also serves ${zone.otherNetworks.join(', ')}; only this network's link is removed` })
    const links = zone.links.length ? zone.links : ['']
    for (const link of links)
      managed.push({ id: `dns-link:${host}${link ? `:${link}` : ''}`, kind: zone.linkKind, name: link || `${zone.zoneName} ↔ this network`, layer: 'zone-link', host, evidence: EVIDENCE, remove: (ctx) => zone.removeLink(ctx, link || undefined) })
    return
  }
  if (zone.hasRecord)
    managed.push({ id: `dns-record:${host}`, kind: zone.recordKind, name: `${host} A`, layer: 'record', host, evidence: 'the apex record of a managed zone', remove: (ctx) => zone.removeRecord(ctx) })
  if (zone.foreignRecords.length) {
    kept.push({ kind: zone.zoneKind, name: zone.zoneName, reason: `kept: holds records the action did not make (${zone.foreignRecords.join(', ')})` })
    return
  }
  for (const link of zone.links)
    managed.push({ id: `dns-link:${host}:${link}`, kind: zone.linkKind, name: link, layer: 'zone-link', host, evidence: EVIDENCE, remove: (ctx) => zone.removeLink(ctx, link) })
  managed.push({ id: `dns-zone:${host}`, kind: zone.zoneKind, name: zone.zoneName, layer: 'zone', host, evidence: EVIDENCE, remove: (ctx) => zone.removeZone(ctx) })
}
