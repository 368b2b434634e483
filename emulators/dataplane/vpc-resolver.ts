// What the resolver inside an emulated VPC answers: the private hosted zones associated with the VPC
// (alias records followed to the endpoint's interface IPs), and nothing else, as the emulated world
// has no public DNS. Plugged into the DNS server, it serves the demo's private-link hosts.
import type { Ec2Emulator, Route53Emulator } from '../aws/index.js'
import type { DnsAnswer } from './dns-server.js'

export interface VpcNetwork {
  ec2: Ec2Emulator
  route53: Route53Emulator
  region: string
}

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`

export function vpcResolver(aws: VpcNetwork, vpcId: string): (name: string) => DnsAnswer {
  return (name) => {
    const wanted = fqdn(name)
    // The most specific associated zone that contains the name answers for it.
    const zone = aws.route53.zones
      .byVpc({ region: aws.region, vpcId })
      .filter((z) => wanted === z.name || wanted.endsWith(`.${z.name}`))
      .sort((a, b) => b.name.length - a.name.length)[0]
    if (!zone) return undefined
    const record = zone.records.find((r) => r.name === wanted && r.type === 'A')
    if (record?.alias) return aws.ec2.resolve(record.alias.dnsName)
    if (record) return record.values
    // The zone apex exists (SOA, NS) without an A record: NODATA; any other name: NXDOMAIN.
    return wanted === zone.name ? [] : undefined
  }
}
