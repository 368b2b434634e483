// EC2 resources the emulator keeps, the seed topology they start from, lookups that fail with
// the real NotFound codes, and the context every operation handler receives.
import type { IdFactory } from './names.js'
import { AwsError, type QueryParams, type XmlFields } from './xml.js'

export interface Tag {
  key: string
  value: string
}

export interface Vpc {
  vpcId: string
  /** Another account that shares the VPC's subnets with this one through RAM; absent: this account's own */
  ownerId?: string
  cidrBlock: string
  isDefault: boolean
  tags: Tag[]
  /** VPC DNS attributes; both true unless a test turns one off (EC2's default for a VPC made by the console) */
  enableDnsSupport?: boolean
  enableDnsHostnames?: boolean
  /** The DHCP option set associated with the VPC; absent: the account's default set (AmazonProvidedDNS). 'default' means none. */
  dhcpOptionsId?: string
}

/** A DHCP option set: key → values, e.g. domain-name-servers → ['AmazonProvidedDNS']. */
export interface DhcpOptions {
  dhcpOptionsId: string
  configurations: { key: string; values: string[] }[]
  tags: Tag[]
}

export interface Subnet {
  subnetId: string
  vpcId: string
  cidrBlock: string
  availabilityZone: string
  availabilityZoneId: string
  tags: Tag[]
}

export interface EndpointService {
  serviceName: string
  serviceId: string
  /** AZ names and zone ids the service has load balancers in (same order). */
  availabilityZones: string[]
  availabilityZoneIds: string[]
  acceptanceRequired: boolean
  privateDnsName?: string
  owner: string
}

/** Everything EC2 holds before the first call; see seed.ts for the default. */
export interface AwsTopology {
  accountId: string
  region: string
  vpcs: Vpc[]
  subnets: Subnet[]
  endpointServices: EndpointService[]
}

export interface IngressRule {
  ruleId: string
  ipProtocol: string
  fromPort?: number
  toPort?: number
  cidrIpv4?: string
  referencedGroupId?: string
  description?: string
}

export interface SecurityGroup {
  groupId: string
  groupName: string
  description: string
  vpcId: string
  tags: Tag[]
  ingress: IngressRule[]
  egress: IngressRule[]
}

/** Wire values are camelCase; the SDK's enum is PascalCase, which callers must tolerate. */
export type EndpointState =
  | 'pendingAcceptance'
  | 'pending'
  | 'available'
  | 'rejected'
  | 'failed'
  | 'deleting'
  | 'deleted'
  | 'expired'
  | 'partial'

export interface EndpointInterface {
  networkInterfaceId: string
  subnetId: string
  availabilityZone: string
  privateIp: string
}

export interface VpcEndpoint {
  vpcEndpointId: string
  vpcId: string
  serviceName: string
  state: EndpointState
  subnetIds: string[]
  groupIds: string[]
  privateDnsEnabled: boolean
  interfaces: EndpointInterface[]
  /** The random-looking part of the endpoint's DNS names, fixed at creation. */
  dnsLabel: string
  createdAt: Date
  tags: Tag[]
}

/** A network interface a caller created (CreateNetworkInterface), as opposed to an endpoint's own. */
export interface UserInterface {
  networkInterfaceId: string
  subnetId: string
  vpcId: string
  availabilityZone: string
  privateIp: string
  groupIds: string[]
  description: string
  tags: Tag[]
}

/** One network ACL entry; entries are evaluated in ruleNumber order, the first match decides. */
export interface NaclEntry {
  ruleNumber: number
  egress: boolean
  /** '-1' (all) or '6' (tcp), as EC2 reports protocol numbers */
  protocol: string
  ruleAction: 'allow' | 'deny'
  cidrBlock: string
  portRange?: { from: number; to: number }
}

export interface NetworkAcl {
  networkAclId: string
  vpcId: string
  isDefault: boolean
  /** Subnets associated with it; a subnet without an explicit association uses the VPC's default ACL */
  subnetIds: string[]
  entries: NaclEntry[]
  tags: Tag[]
}

export interface InsightsPath {
  networkInsightsPathId: string
  source: string
  destination: string
  destinationIp?: string
  protocol: string
  destinationPort?: number
  createdDate: Date
  tags: Tag[]
}

export interface InsightsAnalysis {
  networkInsightsAnalysisId: string
  networkInsightsPathId: string
  startDate: Date
  status: 'running' | 'succeeded' | 'failed'
  statusMessage?: string
  networkPathFound?: boolean
  explanations: XmlFields[]
  forwardPathComponents: XmlFields[]
  tags: Tag[]
}

export class Ec2Resources {
  readonly vpcs = new Map<string, Vpc>()
  readonly subnets = new Map<string, Subnet>()
  readonly services = new Map<string, EndpointService>()
  readonly groups = new Map<string, SecurityGroup>()
  readonly endpoints = new Map<string, VpcEndpoint>()
  readonly interfaces = new Map<string, UserInterface>()
  readonly networkAcls = new Map<string, NetworkAcl>()
  readonly insightsPaths = new Map<string, InsightsPath>()
  readonly insightsAnalyses = new Map<string, InsightsAnalysis>()
  readonly dhcpOptions = new Map<string, DhcpOptions>()
  /** CreateVpcEndpoint client tokens: what the first request looked like and what it created. */
  readonly clientTokens = new Map<string, { fingerprint: string; endpointId: string; original: XmlFields }>()
  private readonly usedIps = new Map<string, Set<number>>()

  constructor(topology: AwsTopology) {
    for (const vpc of topology.vpcs) this.vpcs.set(vpc.vpcId, structuredClone(vpc))
    for (const subnet of topology.subnets) this.subnets.set(subnet.subnetId, structuredClone(subnet))
    for (const service of topology.endpointServices) this.services.set(service.serviceName, structuredClone(service))
    // Every account has a default DHCP option set, associated with its VPCs unless another is.
    const domainName = topology.region === 'us-east-1' ? 'ec2.internal' : `${topology.region}.compute.internal`
    this.defaultDhcpOptionsId = this.addDhcpOptions([
      { key: 'domain-name', values: [domainName] },
      { key: 'domain-name-servers', values: ['AmazonProvidedDNS'] }
    ]).dhcpOptionsId
  }

  readonly defaultDhcpOptionsId: string

  /** The option set the VPC uses: its own, the account's default, or 'default' (none). */
  dhcpOptionsOf(vpc: Vpc): string {
    return vpc.dhcpOptionsId ?? this.defaultDhcpOptionsId
  }

  vpc(vpcId: string): Vpc {
    return found(this.vpcs.get(vpcId), 'InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`)
  }

  dhcpOptionSet(id: string): DhcpOptions {
    return found(this.dhcpOptions.get(id), 'InvalidDhcpOptionID.NotFound', `The dhcpOption ID '${id}' does not exist`)
  }

  /** Seeds a DHCP option set, as CreateDhcpOptions would. */
  addDhcpOptions(configurations: DhcpOptions['configurations']): DhcpOptions {
    const options: DhcpOptions = { dhcpOptionsId: `dopt-${(this.dhcpOptions.size + 1).toString(16).padStart(17, '0')}`, configurations, tags: [] }
    this.dhcpOptions.set(options.dhcpOptionsId, options)
    return options
  }

  /** Seeds a DHCP option set and associates it with a VPC, as CreateDhcpOptions and AssociateDhcpOptions would. */
  associateDhcpOptions(vpcId: string, configurations: DhcpOptions['configurations']): DhcpOptions {
    const options = this.addDhcpOptions(configurations)
    this.vpc(vpcId).dhcpOptionsId = options.dhcpOptionsId
    return options
  }

  subnet(subnetId: string): Subnet {
    return found(this.subnets.get(subnetId), 'InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`)
  }

  service(serviceName: string): EndpointService {
    return found(this.services.get(serviceName), 'InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`)
  }

  group(groupId: string): SecurityGroup {
    return found(this.groups.get(groupId), 'InvalidGroup.NotFound', `The security group '${groupId}' does not exist`)
  }

  endpoint(endpointId: string): VpcEndpoint {
    return found(
      this.endpoints.get(endpointId),
      'InvalidVpcEndpointId.NotFound',
      `The Vpc Endpoint Id '${endpointId}' does not exist`
    )
  }

  /** Anything CreateTags can tag, found by its id prefix. */
  taggable(resourceId: string): { tags: Tag[] } {
    if (resourceId.startsWith('vpce-')) return this.endpoint(resourceId)
    if (resourceId.startsWith('sg-')) return this.group(resourceId)
    if (resourceId.startsWith('subnet-')) return this.subnet(resourceId)
    if (resourceId.startsWith('vpc-')) return this.vpc(resourceId)
    if (resourceId.startsWith('eni-')) return found(this.interfaces.get(resourceId), 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${resourceId}' does not exist`)
    throw new AwsError(400, 'InvalidID', `The ID '${resourceId}' is not valid`)
  }

  /** Next free host address in the subnet; AWS reserves the first four and the last. */
  allocateIp(subnet: Subnet): string {
    const { base, size } = parseCidr(subnet.cidrBlock)
    const used = this.usedIps.get(subnet.subnetId) ?? new Set<number>()
    this.usedIps.set(subnet.subnetId, used)
    for (let offset = 4; offset < size - 1; offset++) {
      if (!used.has(offset)) {
        used.add(offset)
        return formatIp(base + offset)
      }
    }
    throw new AwsError(400, 'InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.subnetId}'`)
  }

  releaseIp(subnet: Subnet, ip: string): void {
    this.usedIps.get(subnet.subnetId)?.delete(parseIp(ip) - parseCidr(subnet.cidrBlock).base)
  }

  availableIpCount(subnet: Subnet): number {
    return parseCidr(subnet.cidrBlock).size - 5 - (this.usedIps.get(subnet.subnetId)?.size ?? 0)
  }
}

/** Throws a 400 with the given NotFound code when a lookup came back empty. */
function found<T>(value: T | undefined, code: string, message: string): T {
  if (value === undefined) throw new AwsError(400, code, message)
  return value
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr)
  const bits = match ? Number(match[2]) : NaN
  if (!match || bits > 32 || match[1]!.split('.').some((o) => Number(o) > 255)) {
    throw new AwsError(400, 'InvalidParameterValue', `CIDR block ${cidr} is malformed`)
  }
  const size = 2 ** (32 - bits)
  return { base: Math.floor(parseIp(match[1]!) / size) * size, size }
}

export const parseIp = (ip: string): number => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)

const formatIp = (value: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')

/** What an EC2 operation handler works with. */
export interface Ec2Context {
  resources: Ec2Resources
  ids: IdFactory
  region: string
  accountId: string
  now: () => number
  /** Called once a new endpoint exists, so it can be announced and moved through its lifecycle. */
  endpointCreated(endpoint: VpcEndpoint, service: EndpointService): void
  /** Called when a delete is accepted: the endpoint is `deleting` until its interfaces are gone, then `deleted`. */
  endpointDeleting(endpoint: VpcEndpoint): void
}

export type Ec2Handler = (params: QueryParams, ctx: Ec2Context) => XmlFields
