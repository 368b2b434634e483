// What a VPC's security groups do to a connection from a compute resource in the VPC to an interface
// endpoint: its own groups must allow the egress and one of the endpoint's groups must admit the
// ingress (a rule for the protocol and port from a CIDR holding the source address, or from a group the
// source is in). Stateful, so the answers need no rule. The Lambda emulator drops what this refuses, as
// the VPC would: the probe then meets a timeout, not an answer made up for it.
import type { IngressRule, SecurityGroup } from './ec2-model.js'

const toNumber = (ip: string) => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)

export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size)
}

function covers(rule: IngressRule, port: number): boolean {
  if (rule.ipProtocol === '-1') return true
  if (rule.ipProtocol !== 'tcp' && rule.ipProtocol !== '6') return false
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535)
}

const allows = (rules: IngressRule[], port: number, peerIp: string, peerGroups: string[]) =>
  rules.some((rule) => covers(rule, port) && ((rule.cidrIpv4 !== undefined && inCidr(peerIp, rule.cidrIpv4)) || (rule.referencedGroupId !== undefined && peerGroups.includes(rule.referencedGroupId))))

export interface Placement {
  ip: string
  groups: SecurityGroup[]
}

/** Whether a TCP connection from `source` to `target` on `port` gets through both sides' groups. */
export function admitted(source: Placement, target: Placement, port: number): boolean {
  const sourceIds = source.groups.map((g) => g.groupId)
  const targetIds = target.groups.map((g) => g.groupId)
  const out = source.groups.some((g) => allows(g.egress, port, target.ip, targetIds))
  const into = target.groups.some((g) => allows(g.ingress, port, source.ip, sourceIds))
  return out && into
}
