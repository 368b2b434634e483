// The data plane of an emulated VPC, for runs of the whole action: a DNS server that answers as the
// VPC's resolver, and the private link served (TLS, HTTP 400) on whichever endpoint addresses it
// hands out, so the link follows the endpoint the action creates.
import { startDnsServer, type DnsAnswer, type EmulatedDnsServer } from './dns-server.js'
import { startPrivateLinkServer, type PrivateLinkServer } from './link-server.js'
import { vpcResolver, type VpcNetwork } from './vpc-resolver.js'

export interface VpcDataPlane {
  dns: EmulatedDnsServer
  link: PrivateLinkServer
  close(): Promise<void>
}

export function startVpcDataPlane(aws: VpcNetwork, vpcId: string, linkPort: number): Promise<VpcDataPlane> {
  return startDataPlane(vpcResolver(aws, vpcId), linkPort)
}

/** The same for any network whose resolver answers with `resolve` (a Google Cloud network, an Azure VNet). */
export async function startDataPlane(resolve: (name: string) => DnsAnswer, linkPort: number): Promise<VpcDataPlane> {
  const link = await startPrivateLinkServer({ ips: [], port: linkPort })
  const dns = await startDnsServer({
    answer: async (name) => {
      const ips = resolve(name)
      if (ips?.length) await link.addAddresses(ips)
      return ips
    }
  })
  return { dns, link, close: async () => void (await Promise.all([dns.close(), link.close()])) }
}
