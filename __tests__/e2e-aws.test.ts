// The whole action on AWS: run() exactly as the runner drives it, through the real AWS SDK clients,
// against the loopback emulators. Assertions read the emulators' call log and state.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { CreateVpcEndpointCommand, DescribeVpcEndpointsCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2'
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListTagsForResourceCommand } from '@aws-sdk/client-route-53'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import type { CallRecord } from '../emulators/core/service.js'
import { OTHER_VPC_ID, registerAmbientCredentials, SUBNET_A, SUBNET_B, VPC_ID, ZILLIZ_SERVICE_NAME } from '../emulators/aws/index.js'
import { MANAGED_BY_TAG, PROJECT_TAG } from '../src/engine/ownership.js'
import { zoneCallerReference } from '../src/providers/aws/dns.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { ec2For, route53For } from './support/aws-emulators.js'
import { expectApplyCorrects, expectFreshPlan, expectNamedError, expectNoOidcToken, expectPlanAfterApplyConverged, expectReapplyKeepsEverything, expectRegistrationRefused, expectSuccess, expectVerifiedApply, expectWaitTimedOut, planStep, planSteps, sortedWrites, unmaskedLog, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({ ...emulators.env, ...awsInputs(emulators, overrides), ...env })

const writes = () => sortedWrites(emulators.log)

const callsOf = (read: string) => emulators.log.calls(read.split(':')[0]).filter((r) => r.operation === read.split(':')[1])
const firstCall = (read: string) => callsOf(read)[0] as CallRecord
const lastCall = (read: string) => callsOf(read).at(-1) as CallRecord

/** Every call arrived before any of them was answered (the emulators count arrivals and answers on one counter). */
function expectOneRound(calls: CallRecord[]): void {
  expect(calls.every((c) => c !== undefined)).toBe(true)
  const lastArrival = Math.max(...calls.map((c) => c.arrived as number))
  const firstAnswer = Math.min(...calls.map((c) => c.answered as number))
  expect(lastArrival).toBeLessThan(firstAnswer)
}

const FRESH_APPLY_WRITES = [
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:CreateSecurityGroup',
  'ec2:CreateVpcEndpoint',
  'route53:ChangeResourceRecordSets',
  'route53:ChangeResourceRecordSets',
  'route53:ChangeTagsForResource',
  'route53:ChangeTagsForResource',
  'route53:CreateHostedZone',
  'route53:CreateHostedZone',
  'zilliz:CreatePrivateEndpoint'
]

function ambient(): Record<string, string> {
  const creds = registerAmbientCredentials(emulators.world)
  return { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }
}

describe('apply', () => {
  it('creates exactly the expected resources on a fresh world and verifies the link', async () => {
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    expect(result.outputs['has-changes']).toBe('true')
    // The group and its inbound rules are two steps: the endpoint's create goes out beside the rules.
    expect(result.outputs['changes-count']).toBe('8')
    const endpoints = [...emulators.aws.ec2.resources.endpoints.values()]
    expect(endpoints).toHaveLength(1)
    expect(endpoints[0]?.state).toBe('available')
    expect(endpoints[0]?.privateDnsEnabled).toBe(false)
    expect(result.outputs['endpoint-id']).toBe(endpoints[0]?.vpcEndpointId)
    expect(JSON.parse(result.outputs['dns-zone-ids'] ?? '[]')).toHaveLength(2)
    expect(result.outputs['private-link']).toBe(`${ZILLIZ_SEED.clusters.aws[0]}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`)
    expect(result.summary).toContain('APPLY')
    expect(result.summary).toContain('```mermaid')
  })

  it('makes zero writes when run again, and says there is nothing to change', async () => {
    await expectReapplyKeepsEverything(run, emulators.log)
  })

  it('covers only the clusters named in cluster-ids', async () => {
    const result = await run({ mode: 'apply', 'cluster-ids': ZILLIZ_SEED.clusters.aws[1] })
    expectSuccess(result)
    expect(Object.keys(JSON.parse(result.outputs['private-links'] ?? '{}'))).toEqual([ZILLIZ_SEED.clusters.aws[1]])
    expect(emulators.log.count('CreateHostedZone', 'route53')).toBe(1)
  })

  it('uses the security groups the user gives, without creating or changing any', async () => {
    const sg = [...emulators.aws.ec2.resources.groups.values()].find((g) => g.vpcId === VPC_ID)!
    const sgId = sg.groupId
    const result = await run({ mode: 'apply', 'aws-security-group-ids': sgId })
    // The default group admits nothing from the VPC CIDR on the link ports: verification says so.
    expect(emulators.log.count('CreateSecurityGroup', 'ec2')).toBe(0)
    expect(emulators.log.count('AuthorizeSecurityGroupIngress', 'ec2')).toBe(0)
    const ports = verificationChecks(result).find((c) => c.id === 'security-group-ports')
    expect(ports?.status).toBe('fail')
    expect(ports?.fix).toContain(sgId)
    expect(result.exitCode).toBe(1)
  })

  it('works with ambient credentials and no aws-role-arn', async () => {
    const result = await run({ mode: 'apply', 'aws-role-arn': '' }, ambient())
    expectSuccess(result)
    expect(emulators.log.count('AssumeRoleWithWebIdentity', 'sts')).toBe(0)
    expect(result.summary).toContain('ambient AWS credentials')
  })
})

describe('plan', () => {
  it('makes zero writes on a fresh world and lists every change', async () => {
    const result = await run({ mode: 'plan' })
    expectFreshPlan(result, writes(), ['create security-group', 'create vpc-endpoint', 'create zilliz-registration', `create dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`])
    expect(result.summary).toContain('PLAN')
  })

  it('makes zero writes after an apply and reports no changes', async () => {
    await expectPlanAfterApplyConverged(run, emulators.log)
  })

  it('sends every read of the observation before the first is answered', async () => {
    // Each read's answer is held back; a plan that waited for one answer before sending the next read would
    // have that answer counted before the next read's arrival.
    const reads = ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeVpcEndpointServices', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcEndpoints', 'route53:ListHostedZonesByVPC', 'route53:ListHostedZonesByName']
    for (const read of reads) emulators.switches.latency[read] = 300
    expectSuccess(await run({ mode: 'plan' }))
    expectOneRound(reads.map((read) => firstCall(read)))
  })

  it('plans on pull_request when the mode is auto', async () => {
    const result = await run({}, { GITHUB_EVENT_NAME: 'pull_request' })
    expectSuccess(result)
    expect(result.outputs['mode']).toBe('plan')
    expect(writes()).toEqual([])
  })

  it('fails on changes when fail-on-changes is set (drift check)', async () => {
    const result = await run({ mode: 'plan', 'fail-on-changes': 'true' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('fail-on-changes')
    expect(writes()).toEqual([])
  })
})

describe('adoption and drift', () => {
  it('adopts an endpoint made by hand instead of creating a second one', async () => {
    const creds = registerAmbientCredentials(emulators.world)
    const ec2 = ec2For(emulators.aws, creds)
    const made = await ec2.send(
      new CreateVpcEndpointCommand({ VpcEndpointType: 'Interface', VpcId: VPC_ID, ServiceName: ZILLIZ_SERVICE_NAME, SubnetIds: [SUBNET_A, SUBNET_B], PrivateDnsEnabled: false })
    )
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('CreateVpcEndpoint', 'ec2')).toBe(0)
    expect(result.outputs['endpoint-id']).toBe(made.VpcEndpoint?.VpcEndpointId)
    const step = planStep(result, 'vpc-endpoint')
    expect(step?.action).toBe('update')
    expect(step?.reason).toContain('adopted')
    // The adopted endpoint got the missing subnet and the managed group added, nothing removed.
    const described = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [made.VpcEndpoint!.VpcEndpointId!] }))
    expect(described.VpcEndpoints?.[0]?.SubnetIds?.length).toBe(3)
  })

  it('uses a private zone someone else associated with the VPC for the record, without tagging or claiming it', async () => {
    const creds = registerAmbientCredentials(emulators.world)
    const host = `${ZILLIZ_SEED.clusters.aws[0]}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`
    const made = await route53For(emulators.aws, creds).send(
      new CreateHostedZoneCommand({ Name: host, CallerReference: 'made-by-hand', VPC: { VPCId: VPC_ID, VPCRegion: 'us-west-2' }, HostedZoneConfig: { PrivateZone: true } })
    )
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('CreateHostedZone', 'route53')).toBe(1)
    const step = planStep(result, `dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`)
    expect(step?.action).toBe('keep')
    expect(step?.reason).toContain('not created by this action')
    // One tagging call: the zone the action created for the second cluster; the user's zone has no tags.
    expect(emulators.log.count('ChangeTagsForResource', 'route53')).toBe(1)
    expect(await zoneTags(made.HostedZone!.Id!)).toEqual({})
  })

  it('reads the Zilliz side and sweeps in one round each, creates the endpoint beside the group\'s rules, and reads what apply left in one round', async () => {
    const verifyReads = ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'route53:ListHostedZonesByVPC', 'route53:ListResourceRecordSets']
    const zillizReads = ['zilliz:ListPrivateEndpointServices', 'zilliz:ListClusters', 'zilliz:DescribeCluster', 'zilliz:ListPrivateEndpoints']
    for (const slow of ['ec2:AuthorizeSecurityGroupIngress', 'ec2:DescribeNetworkInsightsPaths', ...zillizReads, ...verifyReads]) emulators.switches.latency[slow] = 300
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    // The Zilliz side's service, clusters and registrations are read together.
    const clusterRead = emulators.log.calls('zilliz').find((c) => c.operation === 'DescribeCluster' || c.operation === 'ListClusters') as CallRecord
    expectOneRound([firstCall('zilliz:ListPrivateEndpointServices'), clusterRead, firstCall('zilliz:ListPrivateEndpoints')])
    // The sweep of expired proof resources lists insights paths and interfaces together, beside the
    // plan's observation (no plan reads proof resources), and its log is told whole before the plan.
    expectOneRound([firstCall('ec2:DescribeNetworkInsightsPaths'), firstCall('ec2:DescribeNetworkInterfaces'), firstCall('ec2:DescribeVpcs')])
    const lines = result.log.split('\n')
    const sweepGroup = lines.indexOf('::group::Remove expired proof resources')
    expect(sweepGroup).toBeGreaterThan(lines.indexOf('::group::Observe and plan'))
    expect(sweepGroup).toBeLessThan(lines.findIndex((line) => line.startsWith('create ')))
    // The endpoint needs only the group's id: its create is sent while the rules are still being added.
    const [rules, endpoint] = [firstCall('ec2:AuthorizeSecurityGroupIngress'), firstCall('ec2:CreateVpcEndpoint')]
    expect(endpoint.arrived).toBeLessThan(rules.answered as number)
    // Verification reads the endpoint, its interfaces and groups, the VPC's zones and the records together.
    expectOneRound(verifyReads.map((read) => lastCall(read)))
  })

  it('corrects a security group that lost a rule and a record that points elsewhere', async () => {
    const first = await run({ mode: 'apply' })
    expectSuccess(first)
    const creds = registerAmbientCredentials(emulators.world)
    const group = [...emulators.aws.ec2.resources.groups.values()].find((g) => g.groupName.startsWith('zilliz-pl-'))!
    await ec2For(emulators.aws, creds).send(
      new RevokeSecurityGroupIngressCommand({ GroupId: group.groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] })
    )
    const zoneId = JSON.parse(first.outputs['dns-zone-ids'] ?? '[]')[0]
    await route53For(emulators.aws, creds).send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: first.outputs['private-link'], Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.9.9.9' }] } }] }
      })
    )
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expect(planSteps(plan).filter((s) => s.action === 'update').map((s) => s.id).sort()).toEqual([`dns-record:${ZILLIZ_SEED.clusters.aws[0]}`, 'security-group-ingress'])
    expect(planStep(plan, 'security-group-ingress')?.reason).toContain('tcp/443')
    await expectApplyCorrects(run, emulators.log, ['ec2:AuthorizeSecurityGroupIngress', 'route53:ChangeResourceRecordSets'])
  })
})

async function zoneTags(zoneId: string): Promise<Record<string, string>> {
  const creds = registerAmbientCredentials(emulators.world)
  const out = await route53For(emulators.aws, creds).send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zoneId.replace('/hostedzone/', '') }))
  return Object.fromEntries((out.ResourceTagSet?.Tags ?? []).map((t) => [t.Key!, t.Value!]))
}

const zonesNamed = (host: string) => [...emulators.aws.route53.zones.zones.values()].filter((z) => z.name === `${host}.`)

describe('ownership of hosted zones', () => {
  const host = `${ZILLIZ_SEED.clusters.aws[0]}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`

  it('restores the tags of its own zone after a run stopped between creating and tagging it', async () => {
    // Every tagging call fails: the zones exist, carrying only the marker their create call held.
    emulators.switches.inject({ service: 'route53', operation: 'ChangeTagsForResource', status: 400, code: 'InvalidInput', message: 'stopped here', times: 2 })
    const crashed = await run({ mode: 'apply' })
    expect(crashed.exitCode).toBe(1)
    expect(zonesNamed(host)).toHaveLength(1)
    expect(zonesNamed(host)[0]?.tags.size).toBe(0)

    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    const step = planStep(plan, `dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`)
    expect(step?.action).toBe('update')
    expect(step?.reason).toMatch(/restore ownership tags .*zilliz-private-link:managed-by.*CallerReference/)
    expect(writes()).toEqual([])

    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(emulators.log.count('CreateHostedZone', 'route53')).toBe(0)
    expect(zonesNamed(host)).toHaveLength(1)
    const tags = await zoneTags(zonesNamed(host)[0]!.id)
    expect(tags[MANAGED_BY_TAG]).toBe('zilliz-private-link')
    expect(tags[PROJECT_TAG]).toBe(ZILLIZ_SEED.projectId)

    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('does not adopt a look-alike zone it cannot prove it created', async () => {
    const route53 = route53For(emulators.aws, registerAmbientCredentials(emulators.world))
    // Same name, private, not associated with this VPC, and carrying the action's marker, but the marker of
    // the zone for another VPC: not proof for this one.
    const lookAlikes = [
      await route53.send(
        new CreateHostedZoneCommand({
          Name: host,
          CallerReference: zoneCallerReference(host, OTHER_VPC_ID, ZILLIZ_SEED.projectId),
          VPC: { VPCId: OTHER_VPC_ID, VPCRegion: 'us-west-2' },
          HostedZoneConfig: { PrivateZone: true }
        })
      )
    ]
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(planStep(result, `dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`)?.action).toBe('create')
    expect(emulators.log.count('AssociateVPCWithHostedZone', 'route53')).toBe(0)
    expect(zonesNamed(host)).toHaveLength(2)
    for (const zone of lookAlikes) {
      const id = zone.HostedZone!.Id!.replace('/hostedzone/', '')
      expect(await zoneTags(id)).toEqual({})
      expect(emulators.aws.route53.zones.zones.get(id)?.vpcs.map((v) => v.vpcId)).toEqual([OTHER_VPC_ID])
    }
  })
})

describe('a host Zilliz allocates other than the documented pattern', () => {
  const CLUSTER = ZILLIZ_SEED.clusters.aws[0]!
  const GUESS = `${CLUSTER}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`
  const ALLOCATED = `${CLUSTER}.pl-us-west-2.vectordb.zillizcloud.com`
  const zoneNames = () => [...emulators.aws.route53.zones.zones.values()].map((z) => z.name.replace(/\.$/, '')).sort()

  it('replaces the zone made for the guess with one for the allocated host, saying why, and converges', async () => {
    emulators.zilliz.state.clusters.find((c) => c.clusterId === CLUSTER)!.privateLinkHost = ALLOCATED
    // The first run builds DNS from the pattern while Zilliz accepts; only then is the real host known.
    const first = await run({ mode: 'apply' })
    expect(zoneNames()).toContain(GUESS)
    expect(verificationChecks(first).find((c) => c.id === `private-link:${CLUSTER}`)?.status).toBe('fail')

    emulators.log.clear()
    const second = await run({ mode: 'apply' })
    expectSuccess(second)
    expect(planStep(second, `dns-zone-replaced:${CLUSTER}`)).toMatchObject({ action: 'delete', reason: expect.stringContaining(`Zilliz allocated ${ALLOCATED} for ${CLUSTER}, not the documented ${GUESS}`) })
    expect(zoneNames()).toContain(ALLOCATED)
    expect(zoneNames()).not.toContain(GUESS)
    expect(second.outputs['verified']).toBe('true')
    expect(writes().filter((w) => w.startsWith('route53:'))).toEqual([
      'route53:ChangeResourceRecordSets',
      'route53:ChangeResourceRecordSets',
      'route53:ChangeTagsForResource',
      'route53:CreateHostedZone',
      'route53:DeleteHostedZone'
    ])

    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('leaves a zone for the documented host that it did not create', async () => {
    const creds = registerAmbientCredentials(emulators.world)
    await route53For(emulators.aws, creds).send(
      new CreateHostedZoneCommand({ Name: GUESS, CallerReference: 'made-by-hand', VPC: { VPCId: VPC_ID, VPCRegion: 'us-west-2' }, HostedZoneConfig: { PrivateZone: true } })
    )
    expectSuccess(await run({ mode: 'apply' }))
    emulators.zilliz.state.clusters.find((c) => c.clusterId === CLUSTER)!.privateLinkHost = ALLOCATED
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(planStep(again, `dns-zone-replaced:${CLUSTER}`)).toBeUndefined()
    expect(zoneNames()).toEqual(expect.arrayContaining([GUESS, ALLOCATED]))
  })
})

describe('crash safety', () => {
  it('tags the security group and the endpoint in their create calls, so no crash leaves them unmarked', async () => {
    // The run stops right after the EC2 creates; no tagging call is ever made, yet both carry the tags.
    await expectRegistrationRefused(run, emulators.switches)
    expect(emulators.log.count('CreateTags', 'ec2')).toBe(0)
    const group = [...emulators.aws.ec2.resources.groups.values()].find((g) => g.groupName.startsWith('zilliz-pl-'))
    const endpoint = [...emulators.aws.ec2.resources.endpoints.values()][0]
    for (const tags of [group?.tags, endpoint?.tags]) {
      expect(tags).toContainEqual({ key: MANAGED_BY_TAG, value: 'zilliz-private-link' })
      expect(tags).toContainEqual({ key: PROJECT_TAG, value: ZILLIZ_SEED.projectId })
    }
  })

  it('a re-run after a failure mid-apply converges without duplicating anything', async () => {
    // Zilliz refuses the registration: the endpoint exists in EC2 but is not registered.
    await expectRegistrationRefused(run, emulators.switches)
    expect(emulators.aws.ec2.resources.endpoints.size).toBe(1)
    emulators.log.clear()
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(emulators.aws.ec2.resources.endpoints.size).toBe(1)
    expect(writes()).toEqual(['zilliz:CreatePrivateEndpoint'])
  })
})

describe('faults and throttling', () => {
  it('retries EC2 throttling and Zilliz 429s and still converges', async () => {
    emulators.switches.inject({ service: 'ec2', operation: 'CreateVpcEndpoint', status: 503, code: 'RequestLimitExceeded', times: 1 })
    emulators.switches.inject({ service: 'zilliz', operation: 'ListPrivateEndpoints', status: 429, code: '429', times: 2 })
    emulators.switches.inject({ service: 'route53', operation: 'ChangeResourceRecordSets', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 1 })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.aws.ec2.resources.endpoints.size).toBe(1)
    expect(emulators.log.calls('ec2').filter((c) => c.operation === 'CreateVpcEndpoint').map((c) => c.status)).toEqual([503, 200])
  })

  it('gets a fresh ID token for each AssumeRoleWithWebIdentity attempt', async () => {
    emulators.switches.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', status: 400, code: 'IDPCommunicationError', times: 1 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    const tokens = emulators.aws.sts.presented.map((p) => p.token)
    expect(emulators.log.count('AssumeRoleWithWebIdentity', 'sts')).toBe(2)
    expect(new Set(tokens).size).toBe(tokens.length)
    expect(emulators.aws.oidc.issued).toBe(2)
  })

  it('does not retry a role whose trust policy rejects the token, and shows the claims', async () => {
    emulators.aws.sts.allowRole('arn:aws:iam::123456789012:role/zilliz-private-link', 'repo:someone-else/*')
    const result = await run({ mode: 'plan' })
    expect(result.exitCode).toBe(1)
    expect(emulators.log.count('AssumeRoleWithWebIdentity', 'sts')).toBe(1)
    expect(result.log).toContain('sub: repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(result.log).toContain('trust policy')
    expect(emulators.log.calls('ec2')).toEqual([])
  })

  it('explains the three usual causes when apply has no OIDC token, before any call', async () => {
    const result = await run({ mode: 'apply' }, { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' })
    expectNoOidcToken(result)
    expect(result.log).toContain('fork')
    expect(emulators.log.calls()).toEqual([])
  })

  it('names what it waited for when the wait times out', async () => {
    await expectWaitTimedOut(run, emulators.zilliz, /waiting for (Zilliz to accept endpoint vpce-|VPC endpoint vpce-[0-9a-f]+ to become available)/)
  })

  it('reports a rejected Zilliz API key by the input name, never the key', async () => {
    const result = await run({ mode: 'plan', 'zilliz-api-key': 'zk-wrong-key-000000000000000000000000000' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('zilliz-api-key')
    expect(unmaskedLog(result)).not.toContain('zk-wrong-key-000000000000000000000000000')
    expect(writes()).toEqual([])
  })

  it('reports a Zilliz domain error (HTTP 200, code != 0) with its code', async () => {
    const result = await run({ mode: 'plan', 'zilliz-project-id': ZILLIZ_SEED.otherProjectId })
    expect(result.exitCode).toBe(1)
    expect(result.log).toMatch(/9601[23]|permission|access/i)
  })

  it('names the VPC first when the VPC and the subnets are both wrong, though their reads go out together', async () => {
    const result = await run({ mode: 'plan', 'aws-vpc-id': 'vpc-0e55555555555555e', 'aws-subnet-ids': 'subnet-0e55555555555555e' })
    expectNamedError(result, 'aws-vpc-id', 'does not exist in')
    expect(result.log).not.toContain('aws-subnet-ids')
    expect(writes()).toEqual([])
  })

  it('says which input to fix when a subnet is outside the VPC', async () => {
    const result = await run({ mode: 'plan', 'aws-subnet-ids': `${SUBNET_A},subnet-0e55555555555555e` })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('aws-subnet-ids')
    expect(writes()).toEqual([])
  })

  it('says which input to fix when a subnet is in a zone the service does not offer', async () => {
    const result = await run({ mode: 'apply', 'aws-subnet-ids': `${SUBNET_A},subnet-0d44444444444444d` })
    expect(result.exitCode).toBe(1)
    expect(result.log).toMatch(/aws-subnet-ids.*us-west-2d/)
    expect(writes()).toEqual([])
  })

  it.each([
    ['cluster-ids', ZILLIZ_SEED.clusters.gcp, 'is in gcp-us-west1'],
    ['cluster-ids', ZILLIZ_SEED.clusters.awsServerless, 'not dedicated'],
    ['zilliz-region-id', ZILLIZ_SEED.regions.withoutPrivateLink, 'no private link service']
  ])('names %s when Zilliz says %s does not fit, before touching AWS resources', async (input, value, fragment) => {
    const result = await run({ mode: 'apply', [input]: value, ...(input === 'zilliz-region-id' ? { 'aws-region': '' } : {}) })
    expectNamedError(result, input, fragment)
    expect(emulators.log.calls('ec2')).toEqual([])
    expect(writes()).toEqual([])
  })
})
