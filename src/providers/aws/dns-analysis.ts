// Level 1 DNS analysis on AWS: what decides where a query from the VPC goes. Private hosted zones answer
// only through the Amazon DNS server of a VPC whose enableDnsSupport and enableDnsHostnames are both true;
// clients use it only when the VPC's DHCP option set hands it out (AmazonProvidedDNS, or its address);
// and a Route 53 Resolver rule associated with the VPC for the host's domain, or a parent of it, takes the
// query elsewhere unless a more specific private zone or SYSTEM rule keeps it (a rule beats a private zone of
// the same domain). Reads: two DescribeVpcAttribute calls, DescribeDhcpOptions unless the VPC has the
// default set, ListResolverRuleAssociations, and ListResolverRules (the account's own rules and those shared
// with it) only when rules are associated. The verdict is src/verify/dns-analysis.ts's.
import { DescribeDhcpOptionsCommand, DescribeVpcAttributeCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { customServerEffect, type DnsEffect, type DnsRoute, type DnsSetting, type NetworkDnsView } from '../../verify/dns-analysis.js'
import type { ResolverApi, ResolverRule } from './resolver-api.js'

/** The Amazon DNS server's link-local address, the same in every VPC. */
const AMAZON_DNS_LINK_LOCAL = ['169.254.169.253', 'fd00:ec2::253']
/** Association states in which a rule applies (or is about to). */
const ACTIVE = new Set(['COMPLETE', 'CREATING', 'OVERRIDDEN'])

export interface AwsDnsInput {
  ec2: EC2Client
  resolver: ResolverApi
  vpcId: string
  /** The VPC's IPv4 ranges, the primary first: the Amazon DNS server is also its base address plus two */
  vpcCidrs: string[]
  /** From DescribeVpcs; 'default' (or absent) means no option set: AmazonProvidedDNS */
  dhcpOptionsId?: string
}

/** The base-plus-two address of an IPv4 range, where the Amazon DNS server answers. */
export function amazonDnsAddress(cidr: string): string | undefined {
  const [base] = cidr.split('/')
  const parts = (base ?? '').split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  const value = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + 2
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.')
}

const modifyAttribute = (vpcId: string, attribute: string) => `aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} '{"Value":true}'`

function attributeGate(vpcId: string, attribute: 'enableDnsSupport' | 'enableDnsHostnames', value: boolean): DnsSetting {
  if (value) return { setting: `VPC ${vpcId} ${attribute}`, effect: 'reaches', evidence: `${attribute} true` }
  return {
    setting: `VPC ${vpcId} ${attribute}`,
    effect: 'bypasses',
    evidence:
      attribute === 'enableDnsSupport'
        ? 'enableDnsSupport false: the Amazon DNS server does not answer in the VPC, so no private hosted zone does'
        : 'enableDnsHostnames false: private hosted zones answer only in VPCs where both DNS attributes are true',
    fix: `Turn ${attribute} on: ${modifyAttribute(vpcId, attribute)}.`
  }
}

function dhcpGate(vpcId: string, optionsId: string, servers: string[] | undefined, amazonAddresses: string[]): DnsSetting {
  const setting = `DHCP option set ${optionsId} (domain-name-servers)`
  if (!servers?.length)
    return {
      setting,
      effect: 'unknown',
      evidence: 'no domain-name-servers: the VPC hands clients no DNS server, so what they query is set on each client',
      fix: `Set domain-name-servers to AmazonProvidedDNS in a DHCP option set associated with ${vpcId}, or make sure the clients' own servers forward the private-link host to the Amazon DNS server.`
    }
  const isAmazon = (s: string) => s === 'AmazonProvidedDNS' || amazonAddresses.includes(s)
  const custom = servers.filter((s) => !isAmazon(s))
  const order: DnsEffect[] = ['bypasses', 'unknown', 'reaches']
  const effects = custom.map(customServerEffect)
  const effect = order.find((e) => effects.includes(e)) ?? 'reaches'
  return {
    setting,
    effect,
    evidence: `domain-name-servers = ${servers.join(', ')}`,
    fix:
      effect === 'bypasses'
        ? `Associate ${vpcId} with a DHCP option set whose domain-name-servers is AmazonProvidedDNS (aws ec2 create-dhcp-options, then aws ec2 associate-dhcp-options --vpc-id ${vpcId}), or use servers that forward the private-link host to the Amazon DNS server: a public resolver cannot see a private hosted zone.`
        : `Make sure ${custom.join(', ')} forward the private-link host to the Amazon DNS server of ${vpcId} (for example through a Route 53 Resolver inbound endpoint), or use AmazonProvidedDNS; verify: full on a runner in the VPC, or a probe, proves it.`
  }
}

function ruleRoute(rule: ResolverRule): DnsRoute | undefined {
  const domain = rule.DomainName ?? '.'
  const name = `Route 53 Resolver rule ${rule.Id ?? '?'}${rule.Name ? ` (${rule.Name})` : ''}`
  // The rule keeps the query with the VPC's resolver: SYSTEM rules, and the Internet Resolver's RECURSIVE rule.
  if (rule.RuleType === 'SYSTEM' || rule.RuleType === 'RECURSIVE')
    return { setting: name, domain, precedence: 1, effect: 'reaches', evidence: `${rule.RuleType} rule for ${domain}: answered by the VPC's resolver` }
  if (rule.RuleType !== 'FORWARD' && rule.RuleType !== 'DELEGATE') return undefined
  const targets = (rule.TargetIps ?? []).map((t) => `${t.Ip ?? t.Ipv6 ?? '?'}:${t.Port ?? 53}`)
  return {
    setting: name,
    domain,
    // A Resolver rule beats a private hosted zone of the same domain.
    precedence: 1,
    effect: 'bypasses',
    evidence: `${rule.RuleType === 'FORWARD' ? 'forwards' : 'delegates'} ${domain} to ${targets.join(', ') || 'servers outside the VPC'}`,
    fix: `Disassociate rule ${rule.Id ?? domain} from the VPC (aws route53resolver disassociate-resolver-rule --resolver-rule-id ${rule.Id ?? '…'} --vpc-id …), narrow its domain so it does not cover the private-link host, or add a SYSTEM rule for the host so the VPC's resolver answers it.`
  }
}

/** The Resolver rules associated with the VPC, with their domains; ids of associated rules the account cannot list. */
async function associatedRules(resolver: ResolverApi, vpcId: string): Promise<{ rules: ResolverRule[]; unlisted: string[] }> {
  const ids = [...new Set((await resolver.ruleAssociations(vpcId)).filter((a) => ACTIVE.has(a.Status ?? 'COMPLETE')).map((a) => a.ResolverRuleId ?? ''))].filter(Boolean)
  if (!ids.length) return { rules: [], unlisted: [] }
  const listed = new Map((await resolver.rules()).map((r) => [r.Id ?? '', r]))
  return { rules: ids.flatMap((id) => listed.get(id) ?? []), unlisted: ids.filter((id) => !listed.has(id)) }
}

/** Rules associated with the VPC whose domain cannot be read (a share withdrawn, say): unknown, said so. */
function unlistedGate(vpcId: string, ids: string[]): DnsSetting {
  return {
    setting: `Route 53 Resolver rule${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`,
    effect: 'unknown',
    evidence: `associated with ${vpcId} but not listed by ListResolverRules, so the domain ${ids.length === 1 ? 'it forwards' : 'they forward'} cannot be read`,
    fix: `Check the rule${ids.length === 1 ? '' : 's'} with aws route53resolver get-resolver-rule, or disassociate ${ids.length === 1 ? 'it' : 'them'} from ${vpcId}.`
  }
}

export async function readAwsDnsView(input: AwsDnsInput): Promise<NetworkDnsView> {
  const { ec2, vpcId } = input
  const attribute = async (name: 'enableDnsSupport' | 'enableDnsHostnames') => {
    const answer = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: name }))
    return (name === 'enableDnsSupport' ? answer.EnableDnsSupport?.Value : answer.EnableDnsHostnames?.Value) ?? false
  }
  const optionsId = input.dhcpOptionsId && input.dhcpOptionsId !== 'default' ? input.dhcpOptionsId : undefined
  const servers = async () => {
    if (!optionsId) return ['AmazonProvidedDNS']
    const described = await ec2.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [optionsId] }))
    const config = described.DhcpOptions?.[0]?.DhcpConfigurations?.find((c) => c.Key === 'domain-name-servers')
    return config?.Values?.map((v) => v.Value ?? '').filter(Boolean)
  }
  const [support, hostnames, dnsServers, { rules, unlisted }] = await Promise.all([attribute('enableDnsSupport'), attribute('enableDnsHostnames'), servers(), associatedRules(input.resolver, vpcId)])
  // The Amazon DNS server answers at the primary range's base plus two (DescribeVpcs lists it first).
  const primary = input.vpcCidrs[0] ? amazonDnsAddress(input.vpcCidrs[0]) : undefined
  const amazonAddresses = [...AMAZON_DNS_LINK_LOCAL, ...(primary ? [primary] : [])]
  const dhcp: DnsSetting = optionsId ? dhcpGate(vpcId, optionsId, dnsServers, amazonAddresses) : { setting: 'DHCP options', effect: 'reaches', evidence: 'no DHCP option set (AmazonProvidedDNS)' }
  return {
    network: vpcId,
    source: `analysis of ${vpcId}: DNS attributes, DHCP options, Route 53 Resolver rules`,
    gates: [attributeGate(vpcId, 'enableDnsSupport', support), attributeGate(vpcId, 'enableDnsHostnames', hostnames), dhcp, ...(unlisted.length ? [unlistedGate(vpcId, unlisted)] : [])],
    routes: rules.map(ruleRoute).filter((r): r is DnsRoute => Boolean(r)),
    zonePrecedence: 0
  }
}
