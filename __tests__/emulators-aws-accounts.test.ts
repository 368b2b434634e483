// The AWS emulators with several accounts, through the real SDK clients: each account's EC2 behind one
// endpoint, Route 53's cross-account rules for private zones (authorize in the zone's account, associate
// from the VPC's, with Route 53's own errors), VPCs shared through RAM, and role permission policies.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { CreateSecurityGroupCommand, CreateVpcEndpointCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import {
  AssociateVPCWithHostedZoneCommand,
  CreateHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  ListVPCAssociationAuthorizationsCommand
} from '@aws-sdk/client-route-53'
import {
  DNS_ACCOUNT_ID,
  DNS_ROLE_ARN,
  dnsAccountTopology,
  HUB_VPC_ID,
  NETWORK_ACCOUNT_ID,
  ROLE_ARN,
  ROLE_TRUSTED_SUBJECT,
  SHARED_SUBNET,
  SHARED_VPC_ID,
  seedTopology,
  startAwsEmulators,
  VPC_ID,
  withSharedVpc,
  ZILLIZ_SERVICE_NAME,
  type AwsCredentials,
  type AwsEmulators
} from '../emulators/aws/index.js'
import { assumeRole, caught, ec2For, route53For } from './support/aws-emulators.js'

const HOST = 'in01-0123456789abcdef-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const REGION = 'us-west-2'

describe('AWS emulators with several accounts', () => {
  let aws: AwsEmulators
  let app: AwsCredentials
  let dns: AwsCredentials
  beforeAll(async () => {
    aws = await startAwsEmulators({ accounts: [dnsAccountTopology()], topology: withSharedVpc(seedTopology()), trust: { [ROLE_ARN]: ROLE_TRUSTED_SUBJECT, [DNS_ROLE_ARN]: ROLE_TRUSTED_SUBJECT } })
    app = await assumeRole(aws, ROLE_ARN)
    dns = await assumeRole(aws, DNS_ROLE_ARN)
  })
  afterAll(async () => {
    await aws.close()
  })

  it('charges each call to the rate-limit buckets of the calling account', async () => {
    aws.switches.rateLimits.reset()
    // The endpoint account's Route 53 bucket holds a single token: its second call is throttled, the DNS account's are not.
    aws.switches.rateLimits.overrides.set(`route53:${ROLE_ARN.split(':')[4]}`, { capacity: 1, refillPerSecond: 0.001 })
    try {
      const listed = (credentials: AwsCredentials) => route53For(aws, credentials).send(new ListHostedZonesByVPCCommand({ VPCId: VPC_ID, VPCRegion: REGION }))
      await listed(app)
      expect((await caught(listed(app))).name).toBe('Throttling')
      for (let i = 0; i < 3; i++) await route53For(aws, dns).send(new ListHostedZonesByVPCCommand({ VPCId: HUB_VPC_ID, VPCRegion: REGION }))
    } finally {
      aws.switches.rateLimits.overrides.clear()
      aws.switches.rateLimits.reset()
    }
  })

  it('serves each account its own VPCs at one EC2 endpoint, a shared VPC with its owner', async () => {
    const mine = await ec2For(aws, app).send(new DescribeVpcsCommand({}))
    const theirs = await ec2For(aws, dns).send(new DescribeVpcsCommand({}))
    expect(theirs.Vpcs?.map((v) => [v.VpcId, v.OwnerId])).toEqual([[HUB_VPC_ID, DNS_ACCOUNT_ID]])
    expect(mine.Vpcs?.find((v) => v.VpcId === SHARED_VPC_ID)?.OwnerId).toBe(NETWORK_ACCOUNT_ID)
    expect(mine.Vpcs?.some((v) => v.VpcId === HUB_VPC_ID)).toBe(false)
  })

  it('lets a participant create a security group in a shared VPC, but not an interface endpoint', async () => {
    const ec2 = ec2For(aws, app)
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'participant', Description: 'participant', VpcId: SHARED_VPC_ID }))
    const refused = await caught(ec2.send(new CreateVpcEndpointCommand({ VpcEndpointType: 'Interface', VpcId: SHARED_VPC_ID, ServiceName: ZILLIZ_SERVICE_NAME, SubnetIds: [SHARED_SUBNET] })))
    expect([refused.name, refused.message]).toEqual(['UnauthorizedOperation', 'This operation does not support shared VPCs.'])
  })

  it('associates a VPC with another account\'s zone only after that account authorized it, and keeps the authorization until deleted', async () => {
    const zones = route53For(aws, dns)
    const vpcSide = route53For(aws, app)
    const created = await zones.send(new CreateHostedZoneCommand({ Name: HOST, CallerReference: 'accounts-1', VPC: { VPCId: HUB_VPC_ID, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true } }))
    const zoneId = created.HostedZone!.Id!.replace('/hostedzone/', '')
    const VPC = { VPCId: VPC_ID, VPCRegion: REGION } as const

    const unauthorized = await caught(vpcSide.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC })))
    expect([unauthorized.name, unauthorized.$metadata.httpStatusCode]).toEqual(['NotAuthorizedException', 401])
    // The VPC's account cannot read or authorize on the zone; the zone's account cannot associate a VPC it does not own.
    expect((await caught(vpcSide.send(new GetHostedZoneCommand({ Id: zoneId })))).name).toBe('AccessDenied')
    expect((await caught(vpcSide.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC })))).name).toBe('AccessDenied')
    expect((await caught(zones.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC })))).name).toBe('InvalidVPCId')

    const authorized = await zones.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }))
    expect(authorized).toMatchObject({ HostedZoneId: zoneId, VPC })
    await zones.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }))
    expect((await zones.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zoneId }))).VPCs).toEqual([VPC])

    await vpcSide.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC }))
    const again = await caught(vpcSide.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC })))
    expect(again.name).toBe('ConflictingDomainExists')
    const listed = await vpcSide.send(new ListHostedZonesByVPCCommand({ VPCId: VPC_ID, VPCRegion: REGION }))
    expect(listed.HostedZoneSummaries?.find((z) => z.HostedZoneId === zoneId)?.Owner?.OwningAccount).toBe(DNS_ACCOUNT_ID)
    expect((await zones.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: zoneId }))).VPCs).toEqual([VPC])

    await zones.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }))
    const gone = await caught(zones.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC })))
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['VPCAssociationAuthorizationNotFound', 404])
    // Deleting the authorization leaves the association; the VPC's own account may still disassociate it.
    expect((await zones.send(new GetHostedZoneCommand({ Id: zoneId }))).VPCs?.map((v) => v.VPCId).sort()).toEqual([HUB_VPC_ID, VPC_ID].sort())
    await vpcSide.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zoneId, VPC }))
  })

  it('denies what a role\'s policy does not allow, naming the role and the action', async () => {
    aws.iam.deny(DNS_ROLE_ARN, 'route53:CreateHostedZone', ['route53:ListHostedZonesByVPC', 'ec2:DescribeVpcs'])
    const denied = await caught(route53For(aws, dns).send(new CreateHostedZoneCommand({ Name: HOST, CallerReference: 'accounts-2', VPC: { VPCId: HUB_VPC_ID, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true } })))
    expect(denied.name).toBe('AccessDenied')
    expect(denied.message).toContain(`User: arn:aws:sts::${DNS_ACCOUNT_ID}:assumed-role/zilliz-private-link-dns/`)
    expect(denied.message).toContain('is not authorized to perform: route53:CreateHostedZone')
    const ec2Denied = await caught(ec2For(aws, dns).send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x', VpcId: HUB_VPC_ID })))
    expect([ec2Denied.name, ec2Denied.message]).toEqual(['UnauthorizedOperation', expect.stringContaining('is not authorized to perform: ec2:CreateSecurityGroup')])
    await route53For(aws, dns).send(new ListHostedZonesByVPCCommand({ VPCId: HUB_VPC_ID, VPCRegion: REGION }))
  })
})
