// The EC2 emulator's stateful resources through the real SDK client: security groups and interface
// VPC endpoints, with the placement rules, idempotency, filters, paging and acceptance lifecycle.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcEndpointCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcEndpointsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointCommand,
  RevokeSecurityGroupIngressCommand,
  paginateDescribeVpcEndpoints,
  type CreateVpcEndpointCommandInput,
  type EC2Client
} from '@aws-sdk/client-ec2'
import {
  ACCOUNT_ID,
  OTHER_SUBNET,
  OTHER_VPC_ID,
  REGION,
  SUBNET_A,
  SUBNET_B,
  SUBNET_C,
  SUBNET_D,
  VPC_ID,
  ZILLIZ_SERVICE_NAME,
  seedTopology,
  startAwsEmulators,
  type AwsEmulators
} from '../emulators/aws/index.js'
import { assumeRole, caught, ec2For } from './support/aws-emulators.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('EC2 emulator: security groups', () => {
  let aws: AwsEmulators
  let ec2: EC2Client
  beforeAll(async () => {
    aws = await startAwsEmulators()
    ec2 = ec2For(aws, await assumeRole(aws))
  })
  afterAll(async () => aws.close())

  const https = (cidr: string) => [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: cidr, Description: 'link' }] }]

  it('creates a tagged group, refuses a duplicate name in the VPC and an unknown VPC', async () => {
    const created = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'zilliz-link',
        Description: 'Zilliz private link',
        VpcId: VPC_ID,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'managed-by', Value: 'zilliz-private-link' }] }]
      })
    )
    expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/)
    expect(created.SecurityGroupArn).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT_ID}:security-group/${created.GroupId}`)

    const duplicate = await caught(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'zilliz-link', Description: 'again', VpcId: VPC_ID })))
    expect(duplicate).toMatchObject({ name: 'InvalidGroup.Duplicate', message: `The security group 'zilliz-link' already exists for VPC '${VPC_ID}'` })
    await expect(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'zilliz-link', Description: 'x', VpcId: OTHER_VPC_ID }))).resolves.toBeDefined()
    const unknownVpc = await caught(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x', VpcId: 'vpc-nope' })))
    expect(unknownVpc.name).toBe('InvalidVpcID.NotFound')
  })

  it('finds groups by name, VPC and tag filters, and by id', async () => {
    const byName = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['zilliz-link'] }, { Name: 'vpc-id', Values: [VPC_ID] }] })
    )
    expect(byName.SecurityGroups).toHaveLength(1)
    const group = byName.SecurityGroups![0]!
    expect(group).toMatchObject({ GroupName: 'zilliz-link', VpcId: VPC_ID, Tags: [{ Key: 'managed-by', Value: 'zilliz-private-link' }] })
    const byTag = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:managed-by', Values: ['zilliz-*'] }] }))
    expect(byTag.SecurityGroups?.map((g) => g.GroupId)).toEqual([group.GroupId])
    const byKey = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: ['managed-by'] }] }))
    expect(byKey.SecurityGroups).toHaveLength(1)
    const defaults = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }))
    expect(defaults.SecurityGroups).toHaveLength(2)
    const unknown = await caught(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000dead'] })))
    expect(unknown).toMatchObject({ name: 'InvalidGroup.NotFound', message: "The security group 'sg-0000000000000dead' does not exist" })
  })

  it('authorizes ingress once, reports it in ipPermissions, refuses the duplicate, and revokes it', async () => {
    const [group] = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:managed-by', Values: ['zilliz-private-link'] }] })))
      .SecurityGroups!
    const GroupId = group!.GroupId!
    const granted = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: https('10.0.0.0/16') }))
    expect(granted.Return).toBe(true)
    expect(granted.SecurityGroupRules).toEqual([
      expect.objectContaining({ GroupId, IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '10.0.0.0/16' })
    ])
    expect(granted.SecurityGroupRules?.[0]?.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/)

    const duplicate = await caught(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: https('10.0.0.0/16') })))
    expect(duplicate.name).toBe('InvalidPermission.Duplicate')
    expect(duplicate.message).toBe('the specified rule "peer: 10.0.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists')

    const [described] = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }))).SecurityGroups!
    expect(described!.IpPermissions).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'link' }] })
    ])
    const byCidr = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.cidr', Values: ['10.0.0.0/16'] }] }))
    expect(byCidr.SecurityGroups?.map((g) => g.GroupId)).toEqual([GroupId])

    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: https('10.0.0.0/16') }))
    const [revoked] = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }))).SecurityGroups!
    expect(revoked!.IpPermissions).toEqual([])
    const again = await caught(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: https('10.0.0.0/16') })))
    expect(again.name).toBe('InvalidPermission.NotFound')
  })

  it('pages DescribeSecurityGroups with MaxResults and NextToken', async () => {
    const first = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }))
    expect(first.SecurityGroups).toHaveLength(4) // two defaults and two zilliz-link groups
    expect(first.NextToken).toBeUndefined()
    expect((await caught(ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 2 })))).name).toBe('InvalidParameterValue')
  })
})

describe('EC2 emulator: interface VPC endpoints', () => {
  let aws: AwsEmulators
  let ec2: EC2Client
  let groupId: string
  let otherGroupId: string
  const endpoint = (input: Partial<CreateVpcEndpointCommandInput> = {}) =>
    ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Interface',
        VpcId: VPC_ID,
        ServiceName: ZILLIZ_SERVICE_NAME,
        SubnetIds: [SUBNET_A, SUBNET_B],
        SecurityGroupIds: [groupId],
        PrivateDnsEnabled: false,
        ...input
      })
    )

  beforeAll(async () => {
    const topology = seedTopology()
    // A second subnet in us-west-2a for the one-subnet-per-AZ rule.
    topology.subnets.push({ ...topology.subnets[0]!, subnetId: 'subnet-0a99999999999999a', cidrBlock: '10.0.9.0/24' })
    aws = await startAwsEmulators({ topology })
    ec2 = ec2For(aws, await assumeRole(aws))
    groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'zilliz-link', Description: 'link', VpcId: VPC_ID }))).GroupId!
    otherGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'other', Description: 'x', VpcId: OTHER_VPC_ID }))).GroupId!
  })
  afterAll(async () => aws.close())

  it('creates a pendingAcceptance endpoint with DNS entries, interfaces, groups, tags and private IPs', async () => {
    const created = await endpoint({
      ClientToken: 'create-1',
      TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'Name', Value: 'zilliz' }] }]
    })
    const vpce = created.VpcEndpoint!
    expect(created.ClientToken).toBe('create-1')
    expect(vpce.VpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/)
    expect(vpce).toMatchObject({
      VpcEndpointType: 'Interface',
      VpcId: VPC_ID,
      ServiceName: ZILLIZ_SERVICE_NAME,
      State: 'pendingAcceptance',
      SubnetIds: [SUBNET_A, SUBNET_B],
      Groups: [{ GroupId: groupId, GroupName: 'zilliz-link' }],
      PrivateDnsEnabled: false,
      Tags: [{ Key: 'Name', Value: 'zilliz' }],
      OwnerId: ACCOUNT_ID
    })
    expect(vpce.NetworkInterfaceIds).toHaveLength(2)
    const dns = vpce.DnsEntries!.map((d) => d.DnsName!)
    expect(dns).toHaveLength(3)
    expect(dns[0]).toMatch(new RegExp(`^${vpce.VpcEndpointId}-[a-z0-9]{8}\\.vpce-svc-0ecd272cca7aa6d6e\\.us-west-2\\.vpce\\.amazonaws\\.com$`))
    expect(dns[1]).toContain('-us-west-2a.')
    expect(dns[2]).toContain('-us-west-2b.')
    expect(new Set(vpce.DnsEntries!.map((d) => d.HostedZoneId))).toEqual(new Set(['Z1YSA3EXCYUU9Z']))

    const ips = aws.ec2.privateIps(vpce.VpcEndpointId!)
    expect(ips).toHaveLength(2)
    expect(ips[0]).toMatch(/^10\.0\.1\.\d+$/)
    expect(ips[1]).toMatch(/^10\.0\.2\.\d+$/)
    expect(aws.ec2.resolve(`${dns[0]}.`)).toEqual(ips)
    expect(aws.ec2.resolve(dns[2]!)).toEqual([ips[1]])
    expect(aws.world.endpoints.has('aws', vpce.VpcEndpointId!)).toBe(true)
  })

  it('honours ClientToken: same parameters return the original endpoint, different ones are a mismatch', async () => {
    const count = aws.ec2.resources.endpoints.size
    const first = await endpoint({ ClientToken: 'token-42' })
    const retry = await endpoint({ ClientToken: 'token-42' })
    expect(retry.VpcEndpoint?.VpcEndpointId).toBe(first.VpcEndpoint?.VpcEndpointId)
    const mismatch = await caught(endpoint({ ClientToken: 'token-42', SubnetIds: [SUBNET_A, SUBNET_C] }))
    expect(mismatch.name).toBe('IdempotentParameterMismatch')
    expect(aws.ec2.resources.endpoints.size).toBe(count + 1)
  })

  it('enforces the real placement rules with the real error codes', async () => {
    const cases: Array<[Partial<CreateVpcEndpointCommandInput>, string, RegExp?]> = [
      [{ VpcId: 'vpc-nope' }, 'InvalidVpcID.NotFound'],
      [{ ServiceName: 'com.amazonaws.vpce.us-west-2.vpce-svc-nope' }, 'InvalidServiceName'],
      [{ SubnetIds: ['subnet-nope'] }, 'InvalidSubnetID.NotFound'],
      [{ SecurityGroupIds: ['sg-0000000000000dead'] }, 'InvalidGroup.NotFound'],
      [{ SubnetIds: [SUBNET_A, OTHER_SUBNET] }, 'InvalidParameter', /does not belong to the VPC/],
      [{ SubnetIds: [SUBNET_A, 'subnet-0a99999999999999a'] }, 'DuplicateSubnetsInSameZone'],
      [{ SubnetIds: [SUBNET_A, SUBNET_D] }, 'InvalidParameter', /availability zone us-west-2d .*subnet-0d44444444444444d/],
      [{ SecurityGroupIds: [otherGroupId] }, 'InvalidParameter', /belong to different networks/],
      [{ PrivateDnsEnabled: true }, 'InvalidParameter', /does not provide a private DNS name/],
      [{ VpcEndpointType: 'Gateway' }, 'InvalidParameter', /Endpoint type \(Gateway\)/]
    ]
    const before = aws.ec2.resources.endpoints.size
    for (const [input, code, message] of cases) {
      const failure = await caught(endpoint(input))
      expect({ input, name: failure.name }).toEqual({ input, name: code })
      if (message) expect(failure.message).toMatch(message)
      expect(failure.$metadata.httpStatusCode).toBe(400)
    }
    expect(aws.ec2.resources.endpoints.size).toBe(before)
  })

  it('turns available once the World reports acceptance, and rejected when it is withdrawn', async () => {
    const id = (await endpoint()).VpcEndpoint!.VpcEndpointId!
    const state = async () => (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!.State
    expect(await state()).toBe('pendingAcceptance')
    aws.world.setAccepted('aws', id, true)
    expect(await state()).toBe('available')
    aws.world.setAccepted('aws', id, false)
    expect(await state()).toBe('rejected')

    aws.ec2.acceptanceDelayMs = 150
    try {
      const slow = (await endpoint()).VpcEndpoint!.VpcEndpointId!
      aws.world.setAccepted('aws', slow, true)
      const slowState = async () => (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [slow] }))).VpcEndpoints![0]!.State
      expect(await slowState()).toBe('pending')
      await sleep(250)
      expect(await slowState()).toBe('available')
    } finally {
      aws.ec2.acceptanceDelayMs = 0
    }
  })

  it('filters DescribeVpcEndpoints and rejects unknown ids', async () => {
    const tagged = (await endpoint({ TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'zilliz:project', Value: 'proj-1' }] }] }))
      .VpcEndpoint!.VpcEndpointId!
    const find = async (Name: string, Values: string[]) =>
      (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name, Values }] }))).VpcEndpoints!.map((e) => e.VpcEndpointId)
    expect(await find('tag:zilliz:project', ['proj-1'])).toEqual([tagged])
    expect(await find('tag-key', ['zilliz:project'])).toEqual([tagged])
    expect(await find('vpc-id', [OTHER_VPC_ID])).toEqual([])
    expect(await find('service-name', [ZILLIZ_SERVICE_NAME])).toContain(tagged)
    expect(await find('vpc-endpoint-state', ['pendingAcceptance'])).toContain(tagged)
    expect(await find('vpc-endpoint-state', ['available'])).not.toContain(tagged)

    const unknown = await caught(ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0000000000000dead'] })))
    expect(unknown).toMatchObject({ name: 'InvalidVpcEndpointId.NotFound', message: "The Vpc Endpoint Id 'vpce-0000000000000dead' does not exist" })
  })

  it('pages DescribeVpcEndpoints through the SDK paginator', async () => {
    const total = aws.ec2.resources.endpoints.size
    expect(total).toBeGreaterThan(4)
    const pages: number[] = []
    const seen: string[] = []
    for await (const page of paginateDescribeVpcEndpoints({ client: ec2, pageSize: 2 }, {})) {
      pages.push(page.VpcEndpoints!.length)
      seen.push(...page.VpcEndpoints!.map((e) => e.VpcEndpointId!))
    }
    expect(pages.every((n) => n <= 2)).toBe(true)
    expect(pages.length).toBe(Math.ceil(total / 2))
    expect(new Set(seen).size).toBe(total)
    const bad = await caught(ec2.send(new DescribeVpcEndpointsCommand({ NextToken: 'garbage!' })))
    expect(bad.name).toBe('InvalidPaginationToken')
  })

  it('modifies subnets and groups under the same rules, moving private IPs with the subnets', async () => {
    const id = (await endpoint()).VpcEndpoint!.VpcEndpointId!
    const extraGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'extra', Description: 'x', VpcId: VPC_ID }))).GroupId!
    await ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [SUBNET_C], RemoveSubnetIds: [SUBNET_A], AddSecurityGroupIds: [extraGroup] })
    )
    const [after] = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints!
    expect(after!.SubnetIds).toEqual([SUBNET_B, SUBNET_C])
    expect(after!.Groups?.map((g) => g.GroupId)).toEqual([groupId, extraGroup])
    expect(aws.ec2.privateIps(id)[1]).toMatch(/^10\.0\.3\./)
    expect(after!.DnsEntries?.map((d) => d.DnsName)[2]).toContain('-us-west-2c.')

    const intoD = await caught(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [SUBNET_D] })))
    expect(intoD.name).toBe('InvalidParameter')
    const sameZone = await caught(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [SUBNET_B] })))
    expect(sameZone.name).toBe('DuplicateSubnetsInSameZone')
    const unknown = await caught(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-0000000000000dead', AddSubnetIds: [SUBNET_C] })))
    expect(unknown.name).toBe('InvalidVpcEndpointId.NotFound')
  })

  it('tags, deletes endpoints (reporting unknown ids as unsuccessful) and guards groups in use', async () => {
    const id = (await endpoint()).VpcEndpoint!.VpcEndpointId!
    await ec2.send(new CreateTagsCommand({ Resources: [id, groupId], Tags: [{ Key: 'owner', Value: 'ci' }] }))
    const [tagged] = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints!
    expect(tagged!.Tags).toEqual([{ Key: 'owner', Value: 'ci' }])
    expect((await caught(ec2.send(new CreateTagsCommand({ Resources: ['vpce-0000000000000dead'], Tags: [{ Key: 'a', Value: 'b' }] })))).name).toBe(
      'InvalidVpcEndpointId.NotFound'
    )

    const inUse = await caught(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))
    expect(inUse.name).toBe('DependencyViolation')

    const all = [...aws.ec2.resources.endpoints.keys()]
    const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [...all, 'vpce-0000000000000dead'] }))
    expect(deleted.Unsuccessful).toEqual([
      {
        ResourceId: 'vpce-0000000000000dead',
        Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: "The VpcEndpoint Id 'vpce-0000000000000dead' does not exist" }
      }
    ])
    // Deletion is asynchronous, as in EC2: deleting, then deleted once the interfaces are released.
    expect(aws.ec2.endpoint(id)?.state).toBe('deleting')
    expect((await caught(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).name).toBe('DependencyViolation')
    while (aws.ec2.endpoint(id)?.state !== 'deleted') await new Promise((resolve) => setTimeout(resolve, 20))
    expect(aws.world.endpoints.has('aws', id)).toBe(false)
    expect(aws.ec2.privateIps(id)).toEqual([])
    const [listed] = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints!
    expect(listed?.State).toBe('deleted')
    await expect(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))).resolves.toBeDefined()
  })
})
