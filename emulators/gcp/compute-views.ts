// Compute resources as they appear on the wire: kind, int64 ids as strings, full selfLinks on
// www.googleapis.com, references as links, and PSC connection status derived from Zilliz's acceptance.
import { createHash } from 'node:crypto'
import {
  COMPUTE_LINK_BASE,
  type AddressRecord,
  type ComputeState,
  type FirewallRecord,
  type ForwardingRuleRecord,
  type NetworkRecord,
  type SubnetworkRecord
} from './compute-model.js'

const CREATED = '2026-01-15T08:00:00.000-08:00'

/** Base64 of a hash of the fields it guards: changes whenever they change, as Compute's fingerprints do. */
export const fingerprint = (seed: string) => createHash('sha256').update(seed).digest('base64').slice(0, 12)

export const labelFingerprint = (labels: Record<string, string>) => fingerprint(JSON.stringify(Object.entries(labels).sort()))
export const ruleFingerprint = (r: ForwardingRuleRecord) => fingerprint(JSON.stringify([r.name, r.allowPscGlobalAccess, r.description, Object.entries(r.labels).sort()]))

export function networkView(state: ComputeState, n: NetworkRecord) {
  return {
    kind: 'compute#network',
    id: n.id,
    creationTimestamp: CREATED,
    name: n.name,
    selfLink: state.networkLink(n.name),
    autoCreateSubnetworks: false,
    subnetworks: [...state.subnetworks.values()].filter((s) => s.network === n.name).map((s) => state.link(`regions/${s.region}/subnetworks/${s.name}`)),
    routingConfig: { routingMode: 'REGIONAL' },
    networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL'
  }
}

export function subnetworkView(state: ComputeState, s: SubnetworkRecord) {
  return {
    kind: 'compute#subnetwork',
    id: s.id,
    creationTimestamp: CREATED,
    name: s.name,
    network: state.networkLink(s.network),
    ipCidrRange: s.ipCidrRange,
    region: state.link(`regions/${s.region}`),
    ...(s.secondaryIpRanges.length ? { secondaryIpRanges: s.secondaryIpRanges } : {}),
    selfLink: state.link(`regions/${s.region}/subnetworks/${s.name}`),
    privateIpGoogleAccess: false,
    purpose: 'PRIVATE',
    stackType: 'IPV4_ONLY',
    fingerprint: fingerprint(s.name)
  }
}

export function addressView(state: ComputeState, a: AddressRecord) {
  return {
    kind: 'compute#address',
    id: a.id,
    creationTimestamp: a.creationTimestamp,
    name: a.name,
    description: a.description,
    address: a.address,
    addressType: a.addressType,
    purpose: a.purpose,
    status: a.users.length ? 'IN_USE' : 'RESERVED',
    subnetwork: `${COMPUTE_LINK_BASE}/projects/${a.subnetworkProject}/regions/${a.region}/subnetworks/${a.subnetwork}`,
    region: state.link(`regions/${a.region}`),
    selfLink: state.link(`regions/${a.region}/addresses/${a.name}`),
    ...(a.users.length ? { users: a.users.map((u) => state.link(`regions/${a.region}/forwardingRules/${u}`)) } : {}),
    ...(Object.keys(a.labels).length ? { labels: a.labels } : {}),
    labelFingerprint: labelFingerprint(a.labels)
  }
}

export function pscStatus(rule: ForwardingRuleRecord, acceptanceDelayMs: number, now: number): 'PENDING' | 'ACCEPTED' {
  return rule.acceptedAt !== undefined && now - rule.acceptedAt >= acceptanceDelayMs ? 'ACCEPTED' : 'PENDING'
}

export function forwardingRuleView(state: ComputeState, r: ForwardingRuleRecord, status: string) {
  return {
    kind: 'compute#forwardingRule',
    id: r.id,
    creationTimestamp: r.creationTimestamp,
    name: r.name,
    description: r.description,
    region: state.link(`regions/${r.region}`),
    IPAddress: r.IPAddress,
    target: `${COMPUTE_LINK_BASE}/${r.target}`,
    selfLink: state.link(`regions/${r.region}/forwardingRules/${r.name}`),
    network: `${COMPUTE_LINK_BASE}/projects/${r.networkProject}/global/networks/${r.network}`,
    ...(r.loadBalancingScheme ? { loadBalancingScheme: r.loadBalancingScheme } : {}),
    pscConnectionId: r.pscConnectionId,
    pscConnectionStatus: status,
    allowPscGlobalAccess: r.allowPscGlobalAccess,
    fingerprint: ruleFingerprint(r),
    ...(Object.keys(r.labels).length ? { labels: r.labels } : {}),
    labelFingerprint: labelFingerprint(r.labels)
  }
}

export function firewallView(state: ComputeState, f: FirewallRecord) {
  return {
    kind: 'compute#firewall',
    id: f.id,
    creationTimestamp: f.creationTimestamp,
    name: f.name,
    description: f.description,
    network: state.networkLink(f.network),
    priority: f.priority,
    ...(f.sourceRanges.length ? { sourceRanges: f.sourceRanges } : {}),
    ...(f.destinationRanges.length ? { destinationRanges: f.destinationRanges } : {}),
    ...(f.allowed.length ? { allowed: f.allowed } : {}),
    ...(f.denied.length ? { denied: f.denied } : {}),
    ...(f.targetTags.length ? { targetTags: f.targetTags } : {}),
    ...(f.targetServiceAccounts.length ? { targetServiceAccounts: f.targetServiceAccounts } : {}),
    direction: f.direction,
    logConfig: { enable: false },
    disabled: f.disabled,
    selfLink: state.link(`global/firewalls/${f.name}`)
  }
}
