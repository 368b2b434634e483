// The AWS-side emulators (GitHub OIDC, STS, EC2 callers and network) driven through @actions/core and
// the real AWS SDK v3 clients: tokens, federation, credentials checks, faults and the call log.
// Security groups and endpoints are in emulators-aws-ec2.test.ts, Route 53 in emulators-aws-route53.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createPublicKey, verify as verifySignature } from 'node:crypto'
import {
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client
} from '@aws-sdk/client-ec2'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import {
  ACCOUNT_ID,
  ROLE_ARN,
  SUBNET_A,
  SUBNET_B,
  SUBNET_C,
  SUBNET_D,
  VPC_ID,
  ZILLIZ_SERVICE_NAME,
  Ec2Emulator,
  registerAmbientCredentials,
  seedTopology,
  startAwsEmulators,
  zillizServiceName,
  type AwsCredentials,
  type AwsEmulators
} from '../emulators/aws/index.js'
import { startService } from '../emulators/core/service.js'
import { IdTokenError } from '../emulators/oidc.js'
import { assumeRole, caught, ec2For, idToken, requestIdToken, stsFor } from './support/aws-emulators.js'

describe('GitHub OIDC emulator', () => {
  let aws: AwsEmulators
  beforeAll(async () => {
    aws = await startAwsEmulators()
  })
  afterAll(async () => aws.close())

  it('issues an RS256 ID token to @actions/core getIDToken', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, aws.env)
    const write = process.stdout.write
    process.stdout.write = () => true // getIDToken masks the token with ::add-mask::
    try {
      const core = await import('@actions/core')
      const token = await core.getIDToken('sts.amazonaws.com')
      const claims = aws.oidc.verify(token, 'sts.amazonaws.com')
      expect(claims).toMatchObject({
        iss: 'https://token.actions.githubusercontent.com',
        sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        aud: 'sts.amazonaws.com',
        repository: 'octo-org/octo-repo',
        ref: 'refs/heads/main',
        job_workflow_ref: 'octo-org/octo-repo/.github/workflows/private-link.yml@refs/heads/main',
        event_name: 'push'
      })
      expect(claims.exp - claims.iat).toBe(300)
      expect(typeof claims.jti).toBe('string')
      expect(aws.oidc.issued).toBe(1)
    } finally {
      process.stdout.write = write
      process.env = saved
    }
  })

  it('answers {value, count} and refuses a wrong request token with 401', async () => {
    const good = await requestIdToken(aws, 'api://AzureADTokenExchange')
    const body = (await good.json()) as { value: string; count: number }
    expect(body.count).toBe(body.value.length)
    expect((await requestIdToken(aws, 'sts.amazonaws.com', 'not-the-token')).status).toBe(401)
  })

  it('publishes its keys so a relying party can check the signature', async () => {
    const config = (await (await fetch(`${aws.urls.oidc}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string }
    expect(config.issuer).toBe('https://token.actions.githubusercontent.com')
    const jwks = (await (await fetch(config.jwks_uri)).json()) as { keys: Array<{ kid: string; alg: string }> }
    const token = await idToken(aws)
    const [header, claims, signature] = token.split('.') as [string, string, string]
    const key = jwks.keys.find((k) => k.kid === JSON.parse(Buffer.from(header, 'base64url').toString()).kid)!
    const publicKey = createPublicKey({ key: key as never, format: 'jwk' })
    expect(verifySignature('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true)
  })

  it('verify() rejects a wrong audience, a bad signature and an expired token with the reason', async () => {
    const token = await idToken(aws)
    const reason = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return (error as IdTokenError).reason
      }
      return 'accepted'
    }
    expect(reason(() => aws.oidc.verify(token, 'api://AzureADTokenExchange'))).toBe('audience')
    expect(reason(() => aws.oidc.verify(`${token.slice(0, -4)}AAAA`, 'sts.amazonaws.com'))).toBe('signature')
    const expired = aws.oidc.mint('sts.amazonaws.com', { exp: Math.floor(Date.now() / 1000) - 10 })
    expect(reason(() => aws.oidc.verify(expired, 'sts.amazonaws.com'))).toBe('expired')
    expect(reason(() => aws.oidc.verify('not-a-jwt', 'sts.amazonaws.com'))).toBe('malformed')
  })
})

describe('STS emulator', () => {
  let aws: AwsEmulators
  beforeAll(async () => {
    aws = await startAwsEmulators()
  })
  afterAll(async () => aws.close())

  const assume = (token: string, extra: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number } = {}) =>
    stsFor(aws).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'gha-run', WebIdentityToken: token, ...extra })
    )

  it('exchanges an ID token for temporary credentials the World knows', async () => {
    const before = aws.sts.tokensPresented
    const answer = await assume(await idToken(aws), { DurationSeconds: 900 })
    expect(answer.Audience).toBe('sts.amazonaws.com')
    expect(answer.SubjectFromWebIdentityToken).toBe('repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/zilliz-private-link/gha-run`)
    expect(answer.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:gha-run$/)
    expect(answer.Provider).toBe(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`)
    const credentials = answer.Credentials!
    expect(credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    const lifetime = credentials.Expiration!.getTime() - Date.now()
    expect(lifetime).toBeGreaterThan(890_000)
    expect(lifetime).toBeLessThanOrEqual(900_000)
    expect(aws.world.lookup(credentials.AccessKeyId!)?.principal).toBe(answer.AssumedRoleUser?.Arn)
    expect(aws.sts.tokensPresented).toBe(before + 1)
  })

  it('answers GetCallerIdentity for assumed-role and ambient credentials, and refuses unknown keys', async () => {
    const assumed = await assumeRole(aws)
    const who = await stsFor(aws, assumed).send(new GetCallerIdentityCommand({}))
    expect(who).toMatchObject({ Account: ACCOUNT_ID, Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/zilliz-private-link/gha-private-link` })
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]{17}:gha-private-link$/)

    const ambient = registerAmbientCredentials(aws.world)
    expect((await stsFor(aws, ambient).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/ci-deployer`)

    const stranger = await caught(stsFor(aws, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})))
    expect(stranger.name).toBe('InvalidClientTokenId')
    expect(stranger.$metadata.httpStatusCode).toBe(403)
  })

  it('refuses tokens for another audience, with a bad signature, or expired, as InvalidIdentityToken', async () => {
    const wrongAudience = await caught(assume(await idToken(aws, 'api://AzureADTokenExchange')))
    expect(wrongAudience.name).toBe('InvalidIdentityTokenException')
    expect(wrongAudience.message).toMatch(/audience/)
    expect(wrongAudience.$metadata.httpStatusCode).toBe(400)

    const forged = await caught(assume(`${(await idToken(aws)).slice(0, -4)}AAAA`))
    expect(forged.name).toBe('InvalidIdentityTokenException')

    const expired = aws.oidc.mint('sts.amazonaws.com', { exp: Math.floor(Date.now() / 1000) - 1 })
    expect((await caught(assume(expired))).message).toMatch(/^Token expired/)
  })

  it('refuses roles whose trust does not match the token subject with AccessDenied', async () => {
    aws.oidc.overrideClaims({ sub: 'repo:someone-else/fork:pull_request' })
    try {
      const denied = await caught(assume(await idToken(aws)))
      expect(denied.name).toBe('AccessDenied')
      expect(denied.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity')
      expect(denied.$metadata.httpStatusCode).toBe(403)
    } finally {
      aws.oidc.resetClaims()
    }
    const unknownRole = await caught(assume(await idToken(aws), { RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/not-configured` }))
    expect(unknownRole.name).toBe('AccessDenied')
    aws.sts.allowRole(`arn:aws:iam::${ACCOUNT_ID}:role/any-branch`, 'repo:octo-org/*')
    await expect(assume(await idToken(aws), { RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/any-branch` })).resolves.toBeDefined()
  })

  it('validates DurationSeconds and RoleSessionName with ValidationError', async () => {
    const short = await caught(assume(await idToken(aws), { DurationSeconds: 600 }))
    expect(short.name).toBe('ValidationError')
    expect(short.message).toContain("Value '600' at 'durationSeconds'")
    const long = await caught(assume(await idToken(aws), { DurationSeconds: 43201 }))
    expect(long.message).toContain('less than or equal to 43200')
    const badName = await caught(assume(await idToken(aws), { RoleSessionName: 'has spaces' }))
    expect(badName.message).toContain("at 'roleSessionName'")
  })

  it('records every presented token, so a fresh token per attempt is observable', async () => {
    const start = aws.sts.presented.length
    await assumeRole(aws)
    await assumeRole(aws)
    const tokens = aws.sts.presented.slice(start).map((p) => p.token)
    expect(tokens).toHaveLength(2)
    expect(new Set(tokens).size).toBe(2)
    expect(aws.log.writes('sts')).toEqual([])
  })
})

describe('EC2 emulator: callers and the network', () => {
  let aws: AwsEmulators
  let ec2: EC2Client
  beforeAll(async () => {
    aws = await startAwsEmulators()
    ec2 = ec2For(aws, await assumeRole(aws))
  })
  afterAll(async () => aws.close())

  it('refuses unknown, expired and wrongly scoped credentials', async () => {
    const unknown = await caught(ec2For(aws, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new DescribeVpcsCommand({})))
    expect(unknown).toMatchObject({ name: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' })
    expect(unknown.$metadata.httpStatusCode).toBe(401)

    const stale = await assumeRole(aws)
    aws.world.credentials.get(stale.accessKeyId)!.expiresAt = Date.now() - 1
    expect((await caught(ec2For(aws, stale).send(new DescribeVpcsCommand({})))).name).toBe('ExpiredToken')

    const withoutSession = await assumeRole(aws)
    delete withoutSession.sessionToken
    expect((await caught(ec2For(aws, withoutSession).send(new DescribeVpcsCommand({})))).name).toBe('AuthFailure')

    const otherRegion = await caught(ec2For(aws, await assumeRole(aws), { region: 'eu-west-1' }).send(new DescribeVpcsCommand({})))
    expect(otherRegion.name).toBe('AuthFailure')

    const ambient = registerAmbientCredentials(aws.world)
    expect((await ec2For(aws, ambient).send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(2)
  })

  it('describes the seeded VPCs and subnets by id and by vpc-id filter', async () => {
    const vpcs = await ec2.send(new DescribeVpcsCommand({ VpcIds: [VPC_ID] }))
    expect(vpcs.Vpcs).toEqual([expect.objectContaining({ VpcId: VPC_ID, CidrBlock: '10.0.0.0/16', State: 'available', OwnerId: ACCOUNT_ID })])
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [VPC_ID] }] }))
    expect(subnets.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId])).toEqual([
      [SUBNET_A, 'us-west-2a', 'usw2-az1'],
      [SUBNET_B, 'us-west-2b', 'usw2-az2'],
      [SUBNET_C, 'us-west-2c', 'usw2-az3'],
      [SUBNET_D, 'us-west-2d', 'usw2-az4']
    ])
    const missing = await caught(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-nope'] })))
    expect(missing).toMatchObject({ name: 'InvalidSubnetID.NotFound', message: "The subnet ID 'subnet-nope' does not exist", $fault: 'client' })
    expect((await caught(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-nope'] })))).name).toBe('InvalidVpcID.NotFound')
    const badFilter = await caught(ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })))
    expect(badFilter.name).toBe('InvalidParameterValue')
  })

  it("describes Zilliz's endpoint service and rejects unknown service names", async () => {
    const answer = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [ZILLIZ_SERVICE_NAME] }))
    expect(answer.ServiceNames).toEqual([ZILLIZ_SERVICE_NAME])
    expect(answer.ServiceDetails?.[0]).toMatchObject({
      ServiceName: ZILLIZ_SERVICE_NAME,
      ServiceType: [{ ServiceType: 'Interface' }],
      AvailabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
      AvailabilityZoneIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
      AcceptanceRequired: true
    })
    expect(answer.ServiceDetails?.[0]?.PrivateDnsName).toBeUndefined()
    const unknown = await caught(ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: ['com.amazonaws.vpce.us-west-2.vpce-svc-nope'] })))
    expect(unknown).toMatchObject({
      name: 'InvalidServiceName',
      message: "The Vpc Endpoint Service 'com.amazonaws.vpce.us-west-2.vpce-svc-nope' does not exist"
    })
    expect(unknown.$metadata.httpStatusCode).toBe(400)
  })

  it('serves a second region built from the same seed function, with its own ids', async () => {
    const frankfurt = new Ec2Emulator(aws.world, { topology: seedTopology({ region: 'eu-central-1' }) })
    const server = await startService(frankfurt, aws.log, aws.switches)
    try {
      const credentials = await assumeRole(aws)
      const client = new EC2Client({ region: 'eu-central-1', endpoint: server.url, credentials, maxAttempts: 1 })
      const [service] = (await client.send(new DescribeVpcEndpointServicesCommand({}))).ServiceDetails!
      expect(service).toMatchObject({
        ServiceName: zillizServiceName('eu-central-1'),
        AvailabilityZoneIds: ['euc1-az1', 'euc1-az2', 'euc1-az3']
      })
      const create = async (target: EC2Client, serviceName: string) => {
        const { GroupId } = await target.send(new CreateSecurityGroupCommand({ GroupName: 'link', Description: 'x', VpcId: VPC_ID }))
        const input = { VpcEndpointType: 'Interface' as const, VpcId: VPC_ID, ServiceName: serviceName, SubnetIds: [SUBNET_A] }
        return (await target.send(new CreateVpcEndpointCommand({ ...input, SecurityGroupIds: [GroupId!], PrivateDnsEnabled: false })))
          .VpcEndpoint!
      }
      const inFrankfurt = await create(client, zillizServiceName('eu-central-1'))
      const inOregon = await create(ec2, ZILLIZ_SERVICE_NAME)
      expect(inFrankfurt.VpcEndpointId).not.toBe(inOregon.VpcEndpointId)
      expect(inFrankfurt.DnsEntries?.[0]?.DnsName).toContain('.eu-central-1.vpce.amazonaws.com')
      aws.world.setAccepted('aws', inFrankfurt.VpcEndpointId!, true)
      expect(frankfurt.endpoint(inFrankfurt.VpcEndpointId!)?.state).toBe('available')
      expect(aws.ec2.endpoint(inOregon.VpcEndpointId!)?.state).toBe('pendingAcceptance')
    } finally {
      await server.close()
    }
  })

  it('retries an injected RequestLimitExceeded (503) and then succeeds', async () => {
    aws.log.clear()
    aws.switches.inject({ service: 'ec2', operation: 'DescribeVpcs', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.', times: 1 })
    const retrying = ec2For(aws, await assumeRole(aws), { maxAttempts: 3 })
    const answer = await retrying.send(new DescribeVpcsCommand({}))
    expect(answer.Vpcs).toHaveLength(2)
    expect(answer.$metadata.attempts).toBe(2)
    expect(aws.log.calls('ec2').map((c) => c.status)).toEqual([503, 200])

    aws.switches.inject({ service: 'ec2', operation: 'DescribeVpcs', status: 503, code: 'RequestLimitExceeded', times: 1 })
    expect((await caught(ec2.send(new DescribeVpcsCommand({})))).name).toBe('RequestLimitExceeded')
  })
})

describe('EC2 emulator: call log and dry runs', () => {
  let aws: AwsEmulators
  let credentials: AwsCredentials
  beforeAll(async () => {
    aws = await startAwsEmulators()
    credentials = await assumeRole(aws)
  })
  afterAll(async () => aws.close())

  it('logs reads and successful writes apart; failed writes and dry runs change nothing', async () => {
    const ec2 = ec2For(aws, credentials)
    aws.log.clear()
    await ec2.send(new DescribeVpcsCommand({}))
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'g', Description: 'd', VpcId: VPC_ID }))
    await caught(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'g', Description: 'd', VpcId: VPC_ID })))
    const dryRun = await caught(
      ec2.send(
        new CreateVpcEndpointCommand({
          DryRun: true,
          VpcEndpointType: 'Interface',
          VpcId: VPC_ID,
          ServiceName: ZILLIZ_SERVICE_NAME,
          SubnetIds: [SUBNET_A],
          SecurityGroupIds: [GroupId!]
        })
      )
    )
    expect(dryRun.name).toBe('DryRunOperation')
    expect(dryRun.$metadata.httpStatusCode).toBe(412)
    await ec2.send(new DescribeVpcEndpointsCommand({}))

    expect(aws.log.calls('ec2').map((c) => [c.operation, c.write, c.status])).toEqual([
      ['DescribeVpcs', false, 200],
      ['CreateSecurityGroup', true, 200],
      ['CreateSecurityGroup', false, 400],
      ['CreateVpcEndpoint', false, 412],
      ['DescribeVpcEndpoints', false, 200]
    ])
    expect(aws.log.writes().map((c) => c.operation)).toEqual(['CreateSecurityGroup'])
    expect(aws.ec2.resources.endpoints.size).toBe(0)
  })
})
