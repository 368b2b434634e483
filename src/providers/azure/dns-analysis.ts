// Level 1 DNS analysis on Azure: the virtual network's custom DNS servers (dhcpOptions.dnsServers, read with
// the network by observeNetwork; a private zone applies only to queries that reach Azure DNS at
// 168.63.129.16) and the DNS private resolver forwarding rulesets linked to it (the longest matching rule
// forwards the query away). The rulesets are two ARM calls the bundled SDKs do not cover, so they go as plain
// requests through the network client's pipeline (authentication, retries, the ARM gate). The verdict is
// src/verify/dns-analysis.ts's.
import { customServerEffect, type DnsEffect, type DnsRoute, type DnsSetting, type NetworkDnsView } from '../../verify/dns-analysis.js'
import { armList, type ArmPipeline } from './arm-rest.js'

/** The DNS private resolver API version of the excerpt in __tests__/fixtures/specs/azure/dnsresolver. */
export const DNS_RESOLVER_API_VERSION = '2022-07-01'
/** Azure DNS, the only server that answers from private zones linked to the network. */
export const AZURE_DNS = '168.63.129.16'

interface ForwardingRule {
  name?: string
  properties?: { domainName?: string; targetDnsServers?: { ipAddress?: string; port?: number }[]; forwardingRuleState?: string }
}

function dnsServersGate(network: string, servers: string[]): DnsSetting {
  if (!servers.length) return { setting: 'VNet DNS servers', effect: 'reaches', evidence: 'Azure-provided DNS' }
  const custom = servers.filter((s) => s !== AZURE_DNS)
  const order: DnsEffect[] = ['bypasses', 'unknown', 'reaches']
  const effects = custom.map(customServerEffect)
  const effect = order.find((e) => effects.includes(e)) ?? 'reaches'
  return {
    setting: `VNet ${network} custom DNS servers`,
    effect,
    evidence: `dnsServers ${servers.join(', ')}`,
    fix:
      effect === 'bypasses'
        ? `Remove ${custom.join(', ')} from the DNS servers of ${network} (az network vnet update --dns-servers ''), or use servers that forward the private-link host to Azure DNS (${AZURE_DNS}): a private zone answers only queries that reach Azure DNS from a linked network.`
        : `Make sure ${custom.join(', ')} forward the private-link host to Azure DNS (${AZURE_DNS}) from a network linked to the private zone, for example through a DNS private resolver inbound endpoint; verify: full on a runner in the network, or a probe, proves it.`
  }
}

function ruleRoute(ruleset: string, rule: ForwardingRule): DnsRoute {
  const domain = rule.properties?.domainName ?? '.'
  const targets = (rule.properties?.targetDnsServers ?? []).map((t) => `${t.ipAddress ?? '?'}:${t.port ?? 53}`)
  return {
    setting: `DNS forwarding ruleset ${ruleset}, rule ${rule.name ?? domain}`,
    domain,
    // A rule beats a linked private zone of the same domain.
    precedence: 1,
    effect: 'bypasses',
    evidence: `forwards ${domain} to ${targets.join(', ')}`,
    fix: `Disable or delete rule ${rule.name ?? domain} of ruleset ${ruleset}, narrow its domain so it does not cover the private-link host, or unlink the ruleset from the network.`
  }
}

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id
const relativePath = (id: string) => id.replace(/^https?:\/\/[^/]+/, '')

export interface AzureDnsInput {
  /** The pipeline of the network's subscription */
  arm: ArmPipeline
  vnetId: string
  dnsServers: string[]
  principal(): string | undefined
}

export async function readAzureDnsView(input: AzureDnsInput): Promise<NetworkDnsView> {
  const name = lastSegment(input.vnetId)
  const linked = await armList<{ id?: string }>(input.arm, 'POST', `${relativePath(input.vnetId)}/listDnsForwardingRulesets`, DNS_RESOLVER_API_VERSION, input.principal)
  const rulesets = [...new Set(linked.map((r) => r.id).filter((id): id is string => Boolean(id)))]
  const rules = await Promise.all(
    rulesets.map(async (id) => (await armList<ForwardingRule>(input.arm, 'GET', `${relativePath(id)}/forwardingRules`, DNS_RESOLVER_API_VERSION, input.principal)).map((rule) => ({ ruleset: lastSegment(id), rule })))
  )
  const routes = rules
    .flat()
    .filter(({ rule }) => rule.properties?.forwardingRuleState !== 'Disabled')
    .map(({ ruleset, rule }) => ruleRoute(ruleset, rule))
  return {
    network: name,
    source: `analysis of ${name}: DNS servers, DNS forwarding rulesets`,
    gates: [dnsServersGate(name, input.dnsServers)],
    routes,
    zonePrecedence: 0
  }
}
