// The state of one emulated Compute project (emulators/gcp/organization.ts holds them all): networks and subnetworks from a seed; addresses, PSC
// forwarding rules and firewall rules created through the API; the service attachments that exist.
// Records keep names; the wire shapes (selfLinks, int64 ids as strings) are made by the view functions.

export const COMPUTE_LINK_BASE = 'https://www.googleapis.com/compute/v1'

export interface NetworkRecord {
  name: string
  id: string
}

export interface SubnetworkRecord {
  name: string
  id: string
  region: string
  network: string
  ipCidrRange: string
  secondaryIpRanges: { rangeName: string; ipCidrRange: string }[]
}

export interface AddressRecord {
  name: string
  id: string
  region: string
  address: string
  addressType: 'INTERNAL'
  purpose: string
  subnetwork: string
  /** The subnetwork's project: a Shared VPC host project, or the address's own */
  subnetworkProject: string
  description: string
  labels: Record<string, string>
  /** Forwarding rule names using it */
  users: string[]
  creationTimestamp: string
}

export interface ForwardingRuleRecord {
  name: string
  id: string
  region: string
  IPAddress: string
  /** The address resource it uses, when given by reference */
  addressName?: string
  /** Path of the service attachment */
  target: string
  network: string
  /** The network's project: a Shared VPC host project, or the rule's own */
  networkProject: string
  loadBalancingScheme: string
  allowPscGlobalAccess: boolean
  pscConnectionId: string
  /** Epoch ms when the service attachment accepted it; PENDING before */
  acceptedAt?: number
  description: string
  labels: Record<string, string>
  creationTimestamp: string
}

export interface FirewallRecord {
  name: string
  id: string
  network: string
  direction: 'INGRESS' | 'EGRESS'
  priority: number
  sourceRanges: string[]
  destinationRanges: string[]
  allowed: { IPProtocol: string; ports?: string[] }[]
  denied: { IPProtocol: string; ports?: string[] }[]
  targetTags: string[]
  targetServiceAccounts: string[]
  disabled: boolean
  description: string
  creationTimestamp: string
}

/** A hierarchical or network firewall policy in force on a network, as getEffectiveFirewalls shows it. */
export interface FirewallPolicyRecord {
  name: string
  shortName?: string
  type: 'HIERARCHY' | 'NETWORK'
  rules: {
    priority: number
    action: 'allow' | 'deny' | 'goto_next'
    direction: 'INGRESS' | 'EGRESS'
    ruleName?: string
    disabled?: boolean
    match: { destIpRanges?: string[]; srcIpRanges?: string[]; layer4Configs: { ipProtocol: string; ports?: string[] }[] }
  }[]
}

export interface ComputeTopology {
  project: string
  networks: { name: string }[]
  subnetworks: Omit<SubnetworkRecord, 'id'>[]
  /** Paths of service attachments, projects/<producer>/regions/<r>/serviceAttachments/<n> */
  serviceAttachments: string[]
}

/** Ids are int64 on the wire, sent as JSON strings; these repeat from run to run. */
export class IdSequence {
  private next = 4_300_000_000_000_000_000n
  take(): string {
    this.next += 7_919n
    return this.next.toString()
  }
}

export class ComputeState {
  readonly project: string
  readonly ids = new IdSequence()
  readonly networks = new Map<string, NetworkRecord>()
  /** Keyed by `${region}/${name}`, as are addresses and forwarding rules */
  readonly subnetworks = new Map<string, SubnetworkRecord>()
  readonly addresses = new Map<string, AddressRecord>()
  readonly forwardingRules = new Map<string, ForwardingRuleRecord>()
  readonly firewalls = new Map<string, FirewallRecord>()
  /** Firewall policies associated with the networks (tests add them; the action never writes them) */
  readonly firewallPolicies: FirewallPolicyRecord[] = []
  readonly serviceAttachments = new Set<string>()

  constructor(topology: ComputeTopology) {
    this.project = topology.project
    for (const n of topology.networks) this.networks.set(n.name, { name: n.name, id: this.ids.take() })
    for (const s of topology.subnetworks) this.subnetworks.set(`${s.region}/${s.name}`, { ...s, id: this.ids.take() })
    for (const a of topology.serviceAttachments) this.serviceAttachments.add(a)
  }

  link(path: string): string {
    return `${COMPUTE_LINK_BASE}/projects/${this.project}/${path}`
  }

  networkLink(name: string): string {
    return this.link(`global/networks/${name}`)
  }
}

/** Path from 'projects/' of a URL or path, so references by full URL and by path compare equal. */
export function pathOf(reference: string): string {
  const at = reference.indexOf('projects/')
  return at >= 0 ? reference.slice(at) : reference
}

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** Usable hosts of a subnet range: Google reserves the first two and the last two addresses. */
export function usableHosts(cidr: string): { first: number; last: number } {
  const [network = '0.0.0.0', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = ipToNumber(network)
  return { first: start + 2, last: start + size - 3 }
}

export function inRange(ip: string, cidr: string): boolean {
  const { first, last } = usableHosts(cidr)
  const n = ipToNumber(ip)
  return n >= first && n <= last
}
