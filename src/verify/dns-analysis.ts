// Level 1 DNS analysis, the model shared by every cloud: where a client's query for a private-link host
// goes, worked out from the settings that decide it, and whether our zone answers it. Each provider only
// reads its settings into a NetworkDnsView (AWS VPC attributes, DHCP options and Resolver rules; GCP server
// policies and forwarding or peering zones; Azure VNet DNS servers and forwarding rulesets); the verdict
// is made here, once.
//
// Two kinds of setting:
// - gates apply to every query before any name is matched (the cloud resolver switched off, custom DNS
//   servers handed to clients): one that bypasses the cloud resolver fails every host;
// - routes apply to a domain and every name below it (forwarding rules, forwarding and peering zones,
//   rules that keep a domain local). As every cloud's resolver does, the most specific domain wins;
//   among equally specific ones, the higher precedence (AWS: a Resolver rule beats a private zone).
// Our zone is a route too (it answers locally), so a forwarding rule for a parent domain does not take a
// host away from it, and one for the host itself does.
//
// The zone's own association with the network and its record are not read again: the control-plane
// checks (`dns-zone:`, `dns-link:`, `dns-record:` of the cluster) already did, and their verdict is reused.
import type { Check } from '../base/checks.js'
import { isNonPublicAddress } from './addresses.js'

/** reaches: the cloud resolver handles it, where our zone lives; bypasses: sent where our zone cannot answer; unknown: sent to a server whose own forwarding cannot be read. */
export type DnsEffect = 'reaches' | 'bypasses' | 'unknown'

export interface DnsSetting {
  /** The setting as the cloud names it, e.g. 'DHCP option set dopt-0abc (domain-name-servers)' */
  setting: string
  effect: DnsEffect
  /** What was read, e.g. 'domain-name-servers = 8.8.8.8' */
  evidence: string
  /** For bypasses and unknown: what to do */
  fix?: string
}

export interface DnsRoute extends DnsSetting {
  /** The domain it applies to, and every name below it; '.' for every name */
  domain: string
  /** Among equally specific domains the highest wins */
  precedence: number
}

export interface NetworkDnsView {
  /** The network as the summary names it, e.g. 'vpc-0abc' */
  network: string
  /** For proofSource: what was read, e.g. 'analysis of vpc-0abc: DNS attributes, DHCP options, Resolver rules' */
  source: string
  gates: DnsSetting[]
  routes: DnsRoute[]
  /** How our zone ranks among routes of the same domain (AWS: below Resolver rules) */
  zonePrecedence: number
  /** The domain of the zone that holds a host's record; default: the host itself (the action's zones) */
  zoneDomain?(host: string): string
}

export interface AnalysedLink {
  clusterId: string
  host: string
}

const labels = (domain: string) => normalize(domain).split('.').filter(Boolean)
/** Lower case, no trailing dot; '.' (the root) becomes ''. */
export const normalize = (domain: string) => domain.toLowerCase().replace(/\.+$/, '')

/** Whether a route for `domain` applies to `host`: the same name, or a name below it. */
export function covers(domain: string, host: string): boolean {
  const d = normalize(domain)
  const h = normalize(host)
  return d === '' || h === d || h.endsWith(`.${d}`)
}

/**
 * What a server address means when clients are sent to it instead of the cloud resolver: a public
 * resolver cannot see a private zone; a private address may be a forwarder whose own rules are unknown.
 */
export function customServerEffect(ip: string): DnsEffect {
  return isNonPublicAddress(ip) ? 'unknown' : 'bypasses'
}

/** The route that decides a host: the most specific domain, then the highest precedence, then the worst effect (to be safe). */
export function decidingRoute(view: NetworkDnsView, host: string): DnsRoute {
  const zone: DnsRoute = {
    setting: 'the private zone',
    domain: view.zoneDomain?.(host) ?? host,
    effect: 'reaches',
    evidence: '',
    precedence: view.zonePrecedence
  }
  const worst: Record<DnsEffect, number> = { reaches: 0, unknown: 1, bypasses: 2 }
  const candidates = [zone, ...view.routes].filter((r) => covers(r.domain, host))
  return candidates.reduce((best, r) => {
    const byLength = labels(r.domain).length - labels(best.domain).length
    if (byLength !== 0) return byLength > 0 ? r : best
    if (r.precedence !== best.precedence) return r.precedence > best.precedence ? r : best
    return worst[r.effect] > worst[best.effect] ? r : best
  })
}

const ZONE_CHECK = /^dns-(zone|link|record):/

/** The control-plane checks of the link's zone: its association or link with the network, and its record (by cluster, or by host in a named zone). */
function zoneChecks(controlPlane: Check[], link: AnalysedLink): Check[] {
  return controlPlane.filter((c) => ZONE_CHECK.test(c.id) && (c.id.endsWith(`:${link.clusterId}`) || c.id.endsWith(`:${link.host}`)))
}

const sentence = (settings: DnsSetting[]) => settings.map((s) => `${s.setting}: ${s.evidence}`).join('; ')

/** One check per host: `dns:<clusterId>`, proof analysis. */
export function judgeDnsAnalysis(view: NetworkDnsView, link: AnalysedLink, controlPlane: Check[]): Check {
  const id = `dns:${link.clusterId}`
  const title = `Queries for ${link.host} from ${view.network} reach its private zone`
  const proof = { proof: 'analysis' as const, proofSource: view.source, host: link.host }
  const route = decidingRoute(view, link.host)
  const away = [...view.gates, ...(route.setting === 'the private zone' ? [] : [route])].filter((s) => s.effect === 'bypasses')
  if (away.length) {
    return {
      id,
      title,
      status: 'fail',
      evidence: `${link.host} is sent away from the private zone by ${sentence(away)}`,
      cause: `Clients in ${view.network} will not get the private address: ${away.map((s) => s.setting).join(' and ')} send${away.length === 1 ? 's' : ''} the query where the private zone does not answer.`,
      fix: away.map((s) => s.fix).filter(Boolean).join(' '),
      ...proof
    }
  }
  const unknown = [...view.gates, route].filter((s) => s.effect === 'unknown')
  if (unknown.length) {
    return {
      id,
      title,
      status: 'skip',
      evidence: `cannot be known from the configuration: ${sentence(unknown)}. Whether that server forwards ${link.host} back to the cloud's resolver cannot be read. ${unknown.map((s) => s.fix).filter(Boolean).join(' ')}`.trim(),
      ...proof
    }
  }
  const decided = route.setting === 'the private zone' ? `no setting takes ${link.host} elsewhere` : `${route.setting} keeps it with the cloud resolver (${route.evidence})`
  const settings = view.gates.map((g) => g.evidence).join(', ')
  const zone = zoneChecks(controlPlane, link)
  const failed = zone.filter((c) => c.status === 'fail')
  if (failed.length) {
    return {
      id,
      title,
      status: 'fail',
      evidence: `the network sends the query to its zone (${settings}; ${decided}), but the zone is not in place: ${failed.map((c) => `"${c.title}" failed (${c.evidence})`).join('; ')}`,
      cause: failed[0]!.cause ?? 'The private zone does not answer for the host in this network.',
      fix: failed[0]!.fix ?? 'Re-run in apply mode.',
      ...proof
    }
  }
  if (!zone.length || zone.some((c) => c.status === 'skip')) {
    const why = zone.length ? zone.filter((c) => c.status === 'skip').map((c) => `${c.title}: ${c.evidence}`).join('; ') : 'no check of the zone ran in this run'
    return { id, title, status: 'skip', evidence: `the network would send the query to its zone (${settings}; ${decided}), but the zone is not proven: ${why}`, ...proof }
  }
  return {
    id,
    title,
    status: 'pass',
    evidence: `${settings}; ${decided}; the zone answers: ${zone.map((c) => c.evidence).join('; ')}`,
    ...proof
  }
}

/** dns: existing-zone: a host's record lives in a named zone, perhaps of a parent domain, which ranks by that domain. */
export function inNamedZones(view: NetworkDnsView, links: AnalysedLink[], zoneOf: (clusterId: string) => { name: string } | undefined): NetworkDnsView {
  const named = new Map(links.map((l) => [normalize(l.host), zoneOf(l.clusterId)?.name]))
  return { ...view, zoneDomain: (host) => named.get(normalize(host)) ?? host }
}

/** The analysis of every link against one view of the network. */
export function analyseLinks(view: NetworkDnsView, links: AnalysedLink[], controlPlane: Check[]): Check[] {
  return links.map((link) => judgeDnsAnalysis(view, link, controlPlane))
}
