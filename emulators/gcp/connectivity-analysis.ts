// The reachability analysis of a Connectivity Test from an address in a VPC network to a PSC endpoint,
// computed from the Compute emulator's state the way Google documents the path
// (cloud.google.com/network-intelligence-center/docs/connectivity-tests/concepts/overview):
//   start in the network → egress firewall (hierarchical policies, VPC rules, network policies, the implied
//   allow-egress rule; the networks here enforce AFTER_CLASSIC_FIREWALL) → the subnet route to the
//   destination → the PSC forwarding rule → delivered to the published service, or dropped on the way.
// A bare address has no instance, so only rules aimed at every instance of the network apply to it.
// With a Shared VPC the network, its routes and firewall rules are the host project's, and the PSC
// forwarding rule may be a service project's: the trace crosses projects as Google's does.
import { ipToNumber, pathOf, type ComputeState, type FirewallRecord, type FirewallPolicyRecord } from './compute-model.js'

export interface TestEndpoint {
  ipAddress?: string
  network?: string
  projectId?: string
  networkType?: string
  forwardingRule?: string
  port?: number
}

type Step = Record<string, unknown>

function inCidr(ip: string, cidr: string): boolean {
  const [base = '0.0.0.0', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = Math.floor(ipToNumber(base) / size) * size
  const n = ipToNumber(ip)
  return n >= start && n < start + size
}

function portMatches(entries: { IPProtocol?: string; ipProtocol?: string; ports?: string[] }[], protocol: string, port: number | undefined): boolean {
  return entries.some((e) => {
    const p = (e.IPProtocol ?? e.ipProtocol ?? '').toLowerCase()
    if (p !== 'all' && p !== protocol.toLowerCase()) return false
    if (!e.ports?.length || port === undefined) return true
    return e.ports.some((range) => {
      const [from = '0', to = from] = range.split('-')
      return port >= Number(from) && port <= Number(to)
    })
  })
}

interface Verdict {
  action: 'ALLOW' | 'DENY'
  info: Record<string, unknown>
  resourceUri?: string
}

function policyVerdict(state: ComputeState, policies: FirewallPolicyRecord[], dest: string, protocol: string, port: number | undefined): Verdict | undefined {
  for (const policy of policies) {
    const rules = policy.rules.filter((r) => r.direction === 'EGRESS' && !r.disabled).sort((a, b) => a.priority - b.priority)
    for (const rule of rules) {
      const ranges = rule.match.destIpRanges?.length ? rule.match.destIpRanges : ['0.0.0.0/0']
      if (!ranges.some((c) => inCidr(dest, c)) || !portMatches(rule.match.layer4Configs, protocol, port)) continue
      if (rule.action === 'goto_next') break
      const policyUri = policy.type === 'HIERARCHY' ? `locations/global/firewallPolicies/${policy.name}` : `projects/${state.project}/global/firewallPolicies/${policy.name}`
      return {
        action: rule.action === 'deny' ? 'DENY' : 'ALLOW',
        resourceUri: policyUri,
        info: {
          ...(rule.ruleName ? { displayName: rule.ruleName } : {}),
          direction: 'EGRESS',
          action: rule.action === 'deny' ? 'DENY' : 'ALLOW',
          priority: rule.priority,
          policy: policy.shortName ?? policy.name,
          policyUri,
          firewallRuleType: policy.type === 'HIERARCHY' ? 'HIERARCHICAL_FIREWALL_POLICY_RULE' : 'NETWORK_FIREWALL_POLICY_RULE'
        }
      }
    }
  }
  return undefined
}

function vpcVerdict(state: ComputeState, network: string, dest: string, protocol: string, port: number | undefined): Verdict | undefined {
  const applies = (f: FirewallRecord) =>
    f.network === network &&
    f.direction === 'EGRESS' &&
    !f.disabled &&
    !f.targetTags.length &&
    !f.targetServiceAccounts.length &&
    (f.destinationRanges.length ? f.destinationRanges : ['0.0.0.0/0']).some((c) => inCidr(dest, c)) &&
    portMatches(f.denied.length ? f.denied : f.allowed, protocol, port)
  // The lowest priority number wins; at the same priority a deny wins over an allow.
  const [first] = [...state.firewalls.values()].filter(applies).sort((a, b) => a.priority - b.priority || b.denied.length - a.denied.length)
  if (!first) return undefined
  const action = first.denied.length ? 'DENY' : 'ALLOW'
  const uri = `projects/${state.project}/global/firewalls/${first.name}`
  return {
    action,
    resourceUri: uri,
    info: { displayName: first.name, uri, direction: 'EGRESS', action, priority: first.priority, networkUri: `projects/${state.project}/global/networks/${network}`, firewallRuleType: 'VPC_FIREWALL_RULE' }
  }
}

const IMPLIED_ALLOW_EGRESS: Verdict = {
  action: 'ALLOW',
  info: { displayName: 'default-allow-egress', direction: 'EGRESS', action: 'ALLOW', priority: 65535, firewallRuleType: 'IMPLIED_VPC_FIREWALL_RULE' }
}

const aborted = (cause: string, description: string, extra: Record<string, unknown> = {}) => ({
  result: 'UNDETERMINED',
  traces: [{ steps: [{ description, state: 'ABORT', causesDrop: false, abort: { cause, ...extra } }] }]
})

/** The projects a trace may cross: each project's Compute state. */
export interface ComputeProjects {
  compute(project: string): ComputeState | undefined
  readonly projects: ComputeState[]
}

/** ReachabilityDetails (without verifyTime) for a TCP test from an address in a network to a PSC endpoint. */
export function analyseConnectivity(org: ComputeProjects, test: { source: TestEndpoint; destination: TestEndpoint; protocol: string }): Record<string, unknown> {
  const { source, destination, protocol } = test
  const network = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(pathOf(source.network ?? ''))
  const state = network ? org.compute(network[1] ?? '') : undefined
  if (!network || !state || !state.networks.has(network[2] ?? '')) {
    return aborted('UNKNOWN_NETWORK', 'Aborted because no valid source network was found.', source.network ? { resourceUri: pathOf(source.network) } : {})
  }
  const networkName = network[2] ?? ''
  const networkUri = `projects/${state.project}/global/networks/${networkName}`
  const srcIp = source.ipAddress ?? ''
  const subnets = [...state.subnetworks.values()].filter((s) => s.network === networkName)
  if (!srcIp || !subnets.some((s) => inCidr(srcIp, s.ipCidrRange))) {
    return aborted('SOURCE_IP_ADDRESS_NOT_IN_SOURCE_NETWORK', `Aborted because the source IP address ${srcIp} is not in the source network.`, { ipAddress: srcIp })
  }
  const destIp = destination.ipAddress ?? ''
  const port = destination.port
  const endpointInfo = { sourceIp: srcIp, destinationIp: destIp, protocol, ...(port !== undefined ? { destinationPort: port } : {}), sourceNetworkUri: networkUri }
  const steps: Step[] = [{ description: 'Initial state: packet originating from a VPC network.', state: 'START_FROM_PRIVATE_NETWORK', causesDrop: false, projectId: state.project, network: { displayName: networkName, uri: networkUri } }]
  const drop = (cause: string, description: string, resourceUri?: string) => {
    steps.push({ description, state: 'DROP', causesDrop: true, projectId: state.project, drop: { cause, ...(resourceUri ? { resourceUri } : {}), sourceIp: srcIp, destinationIp: destIp } })
    return { result: 'UNREACHABLE', traces: [{ endpointInfo, steps, forwardTraceId: 1 }] }
  }

  const hierarchical = state.firewallPolicies.filter((p) => p.type === 'HIERARCHY')
  const networkPolicies = state.firewallPolicies.filter((p) => p.type === 'NETWORK')
  const verdict =
    policyVerdict(state, hierarchical, destIp, protocol, port) ??
    vpcVerdict(state, networkName, destIp, protocol, port) ??
    policyVerdict(state, networkPolicies, destIp, protocol, port) ??
    IMPLIED_ALLOW_EGRESS
  const denied = verdict.action === 'DENY'
  steps.push({ description: `Config checking state: verify EGRESS firewall rule.`, state: 'APPLY_EGRESS_FIREWALL_RULE', causesDrop: denied, projectId: state.project, firewall: verdict.info })
  if (denied) return drop('FIREWALL_RULE', 'Final state: packet dropped due to firewall rule.', verdict.resourceUri)

  const subnet = subnets.find((s) => inCidr(destIp, s.ipCidrRange))
  if (!subnet) return drop('NO_ROUTE', 'Final state: packet dropped due to no matching routes.')
  steps.push({
    description: 'Config checking state: verify route.',
    state: 'APPLY_ROUTE',
    causesDrop: false,
    projectId: state.project,
    route: { routeType: 'SUBNET', nextHopType: 'NEXT_HOP_NETWORK', destIpRange: subnet.ipCidrRange, networkUri, displayName: subnet.name, region: subnet.region }
  })

  // The endpoint's forwarding rule, in the network's project or in a service project using the network.
  const owner = org.projects.find((p) => [...p.forwardingRules.values()].some((r) => r.IPAddress === destIp && r.network === networkName && r.networkProject === state.project))
  const rule = owner && [...owner.forwardingRules.values()].find((r) => r.IPAddress === destIp && r.network === networkName && r.networkProject === state.project)
  if (!owner || !rule) return drop('UNKNOWN_INTERNAL_ADDRESS', 'Final state: packet dropped because the destination IP address is not in use in the network.')
  const ruleUri = `projects/${owner.project}/regions/${rule.region}/forwardingRules/${rule.name}`
  steps.push({
    description: 'Config checking state: verify forwarding rule.',
    state: 'APPLY_FORWARDING_RULE',
    causesDrop: rule.acceptedAt === undefined,
    projectId: owner.project,
    forwardingRule: { displayName: rule.name, uri: ruleUri, vip: rule.IPAddress, networkUri, region: rule.region, pscServiceAttachmentUri: pathOf(rule.target), target: 'PSC_PUBLISHED_SERVICE' }
  })
  if (rule.acceptedAt === undefined) return drop('PSC_CONNECTION_NOT_ACCEPTED', 'Final state: packet dropped because the Private Service Connect endpoint is not accepted by the service.', ruleUri)
  steps.push({ description: 'Final state: packet delivered to a PSC published service.', state: 'DELIVER', causesDrop: false, projectId: state.project, deliver: { target: 'PSC_PUBLISHED_SERVICE', ipAddress: destIp, resourceUri: pathOf(rule.target) } })
  return { result: 'REACHABLE', traces: [{ endpointInfo, steps, forwardTraceId: 1 }] }
}
