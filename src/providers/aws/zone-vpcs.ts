// Where the private zones live and which VPCs they serve: the endpoint's VPC and aws-dns-vpc-ids, each with
// the account that owns it, and the account that holds the zones (aws-dns-role-arn's, else the endpoint's).
// Route 53 lets only a VPC's owner put it on a zone, and a zone of another account only after that
// account authorized the VPC; so each VPC carries the clients of its owner, and every rule that follows
// from ownership is checked here, from DescribeVpcs, before anything is written.
import { DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import type { Route53Client } from '@aws-sdk/client-route-53'
import type { AwsSettings } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import { TAG_PREFIX } from '../../engine/ownership.js'

/**
 * The zone tag listing the VPCs the action associated besides the endpoint's (which the CallerReference
 * proves): Route 53 associations carry no tags of their own.
 */
export const VPCS_TAG = `${TAG_PREFIX}vpcs`

export const recordVpcsTags = (vpcIds: string[]): Record<string, string> => ({ [VPCS_TAG]: [...new Set(vpcIds)].sort().join(' ') })

export const recordedVpcs = (tags: Map<string, string> | Record<string, string>): string[] => {
  const value = tags instanceof Map ? tags.get(VPCS_TAG) : tags[VPCS_TAG]
  return (value ?? '').split(' ').filter(Boolean)
}

/** The credentials of one role and the account they act in. */
export interface AwsSide {
  /** 'endpoint' (aws-role-arn or the runner's credentials) or 'dns' (aws-dns-role-arn) */
  role: 'endpoint' | 'dns'
  account: string
  ec2: EC2Client
  route53: Route53Client
}

export interface ZoneVpc {
  vpcId: string
  region: string
  /** The role of the account that owns the VPC: the only one that may associate it */
  side: AwsSide
}

export interface ZoneTopology {
  /** The role whose account holds (or is to hold) the zones */
  zones: AwsSide
  /** The endpoint's VPC */
  endpointVpc: ZoneVpc
  /** aws-dns-vpc-ids, in input order */
  extraVpcs: ZoneVpc[]
  /** The VPC a new zone is created with (Route 53 takes one of the zone account's own); undefined: none given */
  home?: ZoneVpc
}

export const allVpcs = (t: ZoneTopology): ZoneVpc[] => [t.endpointVpc, ...t.extraVpcs]

/** The association needs the zone account's authorization first: the VPC belongs to another account. */
export const crossAccount = (t: ZoneTopology, vpc: ZoneVpc): boolean => vpc.side.account !== t.zones.account

/** VPC id → owner account, for the VPCs the caller sees (its own and those shared with it). */
async function owners(ec2: EC2Client, vpcIds: string[]): Promise<Map<string, string>> {
  if (!vpcIds.length) return new Map()
  // A filter, not VpcIds: an id the account cannot see is left out instead of failing the whole call.
  const out = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] }))
  return new Map((out.Vpcs ?? []).map((v) => [v.VpcId ?? '', v.OwnerId ?? '']))
}

export const SHARED_HELP = 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-share-limitations.html'

export interface TopologyInput {
  settings: AwsSettings
  endpoint: AwsSide
  dns?: AwsSide
}

export async function resolveZoneTopology(input: TopologyInput): Promise<ZoneTopology> {
  const { settings, endpoint, dns } = input
  const region = settings.region
  const zones = dns ?? endpoint
  const endpointVpc: ZoneVpc = { vpcId: settings.vpcId, region, side: endpoint }
  const seenByEndpoint = await owners(endpoint.ec2, settings.dnsVpcIds)
  const unseen = settings.dnsVpcIds.filter((id) => !seenByEndpoint.has(id))
  const seenByDns = dns ? await owners(dns.ec2, unseen) : new Map<string, string>()
  const extraVpcs = settings.dnsVpcIds.map((vpcId): ZoneVpc => {
    const owner = seenByEndpoint.get(vpcId) ?? seenByDns.get(vpcId)
    const side = owner === endpoint.account ? endpoint : owner !== undefined && owner === dns?.account ? dns : undefined
    if (side) return { vpcId, region, side }
    if (owner === undefined)
      throw new InputError(
        'aws-dns-vpc-ids',
        `${vpcId} does not exist in ${region} for account ${endpoint.account}${dns ? ` or ${dns.account} (aws-dns-role-arn)` : ''}. List VPCs of ${dns ? 'these accounts' : 'the endpoint\'s account, or set aws-dns-role-arn to the role of the account that owns it'}.`
      )
    throw new InputError(
      'aws-dns-vpc-ids',
      `${vpcId} belongs to account ${owner} and is only shared with this one through RAM; Route 53 lets only the VPC's owner associate it with a private hosted zone (${SHARED_HELP}). Associate it from ${owner}, or remove it from aws-dns-vpc-ids.`
    )
  })
  const home = [endpointVpc, ...extraVpcs].find((v) => v.side.account === zones.account)
  return { zones, endpointVpc, extraVpcs, ...(home ? { home } : {}) }
}

/** Why a zone cannot be created: Route 53 creates a private zone with one VPC of the zone's own account. */
export function noHomeVpc(t: ZoneTopology): InputError {
  return new InputError(
    'aws-dns-vpc-ids',
    `lists no VPC of account ${t.zones.account}, which holds the zones (aws-dns-role-arn). Route 53 creates a private hosted zone with a VPC of the zone's own account, and only then can ${t.endpointVpc.vpcId} of ${t.endpointVpc.side.account} be authorized and associated. Add a VPC of ${t.zones.account}, such as its hub or shared-services VPC.`
  )
}
