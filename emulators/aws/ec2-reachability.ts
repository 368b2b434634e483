// What VPC Reachability Analyzer concludes for a path from a network interface to an interface VPC endpoint,
// computed from the emulator's own security groups and network ACLs, with the explanation codes and fields
// the service documents (https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html;
// the Explanation shape in the EC2 API reference): ENI_SG_RULES_MISMATCH names the interface, its groups
// and the direction; SUBNET_ACL_RESTRICTION names the ACL, the rule that decided and the subnet.
// Routing inside one VPC always has the local route, which cannot be removed, so no route blocks here;
// return traffic through stateless ACLs is not modelled.
import type { Ec2Resources, IngressRule, NaclEntry, NetworkAcl, SecurityGroup, Subnet, UserInterface, VpcEndpoint, EndpointInterface } from './ec2-model.js'
import { parseCidr, parseIp } from './ec2-model.js'
import { itemSet, type XmlFields } from './xml.js'

export interface Verdict {
  found: boolean
  explanations: XmlFields[]
  forwardPath: XmlFields[]
}

interface Hop {
  subnet: Subnet
  ip: string
  groups: SecurityGroup[]
  id: string
}

const inCidr = (ip: string, cidr: string): boolean => {
  const { base, size } = parseCidr(cidr)
  const value = parseIp(ip)
  return value >= base && value < base + size
}

function ruleAdmits(rule: IngressRule, port: number, peer: Hop): boolean {
  const protocolOk = rule.ipProtocol === '-1' || rule.ipProtocol === 'tcp'
  const portOk = rule.ipProtocol === '-1' || ((rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535))
  const peerOk = rule.cidrIpv4 !== undefined ? inCidr(peer.ip, rule.cidrIpv4) : peer.groups.some((g) => g.groupId === rule.referencedGroupId)
  return protocolOk && portOk && peerOk
}

/** The ACL a subnet uses: its explicit association, else the VPC's default ACL. */
export function aclOf(resources: Ec2Resources, subnet: Subnet): NetworkAcl | undefined {
  const acls = [...resources.networkAcls.values()].filter((a) => a.vpcId === subnet.vpcId)
  return acls.find((a) => a.subnetIds.includes(subnet.subnetId)) ?? acls.find((a) => a.isDefault)
}

/** The first entry, in rule-number order, that matches the packet; ACLs end in an implicit deny (rule *). */
function deciding(acl: NetworkAcl, egress: boolean, port: number, peerIp: string): NaclEntry {
  const entries = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber)
  const match = entries.find(
    (e) => (e.protocol === '-1' || e.protocol === '6') && (!e.portRange || (e.portRange.from <= port && port <= e.portRange.to)) && inCidr(peerIp, e.cidrBlock)
  )
  return match ?? { ruleNumber: 32767, egress, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' }
}

const component = (id: string, arnType: string, region: string, account: string, name?: string): XmlFields => ({
  id,
  arn: `arn:aws:ec2:${region}:${account}:${arnType}/${id}`,
  ...(name ? { name } : {})
})

export function analysePath(
  resources: Ec2Resources,
  source: UserInterface,
  endpoint: VpcEndpoint,
  port: number,
  where: { region: string; accountId: string }
): Verdict {
  const c = (id: string, type: string, name?: string) => component(id, type, where.region, where.accountId, name)
  const srcSubnet = resources.subnet(source.subnetId)
  const eni: EndpointInterface | undefined = endpoint.interfaces.find((i) => i.availabilityZone === source.availabilityZone) ?? endpoint.interfaces[0]
  if (!eni || endpoint.state !== 'available') {
    return { found: false, explanations: [{ explanationCode: 'BAD_STATE', component: c(endpoint.vpcEndpointId, 'vpc-endpoint'), state: endpoint.state }], forwardPath: [] }
  }
  const from: Hop = { subnet: srcSubnet, ip: source.privateIp, groups: source.groupIds.map((id) => resources.group(id)), id: source.networkInterfaceId }
  const to: Hop = { subnet: resources.subnet(eni.subnetId), ip: eni.privateIp, groups: endpoint.groupIds.map((id) => resources.group(id)), id: eni.networkInterfaceId }
  const explanations: XmlFields[] = []
  const groupsXml = (groups: SecurityGroup[]) => itemSet(groups.map((g) => c(g.groupId, 'security-group', g.groupName)))

  if (!from.groups.some((g) => g.egress.some((r) => ruleAdmits(r, port, to)))) {
    explanations.push({ explanationCode: 'ENI_SG_RULES_MISMATCH', direction: 'egress', networkInterface: c(from.id, 'network-interface'), securityGroupSet: groupsXml(from.groups), port, protocolSet: itemSet(['tcp']) })
  }
  // ACLs filter traffic that crosses a subnet boundary.
  if (from.subnet.subnetId !== to.subnet.subnetId) {
    for (const [hop, peer, egress] of [[from, to, true], [to, from, false]] as const) {
      const acl = aclOf(resources, hop.subnet)
      if (!acl) continue
      const entry = deciding(acl, egress, port, peer.ip)
      if (entry.ruleAction === 'deny') {
        explanations.push({
          explanationCode: 'SUBNET_ACL_RESTRICTION',
          direction: egress ? 'egress' : 'ingress',
          acl: c(acl.networkAclId, 'network-acl'),
          aclRule: { cidr: entry.cidrBlock, egress: entry.egress, portRange: entry.portRange, protocol: entry.protocol, ruleAction: entry.ruleAction, ruleNumber: entry.ruleNumber },
          subnet: c(hop.subnet.subnetId, 'subnet'),
          vpc: c(hop.subnet.vpcId, 'vpc')
        })
      }
    }
  }
  if (!to.groups.some((g) => g.ingress.some((r) => ruleAdmits(r, port, from)))) {
    explanations.push({ explanationCode: 'ENI_SG_RULES_MISMATCH', direction: 'ingress', networkInterface: c(to.id, 'network-interface'), securityGroupSet: groupsXml(to.groups), port, protocolSet: itemSet(['tcp']) })
  }
  const found = explanations.length === 0
  const forwardPath = found
    ? [c(from.id, 'network-interface'), ...from.groups.map((g) => c(g.groupId, 'security-group')), c(endpoint.vpcEndpointId, 'vpc-endpoint')].map((comp, i) => ({ sequenceNumber: i + 1, component: comp }))
    : []
  return { found, explanations, forwardPath }
}
