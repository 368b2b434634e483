// Level 1 DNS analysis on Google Cloud: the network's DNS server policies (alternative name servers take
// every query, private zones included, as the Policy schema of the Cloud DNS API says) and the forwarding
// and peering zones bound to it (Cloud DNS picks the most specific matching zone). Two list calls; the
// verdict is src/verify/dns-analysis.ts's.
import { covers, customServerEffect, type DnsEffect, type DnsRoute, type DnsSetting, type NetworkDnsView } from '../../verify/dns-analysis.js'
import { fqdn, type DnsApi, type ManagedZone, type NameServerTarget } from './dns-api.js'
import { lastSegment, resourcePath } from './names.js'

const WORST: DnsEffect[] = ['bypasses', 'unknown', 'reaches']
const worstOf = (effects: DnsEffect[]): DnsEffect => WORST.find((e) => effects.includes(e)) ?? 'reaches'
const address = (t: NameServerTarget) => t.ipv4Address ?? t.ipv6Address ?? t.domainName ?? '?'
const boundTo = (networks: { networkUrl: string }[] | undefined, networkPath: string) => (networks ?? []).some((n) => resourcePath(n.networkUrl) === networkPath)

function alternativeServers(policyName: string, servers: NameServerTarget[]): DnsSetting {
  const effect = worstOf(servers.map((t) => (t.ipv4Address ? customServerEffect(t.ipv4Address) : 'unknown')))
  const listed = servers.map(address).join(', ')
  return {
    setting: `DNS server policy ${policyName} (alternative name servers)`,
    effect,
    evidence: `alternative name servers ${listed}: Cloud DNS sends every query of the network there, private zones are not consulted`,
    fix:
      effect === 'bypasses'
        ? `Remove the alternative name servers from policy ${policyName} (gcloud dns policies update ${policyName} --alternative-name-servers=""), or replace them with servers that forward the private-link host to Cloud DNS for this network.`
        : `Make sure ${listed} forward the private-link host to Cloud DNS for this network (an inbound server policy address), or remove the alternative name servers from policy ${policyName}; verify: full on a runner in the network, or a probe, proves it.`
  }
}

/** A forwarding or peering zone as a route; `peerHasZone` says whether the peered network has a private zone for every host the zone covers. */
function zoneRoute(zone: ManagedZone, peerHasZone: (peerPath: string, domain: string) => boolean): DnsRoute | undefined {
  const targets = zone.forwardingConfig?.targetNameServers ?? []
  if (targets.length) {
    return {
      setting: `forwarding zone ${zone.name} (${zone.dnsName})`,
      domain: zone.dnsName,
      precedence: 0,
      effect: 'bypasses',
      evidence: `forwards ${zone.dnsName} to ${targets.map(address).join(', ')}`,
      fix: `Delete forwarding zone ${zone.name} or narrow it so it does not cover the private-link host, or unbind it from the network (a private zone for the host, more specific, would win).`
    }
  }
  const peer = zone.peeringConfig?.targetNetwork?.networkUrl
  if (peer) {
    // The peered network answers: it has our zone only if our zone is bound to it as well.
    const reaches = peerHasZone(resourcePath(peer), zone.dnsName)
    return {
      setting: `peering zone ${zone.name} (${zone.dnsName})`,
      domain: zone.dnsName,
      precedence: 0,
      effect: reaches ? 'reaches' : 'bypasses',
      evidence: `resolves ${zone.dnsName} in network ${lastSegment(peer)}${reaches ? ', to which the private zone is bound too' : ''}`,
      fix: `Bind the private zone to network ${lastSegment(peer)} too, or delete peering zone ${zone.name} or narrow it so it does not cover the private-link host.`
    }
  }
  return undefined
}

/** The view of one network, for the private-link hosts (peering zones are judged against their zones). */
export async function readGcpDnsView(dns: DnsApi, networkPath: string, hosts: string[]): Promise<NetworkDnsView> {
  const [policies, zones] = await Promise.all([dns.listPolicies(), dns.listZones()])
  const network = lastSegment(networkPath)
  const alternatives = policies
    .filter((p) => boundTo(p.networks, networkPath) && (p.alternativeNameServerConfig?.targetNameServers ?? []).length)
    .map((p) => alternativeServers(p.name, p.alternativeNameServerConfig?.targetNameServers ?? []))
  const gates: DnsSetting[] = alternatives.length ? alternatives : [{ setting: 'DNS server policies', effect: 'reaches', evidence: 'no alternative name servers' }]
  // A peered network answers a host from a plain private zone of the host bound to it, if there is one.
  const plainZoneBound = (host: string, peerPath: string) =>
    zones.some((z) => z.dnsName === fqdn(host) && !z.forwardingConfig && !z.peeringConfig && boundTo(z.privateVisibilityConfig?.networks, peerPath))
  const peerHasZone = (peerPath: string, domain: string) => hosts.filter((h) => covers(domain, h)).every((h) => plainZoneBound(h, peerPath))
  const routes = zones
    .filter((z) => z.visibility === 'private' && boundTo(z.privateVisibilityConfig?.networks, networkPath))
    .map((z) => zoneRoute(z, peerHasZone))
    .filter((r): r is DnsRoute => Boolean(r))
  return {
    network,
    source: `analysis of ${network}: Cloud DNS server policies, forwarding and peering zones`,
    gates,
    routes,
    zonePrecedence: 0
  }
}
