// The default AWS world used by tests and the demo: one account, a workload VPC with subnets in four
// AZs (one the Zilliz service does not cover), a second VPC, and Zilliz's endpoint service.
import type { AwsTopology, EndpointService, Subnet, Vpc } from './ec2-model.js'

export const ACCOUNT_ID = '123456789012'
export const REGION = 'us-west-2'

export const VPC_ID = 'vpc-0a1b2c3d4e5f60718'
export const VPC_CIDR = '10.0.0.0/16'
export const SUBNET_A = 'subnet-0a11111111111111a'
export const SUBNET_B = 'subnet-0b22222222222222b'
export const SUBNET_C = 'subnet-0c33333333333333c'
/** In us-west-2d, an AZ the Zilliz service does not offer. */
export const SUBNET_D = 'subnet-0d44444444444444d'

export const OTHER_VPC_ID = 'vpc-0f0e0d0c0b0a09080'
export const OTHER_VPC_CIDR = '10.1.0.0/16'
export const OTHER_SUBNET = 'subnet-0e55555555555555e'

export const ZILLIZ_SERVICE_ID = 'vpce-svc-0ecd272cca7aa6d6e'
export const ZILLIZ_SERVICE_NAME = `com.amazonaws.vpce.${REGION}.${ZILLIZ_SERVICE_ID}`
export const ZILLIZ_SERVICE_OWNER = '965570967084'

/** The role the action assumes through OIDC, trusted for the default repository. */
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/zilliz-private-link`
/** A Lambda execution role with VPC access (AWSLambdaVPCAccessExecutionRole), for the in-network probe */
export const PROBE_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/zilliz-private-link-probe`
export const ROLE_TRUSTED_SUBJECT = 'repo:octo-org/octo-repo:*'

export interface TopologyOptions {
  region?: string
  accountId?: string
  /**
   * The workload VPC's /16 (default VPC_CIDR); its subnets are the .1 to .4 /24s within it. The demo
   * and the data-plane tests use a 127.x.0.0/16 so the endpoint's private IPs can be served on loopback.
   */
  vpcCidr?: string
}

/** AZ id prefix AWS uses for a region, e.g. us-west-2 → usw2, eu-central-1 → euc1. */
export function zoneIdPrefix(region: string): string {
  const [geo = '', area = '', number = ''] = region.split('-')
  const areaLetters = area.split(/(?=north|south|east|west|central)/).map((part) => part[0] ?? '').join('')
  return `${geo}${areaLetters}${number}`
}

export function zillizServiceName(region: string): string {
  return `com.amazonaws.vpce.${region}.${ZILLIZ_SERVICE_ID}`
}

/**
 * Builds the default topology for a region. Ids stay the same in every region so tests can reuse
 * the constants; AZ names, zone ids and the service name follow the region.
 */
export function seedTopology(options: TopologyOptions = {}): AwsTopology {
  const region = options.region ?? REGION
  const accountId = options.accountId ?? ACCOUNT_ID
  const zone = (letter: string, index: number) => ({
    availabilityZone: `${region}${letter}`,
    availabilityZoneId: `${zoneIdPrefix(region)}-az${index}`
  })

  const vpcCidr = options.vpcCidr ?? VPC_CIDR
  const [first, second] = vpcCidr.split('.')
  const subnetCidr = (third: number) => `${first}.${second}.${third}.0/24`

  const vpcs: Vpc[] = [
    { vpcId: VPC_ID, cidrBlock: vpcCidr, isDefault: false, tags: [{ key: 'Name', value: 'workload' }] },
    { vpcId: OTHER_VPC_ID, cidrBlock: OTHER_VPC_CIDR, isDefault: false, tags: [{ key: 'Name', value: 'other' }] }
  ]
  const subnets: Subnet[] = [
    { subnetId: SUBNET_A, vpcId: VPC_ID, cidrBlock: subnetCidr(1), ...zone('a', 1), tags: [] },
    { subnetId: SUBNET_B, vpcId: VPC_ID, cidrBlock: subnetCidr(2), ...zone('b', 2), tags: [] },
    { subnetId: SUBNET_C, vpcId: VPC_ID, cidrBlock: subnetCidr(3), ...zone('c', 3), tags: [] },
    { subnetId: SUBNET_D, vpcId: VPC_ID, cidrBlock: subnetCidr(4), ...zone('d', 4), tags: [] },
    { subnetId: OTHER_SUBNET, vpcId: OTHER_VPC_ID, cidrBlock: '10.1.1.0/24', ...zone('a', 1), tags: [] }
  ]
  const offered = ['a', 'b', 'c'].map((letter, i) => zone(letter, i + 1))
  const zilliz: EndpointService = {
    serviceName: zillizServiceName(region),
    serviceId: ZILLIZ_SERVICE_ID,
    availabilityZones: offered.map((z) => z.availabilityZone),
    availabilityZoneIds: offered.map((z) => z.availabilityZoneId),
    acceptanceRequired: true,
    owner: ZILLIZ_SERVICE_OWNER
  }
  return { accountId, region, vpcs, subnets, endpointServices: [zilliz] }
}

// --- A second account: a central DNS account (landing-zone style) with a hub VPC of its own, whose role is
// trusted for the same repository. Route 53 creates a private zone with a VPC of the zone's account, so the
// hub VPC is where the action's zones start before the endpoint's VPC is authorized and associated.
export const DNS_ACCOUNT_ID = '210987654321'
export const DNS_ROLE_ARN = `arn:aws:iam::${DNS_ACCOUNT_ID}:role/zilliz-private-link-dns`
export const HUB_VPC_ID = 'vpc-0d1d2d3d4d5d6d7d8'
export const HUB_VPC_CIDR = '10.50.0.0/16'

// --- A network account that owns a VPC and shares one of its subnets with the endpoint's account (RAM).
export const NETWORK_ACCOUNT_ID = '345678901234'
export const SHARED_VPC_ID = 'vpc-0e1e2e3e4e5e6e7e8'
export const SHARED_SUBNET = 'subnet-0f66666666666666f'

/** The DNS account's EC2: the hub VPC and one subnet, no endpoint service needed. */
export function dnsAccountTopology(region = REGION): AwsTopology {
  return {
    accountId: DNS_ACCOUNT_ID,
    region,
    vpcs: [{ vpcId: HUB_VPC_ID, cidrBlock: HUB_VPC_CIDR, isDefault: false, tags: [{ key: 'Name', value: 'dns-hub' }] }],
    subnets: [{ subnetId: 'subnet-0a77777777777777a', vpcId: HUB_VPC_ID, cidrBlock: '10.50.1.0/24', availabilityZone: `${region}a`, availabilityZoneId: `${zoneIdPrefix(region)}-az1`, tags: [] }],
    endpointServices: []
  }
}

/** The default topology plus a VPC of the network account, one subnet of which is shared with this account. */
export function withSharedVpc(topology: AwsTopology): AwsTopology {
  const region = topology.region
  return {
    ...topology,
    vpcs: [...topology.vpcs, { vpcId: SHARED_VPC_ID, ownerId: NETWORK_ACCOUNT_ID, cidrBlock: '10.60.0.0/16', isDefault: false, tags: [] }],
    subnets: [...topology.subnets, { subnetId: SHARED_SUBNET, vpcId: SHARED_VPC_ID, cidrBlock: '10.60.1.0/24', availabilityZone: `${region}a`, availabilityZoneId: `${zoneIdPrefix(region)}-az1`, tags: [] }]
  }
}
