// Observes the VPC, its subnets and the region's Zilliz endpoint service, and checks the inputs against
// them (in that VPC, one subnet per AZ, AZs the service offers) before anything is written.
import { DescribeSubnetsCommand, DescribeVpcEndpointServicesCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import type { AwsSettings } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import { early } from '../../base/settle.js'
import { SHARED_HELP } from './zone-vpcs.js'

export interface AwsNetwork {
  vpcId: string
  vpcCidrs: string[]
  subnets: { id: string; zone: string; zoneId?: string }[]
  serviceName: string
  serviceZones: string[]
  servicePrivateDns: boolean
  /** The VPC's DHCP option set ('default': none) */
  dhcpOptionsId?: string
}

const notFound = (error: unknown, code: string) => (error as { name?: string }).name === code

/**
 * `account`: the account the endpoint's role acts in, when known; a VPC another account owns is refused.
 * The three reads need nothing from each other and go out at once; their answers are checked in the order
 * below, so with several wrong inputs the error still names the VPC first, then the subnets.
 */
export async function observeNetwork(ec2: EC2Client, settings: AwsSettings, serviceName: string, account?: string): Promise<AwsNetwork> {
  const vpcRead = early(ec2.send(new DescribeVpcsCommand({ VpcIds: [settings.vpcId] })))
  const subnetsRead = early(ec2.send(new DescribeSubnetsCommand({ SubnetIds: settings.subnetIds })))
  const servicesRead = early(ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] })))
  const vpcs = await vpcRead.catch((error: unknown) => {
    if (notFound(error, 'InvalidVpcID.NotFound'))
      throw new InputError('aws-vpc-id', `VPC ${settings.vpcId} does not exist in ${settings.region} for these credentials. Check the id and the region.`)
    throw error
  })
  const vpc = vpcs.Vpcs?.[0]
  // A VPC shared through RAM: the participant sees it and its shared subnets, but interface endpoints in it are
  // the owner's to create (AWS answers a participant "This operation does not support shared VPCs").
  if (account && vpc?.OwnerId && vpc.OwnerId !== account)
    throw new InputError(
      'aws-vpc-id',
      `${settings.vpcId} belongs to account ${vpc.OwnerId} and is shared with ${account} through RAM. Participants may create security groups and network interfaces in shared subnets, but interface endpoints are the VPC owner's, and so are the VPC's zone associations (${SHARED_HELP}). Run the action with a role of ${vpc.OwnerId} in aws-role-arn.`
    )
  const vpcCidrs = [
    ...new Set([vpc?.CidrBlock, ...(vpc?.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter((c): c is string => Boolean(c)))
  ]

  const described = await subnetsRead.catch((error: unknown) => {
    if (notFound(error, 'InvalidSubnetID.NotFound'))
      throw new InputError('aws-subnet-ids', `${(error as Error).message}. List subnets of ${settings.vpcId} in ${settings.region} that the account sees (of a VPC shared through RAM, only the subnets shared with it).`)
    throw error
  })
  const subnets = (described.Subnets ?? []).map((s) => ({ id: s.SubnetId ?? '', zone: s.AvailabilityZone ?? '', zoneId: s.AvailabilityZoneId, vpcId: s.VpcId }))
  const outside = subnets.filter((s) => s.vpcId !== settings.vpcId)
  if (outside.length)
    throw new InputError('aws-subnet-ids', `${outside.map((s) => `${s.id} is in ${s.vpcId}`).join(', ')}, not in ${settings.vpcId}. Use subnets of ${settings.vpcId}.`)

  const byZone = new Map<string, string[]>()
  for (const s of subnets) byZone.set(s.zone, [...(byZone.get(s.zone) ?? []), s.id])
  const shared = [...byZone.entries()].filter(([, ids]) => ids.length > 1)
  if (shared.length)
    throw new InputError('aws-subnet-ids', `an interface endpoint takes one subnet per availability zone; ${shared.map(([z, ids]) => `${ids.join(' and ')} are both in ${z}`).join('; ')}. Keep one subnet per zone.`)

  const services = await servicesRead.catch((error: unknown) => {
    if (notFound(error, 'InvalidServiceName'))
      throw new Error(`Zilliz's endpoint service ${serviceName} is not visible from ${settings.region} in this account (${(error as Error).message}). Check that zilliz-region-id matches the VPC's region.`)
    throw error
  })
  const detail = services.ServiceDetails?.[0]
  const serviceZones = detail?.AvailabilityZones ?? []
  const unsupported = subnets.filter((s) => !serviceZones.includes(s.zone))
  if (unsupported.length)
    throw new InputError(
      'aws-subnet-ids',
      `the Zilliz endpoint service is offered in ${serviceZones.join(', ')} only; ${unsupported.map((s) => `${s.id} is in ${s.zone}`).join(', ')}. Use subnets in the offered zones.`
    )

  return {
    vpcId: settings.vpcId,
    vpcCidrs,
    subnets: subnets.map(({ id, zone, zoneId }) => ({ id, zone, zoneId })),
    serviceName,
    serviceZones,
    servicePrivateDns: Boolean(detail?.PrivateDnsName),
    dhcpOptionsId: vpc?.DhcpOptionsId
  }
}
