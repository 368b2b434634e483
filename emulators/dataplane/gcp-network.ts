// What a client in an emulated Google Cloud VPC network meets: its resolver answers from the Cloud DNS
// private zones bound to the network (the most specific zone containing the name; no public DNS in
// the emulated world), and its egress firewall rules decide which connections leave the network.
import type { CloudDnsEmulator } from '../gcp/cloud-dns.js'
import { inRange, pathOf, type ComputeState, type FirewallRecord } from '../gcp/compute-model.js'
import type { DnsAnswer } from './dns-server.js'

export interface GcpNetworkWorld {
  compute: { state: ComputeState }
  dns: CloudDnsEmulator
}

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`

export function gcpNetworkResolver(gcp: GcpNetworkWorld, network: string): (name: string) => DnsAnswer {
  const networkPath = pathOf(gcp.compute.state.networkLink(network))
  return (name) => {
    const wanted = fqdn(name)
    const zone = [...gcp.dns.zones.values()]
      .filter((z) => z.visibility === 'private' && z.networks.some((url) => pathOf(url) === networkPath))
      .filter((z) => wanted === z.dnsName || wanted.endsWith(`.${z.dnsName}`))
      .sort((a, b) => b.dnsName.length - a.dnsName.length)[0]
    if (!zone) return undefined
    const record = zone.records.find((r) => r.name === wanted && r.type === 'A')
    if (record) return record.rrdatas
    return wanted === zone.dnsName ? [] : undefined
  }
}

/** A network as its name, whether the record holds the name, a path or a URL. */
export const networkName = (reference: string) => reference.split('/').at(-1) ?? reference

const portMatches = (rule: { IPProtocol: string; ports?: string[] }, port: number) =>
  (rule.IPProtocol === 'tcp' || rule.IPProtocol === 'all') &&
  (!rule.ports?.length || rule.ports.some((p) => (p.includes('-') ? Number(p.split('-')[0]) <= port && port <= Number(p.split('-')[1]) : Number(p) === port)))

/**
 * Whether the VPC firewall rules let a connection out of the network to ip:port (VPC rules only; firewall
 * policies are not modelled here): the matching EGRESS rule of the lowest priority number decides, a deny
 * before an allow of the same priority; none matching, the implied allow-egress rule admits it.
 */
export function egressAllowed(state: ComputeState, network: string, serviceAccount: string | undefined, ip: string, port: number): boolean {
  const applies = (f: FirewallRecord) =>
    !f.disabled &&
    f.direction === 'EGRESS' &&
    networkName(f.network) === network &&
    (f.destinationRanges.length ? f.destinationRanges : ['0.0.0.0/0']).some((cidr) => inRange(ip, cidr)) &&
    !f.targetTags.length &&
    (!f.targetServiceAccounts.length || (serviceAccount !== undefined && f.targetServiceAccounts.includes(serviceAccount)))
  const deciding = [...state.firewalls.values()]
    .filter(applies)
    .map((f) => ({ priority: f.priority, deny: f.denied.some((d) => portMatches(d, port)), allow: f.allowed.some((a) => portMatches(a, port)) }))
    .filter((f) => f.deny || f.allow)
    .sort((a, b) => a.priority - b.priority || Number(b.deny) - Number(a.deny))[0]
  return deciding ? !deciding.deny : true
}
