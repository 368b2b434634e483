// The AWS path proof end to end: the action (real SDK) against the EC2 emulator's Reachability Analyzer.
// A correct link passes on every port; a client group or ACL that drops a port fails, named, with the fix;
// nothing is left behind after a run, a denial, or a cancel; leftovers of a killed run whose expiry passed
// are removed by the next run and listed; destroy removes the rest.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { CreateNetworkInsightsPathCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { registerAmbientCredentials, SUBNET_A, SUBNET_D, VPC_ID } from '../emulators/aws/index.js'
import { ephemeralTags } from '../src/engine/ephemeral.js'
import type { Config } from '../src/config/types.js'
import { ec2For } from './support/aws-emulators.js'
import { expectSuccess, pathChecks, verificationChecks } from './support/expectations.js'
import { awsCloud } from './support/lifecycle.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
  emulators.aws.ec2.insights.analysisDelayMs = 200
})
afterEach(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsCloud.inputs(emulators, { 'network-analysis': 'auto', ...overrides }) })
const ec2 = () => ec2For(emulators.aws, registerAmbientCredentials(emulators.world))
const resources = () => emulators.aws.ec2.resources
const leftovers = () => ({ interfaces: [...resources().interfaces.keys()], paths: [...resources().insightsPaths.keys()], analyses: [...resources().insightsAnalyses.keys()] })
const NOTHING = { interfaces: [], paths: [], analyses: [] }

describe('the AWS path analysis', () => {
  it('passes a correct link on 443 and 19530, proven by Reachability Analyzer, and leaves nothing behind', async () => {
    const started = performance.now()
    const result = await run({ mode: 'apply' })
    const ms = performance.now() - started
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['path:443', 'pass'],
      ['path:19530', 'pass']
    ])
    for (const c of checks) {
      expect(c.evidence).toMatch(/; proven by Reachability Analyzer nia-[0-9a-f]{17}$/)
      expect(c.evidence).toMatch(/the VPC's default security group, as client-security-group-ids is not given/)
    }
    expect(leftovers()).toEqual(NOTHING)
    const analysisCalls = emulators.log.calls('ec2').filter((c) => /NetworkInsights|NetworkInterface$/.test(c.operation)).map((c) => c.operation)
    process.stdout.write(`AWS path analysis: ${analysisCalls.length} calls (${[...new Set(analysisCalls)].map((op) => `${op}×${analysisCalls.filter((o) => o === op).length}`).join(', ')}); whole apply ${Math.round(ms)} ms\n`)
  })

  it('fails the port a client group does not let out, naming the group, with the fix', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    const group = await ec2().send(new CreateSecurityGroupCommand({ GroupName: 'app-clients', Description: 'clients', VpcId: VPC_ID }))
    const groupId = group.GroupId as string
    // The client group lets out HTTPS only.
    resources().groups.get(groupId)!.egress = [{ ruleId: 'sgr-0https', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' }]
    const result = await run({ mode: 'apply', 'client-security-group-ids': groupId })
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['path:443', 'pass'],
      ['path:19530', 'fail']
    ])
    const blocked = checks[1]!
    expect(blocked.evidence).toContain(`security group ${groupId} (app-clients), outbound`)
    expect(blocked.fix).toContain(`Add an outbound rule for tcp/19530`)
    expect(blocked.fix).toContain(groupId)
    expect(result.outputs['verified']).toBe('false')
    expect(leftovers()).toEqual(NOTHING)
  })

  it('fails on a network ACL rule that denies the port, naming the ACL and the rule', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    const acl = emulators.aws.ec2.networkAclOf(SUBNET_D)!
    acl.entries.push({ ruleNumber: 90, egress: true, protocol: '6', ruleAction: 'deny', cidrBlock: '10.0.0.0/16', portRange: { from: 19530, to: 19530 } })
    const result = await run({ mode: 'apply', 'client-subnet': SUBNET_D })
    const blocked = pathChecks(result).find((c) => c.id === 'path:19530')!
    expect(blocked.status).toBe('fail')
    expect(blocked.evidence).toContain(`network ACL ${acl.networkAclId} of ${SUBNET_D}, egress rule 90 (deny protocol 6 ports 19530-19530 to 10.0.0.0/16)`)
    expect(blocked.fix).toMatch(/add an allow entry for tcp\/19530 with a number below 90/)
    expect(pathChecks(result).find((c) => c.id === 'path:443')?.status).toBe('pass')
  })

  it('says it could not prove the path when a call is denied, and still cleans up', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    emulators.switches.inject({ service: 'ec2', operation: 'StartNetworkInsightsAnalysis', status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', times: 1 })
    const result = await run({ mode: 'apply' })
    const skipped = pathChecks(result).find((c) => c.id === 'path-analysis')!
    expect(skipped).toMatchObject({ status: 'skip' })
    expect(skipped.evidence).toContain('ec2:StartNetworkInsightsAnalysis')
    expect(skipped.evidence).toContain('tiros:CreateQuery')
    expect(skipped.evidence).toContain('docs/policies/aws-apply.json')
    expect(leftovers()).toEqual(NOTHING)
  })

  it('does not run on pull request plans, and says so in a skipped check', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    emulators.log.clear()
    const result = await runAction({ ...emulators.env, ...awsCloud.inputs(emulators, { 'network-analysis': 'auto', mode: 'plan' }), GITHUB_EVENT_NAME: 'pull_request' })
    expectSuccess(result)
    expect(pathChecks(result)).toEqual([expect.objectContaining({ id: 'path-analysis', status: 'skip', proof: 'none', evidence: expect.stringContaining('pull_request plans') })])
    expect(emulators.log.calls('ec2').filter((c) => /NetworkInsights|NetworkInterface$/.test(c.operation) && c.write)).toEqual([])
  })
})

describe('proof resources of earlier runs', () => {
  const config = { zilliz: { projectId: 'proj-0', regionId: 'aws-us-west-2' }, tags: {} } as unknown as Config
  const ourConfig = () => ({ ...config, zilliz: { ...config.zilliz, projectId: ZILLIZ_SEED.projectId } }) as Config
  const tagsAt = (cfg: Config, now: number) => Object.entries(ephemeralTags(cfg, 'path-analysis', now, 60 * 60 * 1000, { GITHUB_REPOSITORY: 'octo-org/octo-repo' })).map(([Key, Value]) => ({ Key, Value }))

  async function leaveBehind(cfg: Config, createdAt: number): Promise<{ eni: string; path: string }> {
    const client = ec2()
    const tags = tagsAt(cfg, createdAt)
    const eni = await client.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, TagSpecifications: [{ ResourceType: 'network-interface', Tags: tags }] }))
    const endpoint = (await client.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints![0]!
    const path = await client.send(
      new CreateNetworkInsightsPathCommand({
        Source: eni.NetworkInterface!.NetworkInterfaceId,
        Destination: endpoint.VpcEndpointId,
        Protocol: 'tcp',
        DestinationPort: 19530,
        TagSpecifications: [{ ResourceType: 'network-insights-path', Tags: tags }]
      })
    )
    return { eni: eni.NetworkInterface!.NetworkInterfaceId!, path: path.NetworkInsightsPath!.NetworkInsightsPathId! }
  }

  it('are removed by the next run when their expiry passed, listed in the summary; fresh and foreign ones stay', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000
    const expired = await leaveBehind(ourConfig(), twoHoursAgo)
    const fresh = await leaveBehind(ourConfig(), Date.now())
    const foreign = await leaveBehind({ ...config, zilliz: { ...config.zilliz, projectId: 'proj-someone-else' } } as Config, twoHoursAgo)

    const result = await run({ mode: 'apply', 'network-analysis': 'off' })
    expectSuccess(result)
    expect(result.summary).toContain('**Expired proof resources:**')
    expect(result.summary).toContain(`aws.network-insights-path ${expired.path}`)
    expect(result.summary).toContain(`aws.network-interface ${expired.eni}`)
    expect(leftovers().interfaces.sort()).toEqual([fresh.eni, foreign.eni].sort())
    expect(leftovers().paths.sort()).toEqual([fresh.path, foreign.path].sort())
  })

  it('are all removed by destroy, expired or not', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    const fresh = await leaveBehind(ourConfig(), Date.now())
    const result = await run({ mode: 'destroy' })
    expectSuccess(result)
    expect(verificationChecks(result).find((c) => c.id === 'destroyed')?.status).toBe('pass')
    expect(leftovers().interfaces).not.toContain(fresh.eni)
    expect(leftovers().paths).not.toContain(fresh.path)
  })
})

it('a cancel during the analysis deletes its interface, paths and analyses before the process exits', async () => {
  expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
  emulators.aws.ec2.insights.analysisDelayMs = 60_000
  const action = await spawnAction({ ...emulators.env, ...awsCloud.inputs(emulators, { mode: 'apply', 'network-analysis': 'auto' }) })
  // Both analyses running: the interface, two paths and two analyses exist.
  while (resources().insightsAnalyses.size < 2) {
    if (action.child.exitCode !== null) throw new Error(`the action ended before the analyses ran:\n${action.log()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  expect(leftovers().interfaces).toHaveLength(1)
  action.child.kill('SIGTERM')
  expect(await action.exited).toBe(1)
  expect(leftovers()).toEqual(NOTHING)
  const outputs = await action.outputs()
  expect(JSON.parse(outputs['plan'] ?? '{}')).toMatchObject({ cancelled: true })
  expect(action.log()).toMatch(/Deleted aws\.network-interface eni-/)
})
