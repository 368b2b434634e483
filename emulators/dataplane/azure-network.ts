// What a client in an emulated Azure virtual network meets. When it resolves a name: Azure DNS
// (168.63.129.16) answers from the private DNS zones linked to the network (the most specific zone that
// contains the name; the emulated world has no public DNS). A network whose DNS servers are custom ones
// sends the query there instead, and those know nothing of the private zones unless they forward to Azure
// DNS from a linked network, which the emulated world does not model: such a query finds no answer.
// When it connects: the outbound rules of its subnet's network security group decide.
import { cidrContains } from '../../src/base/ip.js'
import { key, type ArmState, type SecurityRuleState } from '../azure/arm-model.js'
import type { DnsAnswer } from './dns-server.js'

export const AZURE_DNS = '168.63.129.16'

const fqdn = (name: string) => name.toLowerCase().replace(/\.$/, '')

export function azureVnetResolver(state: ArmState, vnetId: string): (name: string) => DnsAnswer {
  const id = vnetId.toLowerCase()
  return (name) => {
    const vnet = state.virtualNetworks.get(id)
    if (!vnet) return undefined
    if ((vnet.dnsServers ?? []).some((server) => server !== AZURE_DNS)) return undefined
    const wanted = fqdn(name)
    const zone = [...state.privateZones.values()]
      .filter((z) => [...z.links.values()].some((link) => link.vnetId.toLowerCase() === id))
      .filter((z) => wanted === fqdn(z.name) || wanted.endsWith(`.${fqdn(z.name)}`))
      .sort((a, b) => b.name.length - a.name.length)[0]
    if (!zone) return undefined
    const relative = wanted === fqdn(zone.name) ? '@' : wanted.slice(0, -fqdn(zone.name).length - 1)
    const record = zone.records.get(`A/${relative}`)
    if (record) return record.ips
    return relative === '@' ? [] : undefined
  }
}

/** Azure's default outbound rules (network-security-groups-overview, "Default security rules"), after a group's own. */
const DEFAULT_OUTBOUND: SecurityRuleState[] = [
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }
]

/**
 * Whether the network security group of the subnet lets a TCP connection from it out to ip:port: its
 * outbound rules and Azure's defaults, the lowest priority number first; a subnet without a group lets it.
 * VirtualNetwork is the network's own address space (peerings are not modelled here).
 */
export function azureEgressAllowed(state: ArmState, subnetId: string, ip: string, port: number): boolean {
  const found = state.subnet(subnetId)
  const group = found?.subnet.networkSecurityGroupId ? state.networkSecurityGroups.get(key(found.subnet.networkSecurityGroupId)) : undefined
  if (!found || !group) return true
  const inNetwork = found.vnet.addressPrefixes.some((prefix) => cidrContains(prefix, `${ip}/32`))
  const prefixMatches = (prefix: string) =>
    prefix === '*' || prefix === 'Any' || (prefix === 'VirtualNetwork' ? inNetwork : prefix === 'Internet' ? !inNetwork : cidrContains(prefix.includes('/') ? prefix : `${prefix}/32`, `${ip}/32`))
  const portMatches = (range: string) => {
    if (range === '*') return true
    const [low = '', high = low] = range.split('-')
    return Number(low) <= port && port <= Number(high)
  }
  const deciding = [...group.rules, ...DEFAULT_OUTBOUND]
    .filter((r) => r.direction === 'Outbound' && (r.protocol === 'Tcp' || r.protocol === '*'))
    .sort((a, b) => a.priority - b.priority)
    .find((r) => [r.destinationAddressPrefix ?? '', ...(r.destinationAddressPrefixes ?? [])].filter(Boolean).some(prefixMatches) && [r.destinationPortRange ?? '', ...(r.destinationPortRanges ?? [])].filter(Boolean).some(portMatches))
  return deciding ? deciding.access === 'Allow' : true
}
