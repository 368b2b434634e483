// What a client in an emulated Azure virtual network meets when it resolves a name: Azure DNS
// (168.63.129.16) answers from the private DNS zones linked to the network (the most specific zone that
// contains the name; the emulated world has no public DNS). A network whose DNS servers are custom ones
// sends the query there instead, and those know nothing of the private zones unless they forward to Azure
// DNS from a linked network, which the emulated world does not model: such a query finds no answer.
import type { ArmState } from '../azure/arm-model.js'
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
