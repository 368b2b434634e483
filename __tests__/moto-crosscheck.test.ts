// Independent cross-check: the same AWS provider applied against moto_server (Python's AWS emulator),
// where it is on the machine. moto is permissive, so this proves wire compatibility with a second
// implementation rather than the constraints (those are the project's own emulators' job).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { CreateSubnetCommand, CreateVpcCommand, DescribeVpcEndpointsCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2'
import { ListHostedZonesByVPCCommand, Route53Client } from '@aws-sdk/client-route-53'
import { NO_DNS_SERVER, startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

const MOTO = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim()
const describeWithMoto = MOTO ? describe : describe.skip
if (!MOTO) console.log('moto_server is not on this machine: the moto cross-check is skipped')

const REGION = 'us-west-2'
const SERVICE = `com.amazonaws.${REGION}.s3`
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitForMoto(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/moto-api/`)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error('moto_server did not start')
}

describeWithMoto('apply against moto_server', () => {
  let moto: ChildProcess
  let url: string
  let emulators: Emulators
  beforeAll(async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    // Credentials and no instance metadata, so moto's own AWS client never looks beyond loopback.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' }
    moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env })
    await waitForMoto(url)
    emulators = await startEmulators()
    // moto knows no Zilliz service: point the Zilliz region at one moto serves, and let Zilliz
    // accept an endpoint that lives in moto rather than in the project's EC2 emulator.
    const region = emulators.zilliz.state.regions.find((r) => r.regionId === ZILLIZ_SEED.regions.aws)
    if (region) region.endpointService = SERVICE
    emulators.world.endpoints.has = () => true
  }, 30_000)
  afterAll(async () => {
    moto?.kill()
    await emulators?.close()
  })

  it('creates the group, the endpoint and the zones in moto, and a re-run makes no AWS writes', async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: url, credentials })
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!
    // A VPC made by CreateVpc has DNS hostnames off; private hosted zones need them on.
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }))
    const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!
    const b = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.2.0/24', AvailabilityZone: `${REGION}b` }))).Subnet!.SubnetId!
    const env = {
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ENDPOINT_URL_ROUTE_53: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_ROUTE53RESOLVER: url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      'INPUT_ZILLIZ-API-KEY': ZILLIZ_SEED.apiKey,
      'INPUT_ZILLIZ-PROJECT-ID': ZILLIZ_SEED.projectId,
      'INPUT_ZILLIZ-REGION-ID': ZILLIZ_SEED.regions.aws,
      'INPUT_ZILLIZ-API-URL': emulators.zillizUrl,
      'INPUT_AWS-VPC-ID': vpc,
      'INPUT_AWS-SUBNET-IDS': `${a},${b}`,
      INPUT_MODE: 'apply',
      'INPUT_DNS-SERVER': NO_DNS_SERVER,
      'INPUT_WAIT-TIMEOUT': '1m'
    }
    const first = await runAction(env)
    if (first.exitCode !== 0) throw new Error(first.log)
    expect(first.outputs['verified']).toBe('true')
    // The level 1 DNS analysis read moto's VPC attributes, DHCP options and Route 53 Resolver associations.
    const analyses = verificationChecks(first).filter((c) => c.id.startsWith('dns:'))
    expect(analyses.length).toBeGreaterThan(0)
    for (const analysis of analyses) expect(analysis).toMatchObject({ status: 'pass', proof: 'analysis' })
    const endpoints = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))
    expect(endpoints.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([first.outputs['endpoint-id']])
    const route53 = new Route53Client({ region: 'us-east-1', endpoint: url, credentials })
    const zones = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpc, VPCRegion: REGION }))
    expect(zones.HostedZoneSummaries?.length).toBe(2)

    const second = await runAction(env)
    if (second.exitCode !== 0) throw new Error(second.log)
    expect(second.outputs['has-changes']).toBe('false')
    expect(emulators.log.writes('zilliz')).toHaveLength(1)
  })

  // moto has no VPC association authorizations, so only the same-account layout can be cross-checked.
  it('associates the zones with a second VPC (aws-dns-vpc-ids), and a re-run makes no AWS writes', async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: url, credentials })
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!
    const extra = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.31.0.0/16' }))).Vpc!.VpcId!
    const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!
    const env = {
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ENDPOINT_URL_ROUTE_53: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      'INPUT_ZILLIZ-API-KEY': ZILLIZ_SEED.apiKey,
      'INPUT_ZILLIZ-PROJECT-ID': ZILLIZ_SEED.projectId,
      'INPUT_ZILLIZ-REGION-ID': ZILLIZ_SEED.regions.aws,
      'INPUT_ZILLIZ-API-URL': emulators.zillizUrl,
      'INPUT_AWS-VPC-ID': vpc,
      'INPUT_AWS-SUBNET-IDS': a,
      'INPUT_AWS-DNS-VPC-IDS': extra,
      INPUT_MODE: 'apply',
      'INPUT_DNS-SERVER': NO_DNS_SERVER,
      'INPUT_WAIT-TIMEOUT': '1m'
    }
    const first = await runAction(env)
    if (first.exitCode !== 0) throw new Error(first.log)
    expect(first.outputs['verified']).toBe('true')
    const route53 = new Route53Client({ region: 'us-east-1', endpoint: url, credentials })
    const inExtra = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: extra, VPCRegion: REGION }))
    const inVpc = await route53.send(new ListHostedZonesByVPCCommand({ VPCId: vpc, VPCRegion: REGION }))
    expect(inExtra.HostedZoneSummaries?.map((z) => z.HostedZoneId).sort()).toEqual(inVpc.HostedZoneSummaries?.map((z) => z.HostedZoneId).sort())
    expect(inExtra.HostedZoneSummaries?.length).toBe(2)

    const second = await runAction(env)
    if (second.exitCode !== 0) throw new Error(second.log)
    expect(second.outputs['has-changes']).toBe('false')
  })
})
