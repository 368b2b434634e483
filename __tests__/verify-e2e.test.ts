// The data-plane checks inside the whole action (run() as the runner drives it), against the emulated
// clouds and a DNS server on loopback: a runner outside the network stays green with the checks skipped,
// and a runner inside it gets a TCP timeout diagnosed with the exact security-group rule to add.
import { afterEach, describe, expect, it } from '@jest/globals'
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { seedTopology, VPC_ID } from '../emulators/aws/index.js'
import { recordsFrom, startDnsServer, startUnansweredPort, vpcResolver, type DeadEnd, type EmulatedDnsServer } from '../emulators/dataplane/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { assumeRole, caught, ec2For } from './support/aws-emulators.js'
import { expectSuccess, sortedWrites, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

// The endpoint's addresses come from this range and the link ports are fixed, so a second test run on the
// same machine must pick another range or its listeners collide with ours.
const LOOPBACK_VPC = `127.${32 + Math.floor(Math.random() * 200)}.0.0/16`
const hostOf = (clusterId: string) => `${clusterId}-privatelink.${ZILLIZ_SEED.regions.aws}.vectordb.zillizcloud.com`

let emulators: Emulators | undefined
let dns: EmulatedDnsServer | undefined
let unanswered: DeadEnd | undefined

afterEach(async () => {
  await Promise.all([emulators?.close(), dns?.close(), unanswered?.close()])
  emulators = dns = unanswered = undefined
})

const run = (world: Emulators, overrides: Record<string, string>) => runAction({ ...world.env, ...awsInputs(world, { mode: 'apply', ...overrides }) })

describe('verify: auto on a runner outside the network', () => {
  it('skips the data-plane checks with the reason and stays green when the hosts resolve publicly', async () => {
    emulators = await startEmulators()
    dns = await startDnsServer({ answer: recordsFrom(Object.fromEntries(ZILLIZ_SEED.clusters.aws.map((id) => [hostOf(id), ['34.212.0.10']]))) })
    const result = await run(emulators, { 'dns-server': dns.address })
    expectSuccess(result)
    expect(result.outputs['verified']).toBe('true')
    const dataPlane = verificationChecks(result).filter((c) => c.id === 'data-plane')
    const reason = `this runner is outside the network: ${hostOf(ZILLIZ_SEED.clusters.aws[0])} resolves to 34.212.0.10, a public address`
    expect(dataPlane).toEqual([expect.objectContaining({ status: 'skip', evidence: expect.stringContaining(reason) })])
    expect(result.summary).toContain(reason)
    // Only the first host decides; nothing else is asked or connected to.
    expect(dns.queries).toEqual([hostOf(ZILLIZ_SEED.clusters.aws[0])])
  })

  it('skips them too when the host does not resolve at all', async () => {
    emulators = await startEmulators()
    dns = await startDnsServer({ answer: recordsFrom({}) })
    const result = await run(emulators, { 'dns-server': dns.address })
    expect(result.exitCode).toBe(0)
    const [dataPlane] = verificationChecks(result).filter((c) => c.id === 'data-plane')
    expect(dataPlane?.evidence).toContain(`does not resolve (NXDOMAIN via ${dns.address})`)
  })
})

describe('verify: full on a runner inside the network', () => {
  it('diagnoses a TCP timeout with the inbound rules the endpoint security group lacks', async () => {
    emulators = await startEmulators({ aws: { topology: seedTopology({ vpcCidr: LOOPBACK_VPC }) } })
    const world = emulators
    // The VPC's default group admits only its members: the link ports are closed to the VPC's range.
    const defaultGroup = [...world.aws.ec2.resources.groups.values()].find((g) => g.vpcId === VPC_ID && g.groupName === 'default')!
    const userGroup = { 'aws-security-group-ids': defaultGroup.groupId }
    const created = await run(world, { ...userGroup, verify: 'control-plane', 'dns-server': '' })
    const endpointId = created.outputs['endpoint-id'] ?? ''
    const port = Number(new URL(created.outputs['private-link-url'] ?? '').port)
    // Where the endpoint's interfaces are, nothing completes a TCP handshake, as behind the group.
    unanswered = await startUnansweredPort(world.aws.ec2.privateIps(endpointId), port)
    dns = await startDnsServer({ answer: vpcResolver(world.aws, VPC_ID) })

    const result = await run(world, { ...userGroup, verify: 'full', 'dns-server': dns.address })
    const checks = verificationChecks(result)
    const cluster = ZILLIZ_SEED.clusters.aws[0]
    const byId = (id: string) => checks.find((c) => c.id === id)
    expect(byId(`dns:${cluster}`)).toMatchObject({ status: 'pass', evidence: expect.stringContaining("the endpoint's private IPs") })
    const tcp = byId(`tcp:${cluster}`)
    expect(tcp).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`timed out connecting to ${world.aws.ec2.privateIps(endpointId)[0]}:${port}`) })
    expect(tcp?.fix).toBe(
      `Add inbound rules to ${defaultGroup.groupId}: tcp/443 from ${LOOPBACK_VPC}, tcp/19530 from ${LOOPBACK_VPC}. See docs/TROUBLESHOOTING.md#timed-out-connecting-to-or-no-route-to.`
    )
    expect(byId(`tls:${cluster}`)).toMatchObject({ status: 'skip', evidence: 'not tried: no address accepted a TCP connection' })
    expect(result.outputs['verified']).toBe('false')
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('Verification failed:')
  })
})

describe("the endpoint's private IPs", () => {
  it('are read through DescribeNetworkInterfaces, as EC2 serves them', async () => {
    emulators = await startEmulators()
    const world = emulators
    // The IPs are read with the control-plane checks, whatever the verify level asks of the data plane.
    const result = await run(world, { verify: 'control-plane', 'dns-server': '' })
    expect(result.exitCode).toBe(0)
    expect(world.log.count('DescribeNetworkInterfaces', 'ec2')).toBeGreaterThan(0)

    const ec2 = ec2For(world.aws, await assumeRole(world.aws))
    const endpoint = world.aws.ec2.endpoint(result.outputs['endpoint-id'] ?? '')!
    const ids = endpoint.interfaces.map((eni) => eni.networkInterfaceId)
    const described = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }))
    expect(described.NetworkInterfaces?.map((n) => n.PrivateIpAddress)).toEqual(world.aws.ec2.privateIps(endpoint.vpcEndpointId))
    expect(described.NetworkInterfaces?.[0]).toMatchObject({
      InterfaceType: 'vpc_endpoint',
      RequesterManaged: true,
      VpcId: VPC_ID,
      Description: `VPC Endpoint Interface ${endpoint.vpcEndpointId}`,
      PrivateIpAddresses: [expect.objectContaining({ Primary: true, PrivateIpAddress: endpoint.interfaces[0]?.privateIp })]
    })
    const filtered = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [VPC_ID] }], MaxResults: 5 }))
    expect(filtered.NetworkInterfaces).toHaveLength(ids.length)

    expect((await caught(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000000f'] })))).name).toBe('InvalidNetworkInterfaceID.NotFound')
    expect((await caught(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids, MaxResults: 5 })))).name).toBe('InvalidParameterCombination')
  })
})

describe('dns: none, the records made by the DNS team', () => {
  it('are checked from a runner inside the network once they resolve; one that points elsewhere is theirs to fix', async () => {
    emulators = await startEmulators({ aws: { topology: seedTopology({ vpcCidr: LOOPBACK_VPC }) } })
    const world = emulators
    const created = await run(world, { dns: 'none', verify: 'control-plane', 'dns-server': '' })
    expectSuccess(created)
    // What the DNS team is handed, and what they type into their own zones.
    const records = JSON.parse(created.outputs['dns-records'] ?? '[]') as { name: string; values: string[] }[]
    const endpointIps = world.aws.ec2.privateIps(created.outputs['endpoint-id'] ?? '')
    expect(records.map((r) => r.values)).toEqual(records.map(() => endpointIps))
    const clusters = ZILLIZ_SEED.clusters.aws
    const byId = (result: Awaited<ReturnType<typeof run>>, id: string) => verificationChecks(result).find((c) => c.id === id)

    dns = await startDnsServer({ answer: recordsFrom(Object.fromEntries(records.map((r) => [r.name, r.values]))) })
    world.log.clear()
    const made = await run(world, { dns: 'none', verify: 'full', 'dns-server': dns.address })
    for (const cluster of clusters) {
      expect(byId(made, `dns:${cluster}`)).toMatchObject({ status: 'pass', proof: 'live', evidence: expect.stringContaining("the endpoint's private IPs") })
      // The control plane read no DNS: unknown there, proven here.
      expect(byId(made, `dns-record:${cluster}`)).toMatchObject({ status: 'skip' })
    }
    expect(sortedWrites(world.log)).toEqual([])
    expect(world.log.calls().filter((c) => c.service === 'route53')).toEqual([])
    await dns.close()

    // The team's record for the first host points at another private address.
    const [first] = records
    dns = await startDnsServer({ answer: recordsFrom(Object.fromEntries(records.map((r) => [r.name, r === first ? ['10.9.9.9'] : r.values]))) })
    const stale = await run(world, { dns: 'none', verify: 'full', 'dns-server': dns.address })
    expect(stale.outputs['verified']).toBe('false')
    const wrong = byId(stale, `dns:${clusters[0]}`)
    expect(wrong).toMatchObject({ status: 'fail', evidence: expect.stringContaining("10.9.9.9, not to the endpoint's IPs") })
    expect(wrong?.fix).toContain(`Have your DNS team create the A record of ${first?.name} as the dns-records output gives it`)
    expect(wrong?.fix).not.toMatch(/apply mode/)
    expect(byId(stale, `dns:${clusters[1]}`)).toMatchObject({ status: 'pass' })
  })
})
