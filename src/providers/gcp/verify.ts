// Control-plane checks for Google Cloud, read fresh after apply: the endpoint's address and connection,
// the firewall, and per cluster the zone binding and the record.
import { check, skipped, type Check } from '../../base/checks.js'
import { allInOrder, early } from '../../base/settle.js'
import type { DnsMode } from '../../config/types.js'
import { recordsLeftToDnsTeam } from '../../engine/dns-placement.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import type { ComputeApi } from './compute-api.js'
import { fqdn, type DnsApi } from './dns-api.js'
import { observeZone, recordHolds } from './dns.js'
import type { GcpNamedZone } from './dns-existing.js'
import { egressDecisions } from './egress.js'
import { readEgressView, type EgressView } from './firewall.js'
import { describeRule } from './forwarding-rule.js'
import { lastSegment, resourcePath } from './names.js'

export interface GcpVerifyInput {
  /** Compute in the endpoint's project */
  compute: ComputeApi
  /** Compute in the network's project, where the firewall rules are */
  firewalls: ComputeApi
  dns: DnsApi
  region: string
  networkPath: string
  /** The network's name, and where its firewall policy sits relative to the VPC rules */
  network: string
  enforcementOrder: string | undefined
  attachment: string
  endpointName: string | undefined
  cidrs: string[]
  zoneName(clusterId: string): string
  /** The zone this run made or found for the cluster, when known: its record is read beside the zone listing */
  knownZone(clusterId: string): string | undefined
  dnsMode: DnsMode
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, GcpNamedZone>
}

const notYet = (target: Target) => (target.mode === 'plan' ? 'not created yet; apply creates it' : 'missing')

function missingCheck(target: Target, id: string, title: string, evidence: string, fix: { cause: string; fix: string }): Check {
  return target.mode === 'plan' ? skipped(id, title, notYet(target)) : check(id, title, false, evidence, fix)
}

async function endpointChecks(target: Target, input: GcpVerifyInput): Promise<{ checks: Check[]; ip?: string }> {
  const { compute, region } = input
  const rule = input.endpointName ? await describeRule(compute, region, input.endpointName, target.config.zilliz.projectId) : undefined
  const title = 'PSC endpoint is ACCEPTED by the Zilliz service attachment'
  if (!rule) {
    return { checks: [missingCheck(target, 'psc-endpoint-accepted', title, 'no forwarding rule', { cause: 'The PSC endpoint was not created.', fix: 'Re-run in apply mode and read the failed step.' })] }
  }
  const pending = rule.status === 'PENDING'
  const checks = [
    check('psc-address', `Endpoint ${rule.name} has an internal address`, Boolean(rule.ip), rule.ip ? `address ${rule.ip}` : 'no address', {
      cause: 'The forwarding rule has no address.',
      fix: `Delete forwarding rule ${rule.name} and re-run.`
    }),
    check(
      'psc-endpoint-accepted',
      `PSC endpoint ${rule.name} is ACCEPTED`,
      rule.status === 'ACCEPTED' && rule.target === input.attachment,
      `pscConnectionStatus=${rule.status || 'unknown'}, target ${lastSegment(rule.target)}`,
      {
        cause: rule.target !== input.attachment ? `The endpoint targets ${rule.target}, not ${input.attachment}.` : pending ? 'Zilliz has not accepted the endpoint yet.' : `The connection is ${rule.status}.`,
        fix: pending ? 'Check the registration on the Zilliz side and re-run; acceptance takes about 5 minutes.' : `Delete forwarding rule ${rule.name} and re-run to create a new one.`
      }
    )
  ]
  return { checks, ip: rule.ip }
}

/**
 * Egress to the endpoint on every link port, along the effective path (egress.ts): fails naming the rule
 * that drops the traffic. Firewall policies that cannot be read are a skipped check of their own.
 */
function firewallChecks(target: Target, input: GcpVerifyInput, ip: string, view: EgressView): Check[] {
  const decisions = egressDecisions(target.ports, { ...view, networkPath: input.networkPath, destination: ip, sources: input.cidrs })
  const blocked = decisions.filter((d) => !d.decision.allowed)
  const network = lastSegment(input.networkPath)
  const allowedBy = [...new Set(decisions.map((d) => d.decision.by))].join('; ')
  const blockers = [...new Set(blocked.map((d) => d.decision.by))]
  const policyBlock = blocked.some((d) => d.decision.policy)
  const ports = blocked.map((d) => d.port).join(', ')
  const checks = [
    check(
      'firewall-ports',
      'Egress firewall rules let clients reach the link ports on the endpoint',
      blocked.length === 0,
      blocked.length ? `tcp ${ports} to ${ip} denied by ${blockers.join('; ')}` : `tcp ${target.ports.join(', ')} to ${ip} allowed by ${allowedBy}`,
      {
        cause: `Clients time out: ${blockers.join('; ')} drops egress on tcp ${ports} to the endpoint ${ip} (traffic to a PSC endpoint is governed by egress rules).`,
        fix: policyBlock
          ? `Allow egress to ${ip}/32 on tcp ${ports} in that firewall policy (this action does not change firewall policies).`
          : `Narrow or remove ${blockers.join(', ')}, or allow egress to ${ip}/32 on tcp ${ports} in ${network} at a higher priority (a lower number) than the deny; re-running apply adds such a rule when the deny's priority leaves room.`
      }
    )
  ]
  if (!view.policies)
    checks.push(
      skipped(
        'firewall-policies',
        'Firewall policies let clients reach the link ports on the endpoint',
        'not readable with these credentials (compute.networks.getEffectiveFirewalls denied): a hierarchical or network firewall policy may still drop the traffic'
      )
    )
  return checks
}

async function dnsChecks(target: Target, input: GcpVerifyInput, ip: Promise<string | undefined>): Promise<Check[]> {
  // No Cloud DNS read: the service account may have no DNS role at all. The data-plane checks resolve the hosts.
  if (input.dnsMode === 'none') return recordsLeftToDnsTeam(target.clusters)
  if (input.dnsMode === 'existing-zone') return existingZoneChecks(target, input, ip, lastSegment(input.networkPath))
  // Every cluster's DNS is read in the same round (the zone listing once); the gate paces the calls.
  return (await Promise.all(target.clusters.map((link) => clusterDnsChecks(target, input, ip, link)))).flat()
}

async function clusterDnsChecks(target: Target, input: GcpVerifyInput, address: Promise<string | undefined>, link: ClusterLink): Promise<Check[]> {
  const checks: Check[] = []
  const network = lastSegment(input.networkPath)
  // The record of the zone this run made goes out with the listing; another zone found bound is read after it.
  const known = input.knownZone(link.clusterId)
  const knownRecord = known ? early(input.dns.getRecord(known, link.host, 'A')) : undefined
  const zone = await observeZone(input.dns, link.host, input.networkPath, input.zoneName(link.clusterId), target.config.zilliz.projectId)
  const zoneTitle = `Private zone ${fqdn(link.host)} is bound to ${network}`
  if (!zone?.bound) {
    checks.push(
      target.mode === 'plan' && !zone
        ? skipped(`dns-zone:${link.clusterId}`, zoneTitle, notYet(target))
        : check(`dns-zone:${link.clusterId}`, zoneTitle, false, zone ? `zone ${zone.name} not bound` : 'no zone', {
            cause: 'Name or service not known: the network has no private zone for the host.',
            fix: `Re-run in apply mode, or bind the zone to ${network}.`
          })
    )
    return checks
  }
  checks.push(check(`dns-zone:${link.clusterId}`, zoneTitle, true, `zone ${zone.name}`, { cause: '', fix: '' }))
  const record = await (knownRecord && zone.name === known ? knownRecord : input.dns.getRecord(zone.name, link.host, 'A'))
  const ip = await address
  checks.push(
    check(`dns-record:${link.clusterId}`, `${link.host} resolves to the endpoint address`, recordHolds(record, ip), record ? `A ${(record.rrdatas ?? []).join(', ')}` : 'no A record', {
      cause: `The host does not resolve to the endpoint address ${ip ?? '(unknown)'}.`,
      fix: 'Re-run in apply mode to replace the A record.'
    })
  )
  return checks
}

/** The named zone of each link is still bound to the network and holds the record; every link at once. */
async function existingZoneChecks(target: Target, input: GcpVerifyInput, address: Promise<string | undefined>, network: string): Promise<Check[]> {
  const perLink = await Promise.all(
    target.clusters.map(async (link): Promise<Check[]> => {
      const zone = input.placed.get(link.clusterId)
      if (!zone) return []
      // The record goes out with the zone; it is judged only if the zone is still bound.
      const record = early(zone.api.getRecord(zone.zone, link.host, 'A'))
      const found = await zone.api.getZone(zone.zone)
      const bound = (found?.privateVisibilityConfig?.networks ?? []).some((n) => resourcePath(n.networkUrl) === input.networkPath)
      const checks = [
        check(`dns-zone:${link.clusterId}`, `Private zone ${zone.name} is bound to ${network}`, bound, found ? `zone ${zone.zone}${bound ? '' : ' not bound'}` : 'zone gone', {
          cause: 'Name or service not known: the network does not see the named zone.',
          fix: `Bind the zone ${zone.zone} to ${network} (the action never binds a zone it does not own).`
        })
      ]
      if (!bound) return checks
      const a = await record
      const ip = await address
      checks.push(
        check(`dns-record:${link.clusterId}`, `${link.host} resolves to the endpoint address`, recordHolds(a, ip), a ? `A ${(a.rrdatas ?? []).join(', ')} in ${zone.name}` : 'no A record', {
          cause: `The host does not resolve to the endpoint address ${ip ?? '(unknown)'}.`,
          fix: 'Re-run in apply mode to replace the A record.'
        })
      )
      return checks
    })
  )
  return perLink.flat()
}

/**
 * One round: the endpoint, the egress view and the DNS are read at once, since only judging them needs the
 * endpoint's address. Failures are reported in that order (allInOrder); the egress view counts only when there
 * is an address to judge it for.
 */
export async function verifyGcp(target: Target, input: GcpVerifyInput): Promise<Check[]> {
  const endpoint = endpointChecks(target, input)
  const view = early(readEgressView(input.firewalls, input.network, input.enforcementOrder))
  const ip = endpoint.then(
    (e) => e.ip,
    () => undefined
  )
  const [found, dns] = await allInOrder([endpoint, dnsChecks(target, input, ip)])
  const firewall = found.ip ? firewallChecks(target, input, found.ip, await view) : []
  return [...found.checks, ...firewall, ...dns]
}
