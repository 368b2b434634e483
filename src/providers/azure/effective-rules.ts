// What Azure does with a TCP flow from the client subnet to the private endpoint's IP, computed from the
// configuration as Azure documents it (no VM needed):
// - network security groups: rules in priority order (lower number first), the first that matches the flow
//   decides; the default rules (AllowVnetInBound/OutBound 65000, …, DenyAllInBound/OutBound 65500) end every
//   group. learn.microsoft.com/azure/virtual-network/network-security-groups-overview
// - service tags: VirtualNetwork is the network's address space, the connected peerings' spaces (where the
//   peering allows virtual network access) and the user-defined routes' prefixes, plus on-premises ranges
//   behind a gateway, which the configuration does not show (service-tags-overview).
// - routes: the longest prefix wins; on a tie a user-defined route beats a system route. A private endpoint
//   adds a /32 system route to its network and peered networks; a user-defined route overrides it only when
//   the endpoint's subnet enables network policies for route tables and the route's prefix is at least as
//   long as the endpoint network's address space (private-link/disable-private-endpoint-network-policy).
// The client subnet is a range of addresses: a rule that matches only part of it decides for that part.
import { cidrSpan, ipToNumber, numberToIp } from '../../base/ip.js'
import type { SecurityRuleProperties } from './network-api.js'

export type Span = [number, number]

/** An address set: the spans it certainly holds, and those it may hold (with why that cannot be known). */
interface AddressSet {
  spans: Span[]
  maybe: Span[]
  why?: string
}

const ALL: Span = [0, 2 ** 32 - 1]

function subtract(spans: Span[], cut: Span[]): Span[] {
  let out = spans
  for (const [c0, c1] of cut) {
    out = out.flatMap(([a, b]): Span[] => {
      if (c1 < a || b < c0) return [[a, b]]
      return [...(a < c0 ? [[a, c0 - 1] as Span] : []), ...(c1 < b ? [[c1 + 1, b] as Span] : [])]
    })
  }
  return out
}

function intersect(spans: Span[], other: Span[]): Span[] {
  return spans.flatMap(([a, b]) => other.filter(([c, d]) => c <= b && a <= d).map(([c, d]): Span => [Math.max(a, c), Math.min(b, d)]))
}

export function spanWords(spans: Span[]): string {
  return spans.map(([a, b]) => (a === b ? numberToIp(a) : `${numberToIp(a)}-${numberToIp(b)}`)).join(', ')
}

/** What the service tags stand for on one side of the flow (the network whose security group it is). */
export interface TagContext {
  /** VirtualNetwork: the network's spaces, connected peerings' spaces, user-defined route prefixes */
  virtualNetwork: string[]
}

const LITERAL = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/

/** The addresses one prefix of a rule stands for: a CIDR, an address, *, or a service tag. */
function prefixSet(prefix: string, tags: TagContext): AddressSet {
  const p = prefix.trim()
  if (p === '*' || p.toLowerCase() === 'any') return { spans: [ALL], maybe: [] }
  if (LITERAL.test(p)) return { spans: [cidrSpan(p)], maybe: [] }
  const network = tags.virtualNetwork.map(cidrSpan)
  const outside = subtract([ALL], network)
  switch (p.toLowerCase()) {
    case 'virtualnetwork':
      return { spans: network, maybe: outside, why: 'the VirtualNetwork tag also holds on-premises ranges behind a gateway, which the configuration does not show' }
    case 'azureloadbalancer':
      return { spans: [cidrSpan('168.63.129.16')], maybe: [] }
    case 'internet':
      // The addresses outside the VirtualNetwork tag: never the network's own.
      return { spans: [], maybe: outside, why: 'the Internet tag holds what is outside the VirtualNetwork tag, whose on-premises part is not shown' }
    default:
      return { spans: [], maybe: [ALL], why: `service tag ${p} stands for Azure's published ranges, which the action does not read` }
  }
}

const ASGS: AddressSet = { spans: [], maybe: [ALL], why: 'application security groups, whose members the action does not read' }

function union(prefixes: string[], tags: TagContext): AddressSet {
  const sets = prefixes.map((p) => prefixSet(p, tags))
  const why = [...new Set(sets.map((s) => s.why).filter(Boolean))].join('; ')
  return { spans: sets.flatMap((s) => s.spans), maybe: sets.flatMap((s) => s.maybe), ...(why ? { why } : {}) }
}

const within = (spans: Span[], n: number) => spans.some(([a, b]) => a <= n && n <= b)

/** A security rule's fields as the flow reads them: ARM's SecurityRule with its properties beside its name. */
export interface SecurityRuleView extends SecurityRuleProperties {
  name?: string
}

/** Azure's default rules, the same in every group (network-security-groups-overview, "Default security rules"). */
export const DEFAULT_SECURITY_RULES: SecurityRuleView[] = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'AzureLoadBalancer', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }
]

const listOf = (one: string | undefined, many: string[] | undefined) => [...(many ?? []), ...(one ? [one] : [])]

function portMatches(ranges: string[], port: number): boolean {
  return ranges.some((r) => {
    if (r === '*') return true
    const [from = '', to = from] = r.split('-')
    return Number(from) <= port && port <= Number(to)
  })
}

/** One flow through one group, in one direction: from the client addresses to the endpoint's IP and port. */
export interface Flow {
  direction: 'Inbound' | 'Outbound'
  sources: Span[]
  destination: string
  port: number
}

export interface RuleDecision {
  rule: SecurityRuleView
  spans: Span[]
}

export interface GroupOutcome {
  /** Parts of the client range a Deny rule drops, with the rule */
  denied: RuleDecision[]
  /** Parts an Allow rule admits */
  allowed: RuleDecision[]
  /** Rules that may match (application security groups, unread tags, source ports) and would change the outcome */
  undecided: { rule: SecurityRuleView; why: string }[]
}

export function ruleWords(rule: SecurityRuleView): string {
  const ports = listOf(rule.destinationPortRange, rule.destinationPortRanges).join(',') || '*'
  const to = listOf(rule.destinationAddressPrefix, rule.destinationAddressPrefixes).join(',') || (rule.destinationApplicationSecurityGroups?.length ? 'application security groups' : '*')
  const from = listOf(rule.sourceAddressPrefix, rule.sourceAddressPrefixes).join(',') || (rule.sourceApplicationSecurityGroups?.length ? 'application security groups' : '*')
  return `${rule.name ?? '?'} (priority ${rule.priority ?? '?'}, ${rule.access ?? '?'} ${rule.protocol ?? '*'} ${from} to ${to} ports ${ports})`
}

/**
 * The rules of one group applied to a flow, lowest priority number first. A rule whose match cannot be
 * known is set aside and the evaluation goes on as if it did not match; it is reported only if matching
 * would have changed the outcome for the addresses it may cover.
 */
export function evaluateGroup(rules: SecurityRuleView[], flow: Flow, tags: TagContext): GroupOutcome {
  const ordered = rules.filter((r) => r.direction === flow.direction).sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))
  const destination = ipToNumber(flow.destination)
  let remaining = flow.sources
  const outcome: GroupOutcome = { denied: [], allowed: [], undecided: [] }
  const setAside: { rule: SecurityRuleView; spans: Span[]; why: string }[] = []
  for (const rule of ordered) {
    if (!remaining.length) break
    const protocol = (rule.protocol ?? '*').toLowerCase()
    if (protocol !== '*' && protocol !== 'tcp') continue
    if (!portMatches(listOf(rule.destinationPortRange, rule.destinationPortRanges), flow.port)) continue
    const doubts: string[] = []
    const sourcePorts = listOf(rule.sourcePortRange, rule.sourcePortRanges)
    if (!sourcePorts.includes('*')) doubts.push(`it matches only source ports ${sourcePorts.join(',')}, and a client's source port is ephemeral`)
    const to = rule.destinationApplicationSecurityGroups?.length ? ASGS : union(listOf(rule.destinationAddressPrefix, rule.destinationAddressPrefixes), tags)
    if (!within(to.spans, destination)) {
      if (!within(to.maybe, destination)) continue
      doubts.push(`its destination may hold ${flow.destination}: ${to.why ?? ''}`)
    }
    const from = rule.sourceApplicationSecurityGroups?.length ? ASGS : union(listOf(rule.sourceAddressPrefix, rule.sourceAddressPrefixes), tags)
    const certain = intersect(remaining, from.spans)
    const maybe = subtract(intersect(remaining, from.maybe), certain)
    if (doubts.length) {
      const spans = [...certain, ...maybe]
      if (spans.length) setAside.push({ rule, spans, why: doubts.join('; ') })
      continue
    }
    if (maybe.length) setAside.push({ rule, spans: maybe, why: `its source may hold ${spanWords(maybe)}: ${from.why ?? ''}` })
    if (!certain.length) continue
    ;(rule.access === 'Deny' ? outcome.denied : outcome.allowed).push({ rule, spans: certain })
    remaining = subtract(remaining, certain)
  }
  // An uncertain rule matters where the rule that decided those addresses has the other access.
  for (const aside of setAside) {
    const other = aside.rule.access === 'Deny' ? outcome.allowed : outcome.denied
    if (other.some((d) => intersect(d.spans, aside.spans).length)) outcome.undecided.push({ rule: aside.rule, why: aside.why })
  }
  return outcome
}

// Routes -------------------------------------------------------------------------------------------------

export interface RouteView {
  name?: string
  addressPrefix?: string
  nextHopType?: string
  nextHopIpAddress?: string
}

export interface RouteChoice {
  /** Where the packet goes, as the chosen route says */
  nextHopType: string
  /** 'user': a route of the client subnet's route table; 'system': Azure's own */
  origin: 'user' | 'system'
  prefix: string
  route?: RouteView
  /** Why a system route was chosen or a user route was not, for the evidence */
  note: string
}

export interface RouteInput {
  destination: string
  /** Routes of the client subnet's route table */
  userRoutes: RouteView[]
  /** Address spaces of the client's network */
  localSpaces: string[]
  /** Address spaces of networks peered with the client's (connected peerings) */
  peeredSpaces: string[]
  /** The endpoint's network is the client's or peered with it: its /32 route is in the client subnet's table */
  endpointRouteVisible: boolean
  /** privateEndpointNetworkPolicies of the endpoint's subnet enables route tables (Enabled, RouteTableEnabled) */
  routePoliciesOnEndpointSubnet: boolean
  /** The prefix length of the endpoint network's address space that holds the endpoint's IP */
  endpointSpaceLength: number
}

// Default system routes (virtual-networks-udr-overview, "Default"): private ranges outside the network go nowhere.
const DEFAULT_NONE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']
const lengthOf = (prefix: string) => Number(prefix.split('/')[1] ?? 32)

/** The route the client subnet uses for the endpoint's IP. */
export function chooseRoute(input: RouteInput): RouteChoice {
  const ip = ipToNumber(input.destination)
  const covers = (prefix: string) => {
    const [a, b] = cidrSpan(prefix)
    return a <= ip && ip <= b
  }
  type Candidate = { prefix: string; nextHopType: string; origin: 'user' | 'system'; route?: RouteView; endpoint?: boolean }
  const candidates: Candidate[] = [
    ...input.userRoutes.filter((r) => r.addressPrefix && LITERAL.test(r.addressPrefix) && covers(r.addressPrefix)).map((r): Candidate => ({ prefix: r.addressPrefix as string, nextHopType: r.nextHopType ?? '?', origin: 'user', route: r })),
    ...input.localSpaces.filter(covers).map((prefix): Candidate => ({ prefix, nextHopType: 'VnetLocal', origin: 'system' })),
    ...input.peeredSpaces.filter(covers).map((prefix): Candidate => ({ prefix, nextHopType: 'VNetPeering', origin: 'system' })),
    ...DEFAULT_NONE.filter(covers).map((prefix): Candidate => ({ prefix, nextHopType: 'None', origin: 'system' })),
    { prefix: '0.0.0.0/0', nextHopType: 'Internet', origin: 'system' }
  ]
  let note = ''
  if (input.endpointRouteVisible) {
    const overriding = input.userRoutes.filter((r) => r.addressPrefix && covers(r.addressPrefix) && lengthOf(r.addressPrefix) >= input.endpointSpaceLength && lengthOf(r.addressPrefix) < 32)
    if (input.routePoliciesOnEndpointSubnet && overriding.length) {
      note = `the endpoint's /32 route is overridden by ${overriding.map((r) => r.name).join(', ')} (network policies for route tables are enabled on the endpoint's subnet)`
    } else {
      candidates.push({ prefix: `${input.destination}/32`, nextHopType: 'InterfaceEndpoint', origin: 'system', endpoint: true })
      const broader = input.userRoutes.filter((r) => r.addressPrefix && covers(r.addressPrefix) && lengthOf(r.addressPrefix) < 32)
      if (broader.length)
        note = input.routePoliciesOnEndpointSubnet
          ? `the endpoint's /32 route beats ${broader.map((r) => `${r.name} (${r.addressPrefix})`).join(', ')}, whose prefix is shorter than the endpoint network's /${input.endpointSpaceLength}`
          : `the endpoint's /32 route beats ${broader.map((r) => `${r.name} (${r.addressPrefix})`).join(', ')}, as the endpoint's subnet does not enable network policies for route tables`
    }
  }
  // Longest prefix first; on a tie the user-defined route wins.
  candidates.sort((a, b) => lengthOf(b.prefix) - lengthOf(a.prefix) || (a.origin === b.origin ? 0 : a.origin === 'user' ? -1 : 1))
  const best = candidates[0] as Candidate
  return { nextHopType: best.nextHopType, origin: best.origin, prefix: best.prefix, ...(best.route ? { route: best.route } : {}), note }
}
