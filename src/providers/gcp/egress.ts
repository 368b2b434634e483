// Whether a client in the VPC network may send to the PSC endpoint on a link port. Google: "egress
// firewall rules must permit traffic to the endpoint's internal IP address" (Access published services
// through endpoints, cloud.google.com/vpc/docs/configure-private-service-connect-services); ingress rules
// apply to VM instances, never to an endpoint. The effective path follows "Firewall policy rule evaluation"
// (cloud.google.com/firewall/docs/firewall-policies-overview#rule-evaluation): hierarchical policies, then
// VPC firewall rules and the network firewall policy in the network's enforcement order, then the implied
// rules (egress: allow, priority 65535). Within VPC rules the lowest priority number wins and, at equal
// priority, deny beats allow (cloud.google.com/firewall/docs/firewalls#priority_order_for_firewall_rules).
//
// The clients are not known, so targets are read conservatively: a deny that targets some instances (tags,
// service accounts, secure tags) is taken to apply to a client, an allow that targets only some is not.
// "Allowed" therefore means allowed for every instance of the network.
import type { EffectivePolicy, Firewall, FirewallAllowed } from './compute-api.js'
import { resourcePath } from './names.js'
import { cidrContains, cidrOverlaps } from '../../base/ip.js'

export { cidrContains, cidrOverlaps }

export interface EgressInput {
  /** VPC firewall rules of any network; only those of networkPath count */
  firewalls: Firewall[]
  networkPath: string
  /** undefined: the firewall policies could not be read */
  policies: EffectivePolicy[] | undefined
  /** AFTER_CLASSIC_FIREWALL (the default) or BEFORE_CLASSIC_FIREWALL */
  enforcementOrder?: string
  /** The endpoint address, or the subnetwork range it will come from (then overlaps count) */
  destination: string
  /** Where clients send from: the allowed ranges */
  sources: string[]
  /** A rule to leave out, to ask whether the traffic would pass without it */
  without?: string
}

export interface EgressDecision {
  allowed: boolean
  /** 'firewall rule deny-all (priority 900)', 'firewall policy org-policy rule 10', 'the implied allow-egress rule' */
  by: string
  /** The VPC rule that decided, when one did */
  rule?: Firewall
  /** The decision came from a firewall policy, which this action never changes */
  policy?: boolean
}

function portMatches(specs: string[] | undefined, port: number): boolean {
  if (!specs?.length) return true
  return specs.some((spec) => {
    const [from = '0', to = from] = spec.split('-')
    return Number(from) <= port && port <= Number(to)
  })
}

const isTcp = (protocol: string | undefined) => ['tcp', '6', 'all'].includes((protocol ?? '').toLowerCase())

function entriesMatch(entries: FirewallAllowed[] | { ipProtocol?: string; ports?: string[] }[] | undefined, port: number): boolean {
  return (entries ?? []).some((e) => isTcp('IPProtocol' in e ? e.IPProtocol : e.ipProtocol) && portMatches(e.ports, port))
}

/**
 * Whether a rule's destination and source ranges cover the traffic. A deny counts when it may cover it
 * (overlap), an allow only when it covers all of it.
 */
function rangesMatch(destinations: string[] | undefined, sources: string[] | undefined, input: EgressInput, deny: boolean): boolean {
  const covers = (ranges: string[], what: string) => (deny ? ranges.some((r) => cidrOverlaps(r, what)) : ranges.some((r) => cidrContains(r, what)))
  const destinationOk = !destinations?.length || covers(destinations, input.destination)
  const sourceOk = !sources?.length || (deny ? input.sources.some((s) => covers(sources, s)) : input.sources.every((s) => covers(sources, s)))
  return destinationOk && sourceOk
}

function vpcRuleMatches(rule: Firewall, port: number, input: EgressInput): 'allow' | 'deny' | undefined {
  if ((rule.direction ?? 'INGRESS') !== 'EGRESS' || rule.disabled || rule.name === input.without) return undefined
  if (resourcePath(rule.network) !== input.networkPath) return undefined
  const deny = Boolean(rule.denied?.length)
  const targeted = Boolean(rule.targetTags?.length || rule.targetServiceAccounts?.length)
  if (!deny && targeted) return undefined
  if (!entriesMatch(deny ? rule.denied : rule.allowed, port)) return undefined
  return rangesMatch(rule.destinationRanges, rule.sourceRanges, input, deny) ? (deny ? 'deny' : 'allow') : undefined
}

const describeVpc = (rule: Firewall) =>
  `firewall rule ${rule.name} (priority ${rule.priority ?? 1000}${rule.targetTags?.length ? `, target tags ${rule.targetTags.join(', ')}` : ''}${rule.targetServiceAccounts?.length ? `, target service accounts ${rule.targetServiceAccounts.join(', ')}` : ''})`

function vpcDecision(port: number, input: EgressInput): EgressDecision | undefined {
  const matching = input.firewalls
    .map((rule) => ({ rule, verdict: vpcRuleMatches(rule, port, input) }))
    .filter((m): m is { rule: Firewall; verdict: 'allow' | 'deny' } => m.verdict !== undefined)
    .sort((a, b) => (a.rule.priority ?? 1000) - (b.rule.priority ?? 1000) || (a.verdict === 'deny' ? -1 : 0) - (b.verdict === 'deny' ? -1 : 0))
  const first = matching[0]
  return first ? { allowed: first.verdict === 'allow', by: describeVpc(first.rule), rule: first.rule } : undefined
}

/** The first terminal decision of one policy: allow, deny, or none (no match, or goto_next). */
function policyDecision(policy: EffectivePolicy, port: number, input: EgressInput): EgressDecision | undefined {
  const rules = [...(policy.rules ?? [])].filter((r) => r.direction === 'EGRESS' && !r.disabled).sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))
  for (const rule of rules) {
    const deny = rule.action === 'deny'
    const targeted = Boolean(rule.targetServiceAccounts?.length || rule.targetSecureTags?.length || rule.targetResources?.length)
    if (!deny && targeted) continue
    if (!entriesMatch(rule.match?.layer4Configs ?? [{ ipProtocol: 'all' }], port)) continue
    if (!rangesMatch(rule.match?.destIpRanges, rule.match?.srcIpRanges, input, deny)) continue
    if (rule.action === 'goto_next') return undefined
    const name = policy.shortName || policy.name || 'unnamed'
    return { allowed: !deny, by: `${(policy.type ?? '').toLowerCase() || 'firewall'} policy ${name} rule ${rule.ruleName || rule.priority}`, policy: true }
  }
  return undefined
}

/** The decision for one link port along the effective path. */
export function egressDecision(port: number, input: EgressInput): EgressDecision {
  const policies = input.policies ?? []
  const hierarchy = policies.filter((p) => p.type === 'HIERARCHY')
  const network = policies.filter((p) => p.type !== 'HIERARCHY')
  const stages: (() => EgressDecision | undefined)[] = [
    ...hierarchy.map((p) => () => policyDecision(p, port, input)),
    ...(input.enforcementOrder === 'BEFORE_CLASSIC_FIREWALL'
      ? [...network.map((p) => () => policyDecision(p, port, input)), () => vpcDecision(port, input)]
      : [() => vpcDecision(port, input), ...network.map((p) => () => policyDecision(p, port, input))])
  ]
  for (const stage of stages) {
    const decided = stage()
    if (decided) return decided
  }
  return { allowed: true, by: 'the implied allow-egress rule' }
}

/** Per link port; ports that are blocked first. */
export function egressDecisions(ports: number[], input: EgressInput): { port: number; decision: EgressDecision }[] {
  return ports.map((port) => ({ port, decision: egressDecision(port, input) }))
}
