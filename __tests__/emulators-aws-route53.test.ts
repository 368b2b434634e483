// The Route 53 emulator through the real SDK client: private zones tied to emulated VPCs, record
// changes with Route 53's batch errors, change status, listing order and tags.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { CreateSecurityGroupCommand, CreateVpcEndpointCommand } from '@aws-sdk/client-ec2'
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesByVPCCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  waitUntilResourceRecordSetsChanged,
  type Change,
  type Route53Client
} from '@aws-sdk/client-route-53'
import {
  OTHER_VPC_ID,
  REGION,
  SUBNET_A,
  SUBNET_B,
  VPC_ID,
  ZILLIZ_SERVICE_NAME,
  registerAmbientCredentials,
  startAwsEmulators,
  type AwsCredentials,
  type AwsEmulators
} from '../emulators/aws/index.js'
import { assumeRole, caught, ec2For, route53For } from './support/aws-emulators.js'

const ZONE = 'aws-us-west-2.vectordb.zillizcloud.com'
const HOST = `in01-0123456789abcdef-privatelink.${ZONE}`

describe('Route 53 emulator', () => {
  let aws: AwsEmulators
  let credentials: AwsCredentials
  let route53: Route53Client
  let zoneId: string
  let endpointDns: { DnsName?: string; HostedZoneId?: string }

  const alias = (Action: Change['Action'], Name = HOST, target = endpointDns): Change => ({
    Action,
    ResourceRecordSet: {
      Name,
      Type: 'A',
      AliasTarget: { HostedZoneId: target.HostedZoneId!, DNSName: target.DnsName!, EvaluateTargetHealth: false }
    }
  })
  const change = (...Changes: Change[]) =>
    route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes } }))
  const createZone = (CallerReference: string, Name = ZONE, VPCId = VPC_ID) =>
    route53.send(
      new CreateHostedZoneCommand({
        Name,
        CallerReference,
        VPC: { VPCRegion: REGION, VPCId },
        HostedZoneConfig: { Comment: 'zilliz private link', PrivateZone: true }
      })
    )

  beforeAll(async () => {
    aws = await startAwsEmulators()
    credentials = await assumeRole(aws)
    route53 = route53For(aws, credentials)
    const ec2 = ec2For(aws, credentials)
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'link', Description: 'link', VpcId: VPC_ID }))
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Interface',
        VpcId: VPC_ID,
        ServiceName: ZILLIZ_SERVICE_NAME,
        SubnetIds: [SUBNET_A, SUBNET_B],
        SecurityGroupIds: [GroupId!],
        PrivateDnsEnabled: false
      })
    )
    endpointDns = created.VpcEndpoint!.DnsEntries![0]!
  })
  afterAll(async () => aws.close())

  it('creates a private zone on a VPC: 201, Location, prefixed ids, PENDING change', async () => {
    const created = await createZone('run-1')
    zoneId = created.HostedZone!.Id!.replace('/hostedzone/', '')
    expect(created.HostedZone).toMatchObject({
      Id: expect.stringMatching(/^\/hostedzone\/Z[A-Z0-9]{21}$/),
      Name: `${ZONE}.`,
      CallerReference: 'run-1',
      Config: { Comment: 'zilliz private link', PrivateZone: true },
      ResourceRecordSetCount: 2
    })
    expect(created.Location).toBe(`https://route53.amazonaws.com/2013-04-01/hostedzone/${zoneId}`)
    expect(created.ChangeInfo).toMatchObject({ Id: expect.stringMatching(/^\/change\/C[A-Z0-9]{21}$/), Status: 'PENDING' })
    expect(created.VPC).toEqual({ VPCRegion: REGION, VPCId: VPC_ID })
    expect(created.DelegationSet).toBeUndefined()
    expect(aws.log.calls('route53').at(-1)).toMatchObject({ operation: 'CreateHostedZone', write: true, status: 201 })
  })

  it('refuses a reused CallerReference, a second same-name zone on the VPC and an unknown VPC', async () => {
    const reused = await caught(createZone('run-1', 'other.example.com'))
    expect(reused.name).toBe('HostedZoneAlreadyExists')
    expect(reused.$metadata.httpStatusCode).toBe(409)
    const conflicting = await caught(createZone('run-2'))
    expect(conflicting.name).toBe('ConflictingDomainExists')
    expect(conflicting.$metadata.httpStatusCode).toBe(400)
    const unknownVpc = await caught(createZone('run-3', ZONE, 'vpc-0000000000000dead'))
    expect(unknownVpc.name).toBe('InvalidVPCId')
  })

  it('gets the zone with its VPCs, and answers NoSuchHostedZone (404) for unknown ids', async () => {
    const zone = await route53.send(new GetHostedZoneCommand({ Id: `/hostedzone/${zoneId}` }))
    expect(zone.HostedZone?.Name).toBe(`${ZONE}.`)
    expect(zone.VPCs).toEqual([{ VPCRegion: REGION, VPCId: VPC_ID }])
    const missing = await caught(route53.send(new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE0000000000' })))
    expect(missing.name).toBe('NoSuchHostedZone')
    expect(missing.$metadata.httpStatusCode).toBe(404)
  })

  it('associates another VPC once; associating it again conflicts', async () => {
    const associated = await route53.send(
      new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC: { VPCRegion: REGION, VPCId: OTHER_VPC_ID } })
    )
    expect(associated.ChangeInfo?.Status).toBe('PENDING')
    const again = await caught(
      route53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC: { VPCRegion: REGION, VPCId: OTHER_VPC_ID } }))
    )
    expect(again.name).toBe('ConflictingDomainExists')
    const byVpc = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: OTHER_VPC_ID, VPCRegion: REGION }))
    expect(byVpc.HostedZoneSummaries).toEqual([{ HostedZoneId: zoneId, Name: `${ZONE}.`, Owner: { OwningAccount: aws.route53.accountId } }])
  })

  it('lists zones by name in reversed-label order with maxitems and a next marker', async () => {
    await createZone('run-4', 'a.example.com', OTHER_VPC_ID)
    await createZone('run-5', 'b.example.com', OTHER_VPC_ID)
    const first = await route53.send(new ListHostedZonesByNameCommand({ DNSName: 'a.example.com', MaxItems: 1 }))
    expect(first.HostedZones?.map((z) => z.Name)).toEqual(['a.example.com.'])
    expect(first).toMatchObject({ IsTruncated: true, NextDNSName: 'b.example.com.', MaxItems: 1 })
    const rest = await route53.send(new ListHostedZonesByNameCommand({ DNSName: first.NextDNSName, HostedZoneId: first.NextHostedZoneId }))
    expect(rest.HostedZones?.map((z) => z.Name)).toEqual(['b.example.com.', `${ZONE}.`])
    expect(rest.IsTruncated).toBe(false)
    const exact = await route53.send(new ListHostedZonesByNameCommand({ DNSName: ZONE, MaxItems: 1 }))
    expect(exact.HostedZones?.[0]?.Name).toBe(`${ZONE}.`)
  })

  it('UPSERTs an alias to the endpoint and lists it beside SOA and NS', async () => {
    const answer = await change(alias('UPSERT'))
    expect(answer.ChangeInfo?.Status).toBe('PENDING')
    await expect(change(alias('UPSERT'))).resolves.toBeDefined()
    const records = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    expect(records.ResourceRecordSets?.map((r) => [r.Name, r.Type])).toEqual([
      [`${ZONE}.`, 'NS'],
      [`${ZONE}.`, 'SOA'],
      [`${HOST}.`, 'A']
    ])
    expect(records.ResourceRecordSets?.[2]?.AliasTarget).toEqual({
      HostedZoneId: endpointDns.HostedZoneId,
      DNSName: `${endpointDns.DnsName}.`,
      EvaluateTargetHealth: false
    })
  })

  it("reports CREATE over an existing record and DELETE of a missing one as InvalidChangeBatch", async () => {
    const exists = await caught(change(alias('CREATE')))
    expect(exists.name).toBe('InvalidChangeBatch')
    expect(exists.message).toBe(`[Tried to create resource record set [name='${HOST}.', type='A'] but it already exists]`)
    const missing = await caught(change(alias('DELETE', `in01-missing.${ZONE}`)))
    expect(missing.message).toBe(`[Tried to delete resource record set [name='in01-missing.${ZONE}.', type='A'] but it was not found]`)
    expect(missing.$metadata.httpStatusCode).toBe(400)
  })

  it('keeps records inside the zone, requires EvaluateTargetHealth and a real alias target', async () => {
    const outside = await caught(change(alias('UPSERT', 'in01-x.example.org')))
    expect(outside).toMatchObject({ name: 'InvalidChangeBatch', message: `[RRSet with DNS name in01-x.example.org. is not permitted in zone ${ZONE}.]` })

    const noHealth = await caught(
      change({
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: HOST,
          Type: 'A',
          AliasTarget: { HostedZoneId: endpointDns.HostedZoneId!, DNSName: endpointDns.DnsName!, EvaluateTargetHealth: undefined }
        }
      })
    )
    expect(noHealth.name).toBe('InvalidInput')

    const unknownEndpoint = 'vpce-0000000000000dead-abcdefgh.vpce-svc-x.us-west-2.vpce.amazonaws.com'
    const nowhere = await caught(change(alias('UPSERT', HOST, { HostedZoneId: endpointDns.HostedZoneId, DnsName: unknownEndpoint })))
    expect(nowhere.name).toBe('InvalidChangeBatch')
    expect(nowhere.message).toMatch(/alias target name does not lie within the target zone/)

    const both = await caught(
      change({
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: HOST,
          Type: 'A',
          TTL: 60,
          ResourceRecords: [{ Value: '10.0.1.4' }],
          AliasTarget: alias('UPSERT').ResourceRecordSet!.AliasTarget
        }
      })
    )
    expect(both.name).toBe('InvalidInput')
  })

  it('applies a batch atomically: one bad change leaves every record as it was', async () => {
    const before = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets
    const failure = await caught(
      change(
        { Action: 'CREATE', ResourceRecordSet: { Name: `txt.${ZONE}`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"hello"' }] } },
        alias('CREATE')
      )
    )
    expect(failure.name).toBe('InvalidChangeBatch')
    expect((await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets).toEqual(before)
  })

  it('reports changes INSYNC, after a configurable delay', async () => {
    const { ChangeInfo } = await change(alias('UPSERT'))
    expect((await route53.send(new GetChangeCommand({ Id: ChangeInfo!.Id }))).ChangeInfo?.Status).toBe('INSYNC')

    aws.route53.zones.changeSyncDelayMs = 1200
    try {
      const slow = (await change(alias('UPSERT'))).ChangeInfo!
      expect((await route53.send(new GetChangeCommand({ Id: slow.Id }))).ChangeInfo?.Status).toBe('PENDING')
      const waited = await waitUntilResourceRecordSetsChanged({ client: route53, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { Id: slow.Id })
      expect(waited.state).toBe('SUCCESS')
    } finally {
      aws.route53.zones.changeSyncDelayMs = 0
    }
    const unknown = await caught(route53.send(new GetChangeCommand({ Id: 'CNOSUCHCHANGE00000000' })))
    expect(unknown.name).toBe('NoSuchChange')
  })

  it('tags hosted zones', async () => {
    await route53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'hostedzone',
        ResourceId: zoneId,
        AddTags: [
          { Key: 'managed-by', Value: 'zilliz-private-link' },
          { Key: 'temp', Value: 'x' }
        ]
      })
    )
    await route53.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId, RemoveTagKeys: ['temp'] }))
    const tags = await route53.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId }))
    expect(tags.ResourceTagSet).toEqual({ ResourceType: 'hostedzone', ResourceId: zoneId, Tags: [{ Key: 'managed-by', Value: 'zilliz-private-link' }] })
  })

  it('accepts the documented /rrset/ path with a trailing slash', async () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0`
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
      `<ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>cname.${ZONE}</Name><Type>CNAME</Type><TTL>60</TTL>` +
      `<ResourceRecords><ResourceRecord><Value>${HOST}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>` +
      '</ChangeResourceRecordSetsRequest>'
    const response = await fetch(`${aws.urls.route53}/2013-04-01/hostedzone/${zoneId}/rrset/`, {
      method: 'POST',
      headers: { authorization, 'x-amz-security-token': credentials.sessionToken!, 'content-type': 'application/xml' },
      body
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<Status>PENDING</Status>')
  })

  it('refuses unknown credentials with InvalidClientTokenId (403) and logs no write', async () => {
    const stranger = route53For(aws, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' })
    const writesBefore = aws.log.writes('route53').length
    const refused = await caught(stranger.send(new CreateHostedZoneCommand({ Name: 'x.example.com', CallerReference: 'stranger' })))
    expect(refused).toMatchObject({ name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' })
    expect(refused.$metadata.httpStatusCode).toBe(403)
    expect(aws.log.writes('route53')).toHaveLength(writesBefore)

    const ambient = route53For(aws, registerAmbientCredentials(aws.world))
    expect((await ambient.send(new GetHostedZoneCommand({ Id: zoneId }))).HostedZone?.Id).toBe(`/hostedzone/${zoneId}`)
  })
})
