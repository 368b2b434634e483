// Level 2 on AWS, the whole action against the emulators: a Lambda function in the client subnet runs the
// bundled probe (the Lambda emulator executes the uploaded handler in a process whose resolver is the VPC's
// and whose connections reach the endpoint's addresses), the action judges what it saw. A correct link
// passes live; a port the endpoint's group does not admit fails live with the rule to add; a cancelled run
// deletes its function first; a function a killed run left behind is deleted by the next run once expired.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2'
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { PROBE_ROLE_ARN, registerAmbientCredentials, SUBNET_A, SUBNET_B, seedTopology, VPC_ID } from '../emulators/aws/index.js'
import { startVpcDataPlane, vpcResolver, type VpcDataPlane } from '../emulators/dataplane/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { zipOneFile } from '../src/probe/zip.js'
import { PROBE_SCRIPT_VARIABLE } from '../src/probe/script.js'
import { EXPIRES_TAG, PURPOSE_TAG } from '../src/engine/ephemeral.js'
import { baseName } from '../src/engine/ownership.js'
import { AWS_PERMISSIONS } from '../src/providers/aws/permissions.js'
import { ec2For } from './support/aws-emulators.js'
import { expectSuccess, verificationChecks } from './support/expectations.js'
import { builtProbe } from './support/probe-build.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'

// The VPC's addresses are loopback ones, so the endpoint's interfaces can be served; its own /16 keeps
// this file's listeners apart from other files running at the same time.
const LOOPBACK_VPC = '127.45.0.0/16'
const CLUSTERS = ZILLIZ_SEED.clusters.aws
const PREFIX = `${baseName({ namePrefix: 'zilliz-pl', zilliz: { projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.aws } } as never)}-probe-`

let emulators: Emulators
let dataPlane: VpcDataPlane

beforeEach(async () => {
  await builtProbe()
  emulators = await startEmulators({ aws: { topology: seedTopology({ vpcCidr: LOOPBACK_VPC }) } })
  dataPlane = await startVpcDataPlane(emulators.aws, VPC_ID, ZILLIZ_SEED.port)
  emulators.aws.lambda.resolvers.set(VPC_ID, { host: dataPlane.dns.host, port: dataPlane.dns.port })
})
afterEach(async () => {
  await Promise.all([emulators.close(), dataPlane.close()])
})

const inputs = (overrides: Record<string, string> = {}) => awsInputs(emulators, { mode: 'apply', 'aws-probe-role-arn': PROBE_ROLE_ARN, ...overrides })
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...inputs(overrides) })
const defaultGroup = () => [...emulators.aws.ec2.resources.groups.values()].find((g) => g.vpcId === VPC_ID && g.groupName === 'default')!
const lambdaCalls = () => emulators.log.calls('lambda').map((c) => c.operation)

describe('AWS level 2: a Lambda probe in the client subnet', () => {
  it('passes every data-plane check live on a correct link, then deletes the function', async () => {
    const result = await run()
    expectSuccess(result)
    expect(result.outputs['verified']).toBe('true')
    const source = `Lambda probe in ${SUBNET_A} with ${defaultGroup().groupId} (the VPC's default group)`
    const checks = verificationChecks(result)
    for (const cluster of CLUSTERS) {
      for (const kind of ['dns', 'tcp', 'tls', 'https']) {
        expect(checks.find((c) => c.id === `${kind}:${cluster}`)).toMatchObject({ status: 'pass', proof: 'live', proofSource: source })
      }
    }
    expect(checks.find((c) => c.id === `https:${CLUSTERS[0]}`)?.evidence).toContain('HTTP 400')
    // This runner is outside the network: nothing was proven from it.
    expect(checks.find((c) => c.id === 'data-plane')).toMatchObject({ status: 'skip', proof: 'none' })

    // The sweep lists leftovers first; then create, wait for Active, one synchronous invocation, delete.
    expect(lambdaCalls().filter((op) => op !== 'GetFunction')).toEqual(['ListFunctions', 'CreateFunction', 'Invoke', 'DeleteFunction'])
    expect(emulators.aws.lambda.functions.size).toBe(0)
    const [fn] = emulators.aws.lambda.created
    expect(fn).toMatchObject({ name: expect.stringMatching(new RegExp(`^${PREFIX}`)), role: PROBE_ROLE_ARN, runtime: 'nodejs22.x', subnetIds: [SUBNET_A] })
    const calls = emulators.log.calls('lambda')
    process.stdout.write(`Lambda probe: ${calls.length} Lambda calls (${calls.filter((c) => c.operation === 'GetFunction').length} GetFunction), create to delete ${calls.at(-1)!.at - calls[0]!.at} ms, probe process ${emulators.aws.lambda.invocations[0]?.ms} ms\n`)
    expect(fn!.tags).toMatchObject({ [PURPOSE_TAG]: 'probe', [EXPIRES_TAG]: expect.stringMatching(/^\d+$/), 'zilliz-private-link:project': ZILLIZ_SEED.projectId })
  })

  it('never runs in a group the action manages and never holds the Zilliz key', async () => {
    const result = await run()
    expectSuccess(result)
    const managed = [...emulators.aws.ec2.resources.groups.values()].filter((g) => g.tags.some((t) => t.key === 'zilliz-private-link:managed-by'))
    expect(managed.length).toBe(1)
    const [fn] = emulators.aws.lambda.created
    expect(fn!.securityGroupIds).toEqual([defaultGroup().groupId])
    expect(fn!.securityGroupIds).not.toContain(managed[0]!.groupId)
    const key = ZILLIZ_SEED.apiKey
    const given = [...[...fn!.files.values()].map((b) => b.toString('utf8')), JSON.stringify(fn!.environment), JSON.stringify(fn!.tags), fn!.description, ...emulators.aws.lambda.invocations.map((i) => i.payload)]
    expect(given.join('\n').length).toBeGreaterThan(1000)
    for (const text of given) expect(text).not.toContain(key)
  })

  it('runs in the client subnet with the client groups when given, and refuses the group the action manages', async () => {
    const ec2 = ec2For(emulators.aws, registerAmbientCredentials(emulators.world))
    const { GroupId: clientGroup } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'search-clients', Description: 'the app servers', VpcId: VPC_ID }))
    const result = await run({ 'client-subnet': SUBNET_B, 'client-security-group-ids': clientGroup! })
    expectSuccess(result)
    expect(verificationChecks(result).find((c) => c.id === `https:${CLUSTERS[0]}`)).toMatchObject({ status: 'pass', proof: 'live', proofSource: `Lambda probe in ${SUBNET_B} with ${clientGroup}` })
    expect(emulators.aws.lambda.created[0]).toMatchObject({ subnetIds: [SUBNET_B], securityGroupIds: [clientGroup] })

    const managed = [...emulators.aws.ec2.resources.groups.values()].find((g) => g.tags.some((t) => t.key === 'zilliz-private-link:managed-by'))!
    const refused = await run({ 'client-security-group-ids': managed.groupId })
    const probe = verificationChecks(refused).find((c) => c.id === 'probe')
    expect(probe).toMatchObject({ status: 'skip', proof: 'none' })
    expect(probe?.evidence).toContain(`client-security-group-ids: ${managed.groupId} is the security group the action manages for the endpoint`)
    expect(emulators.aws.lambda.created).toHaveLength(1)
  })

  it('fails TCP live, naming the group and the rules to add, when the endpoint group does not admit the port', async () => {
    // The endpoint gets the user's own group, which admits nothing yet; the probe runs in the default group.
    const ec2 = ec2For(emulators.aws, registerAmbientCredentials(emulators.world))
    const { GroupId: endpointGroup } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'search-endpoint', Description: 'no ingress yet', VpcId: VPC_ID }))
    const result = await run({ 'aws-security-group-ids': endpointGroup! })
    expect(result.exitCode).toBe(1)
    const endpointIps = vpcResolver(emulators.aws, VPC_ID)(`${CLUSTERS[0]}-privatelink.${ZILLIZ_SEED.regions.aws}.vectordb.zillizcloud.com`) ?? []
    const tcp = verificationChecks(result).find((c) => c.id === `tcp:${CLUSTERS[0]}`)
    // The Lambda emulator evaluated the groups and dropped the probe's packets: a timeout, as in the VPC.
    expect(tcp).toMatchObject({ status: 'fail', proof: 'live', proofSource: `Lambda probe in ${SUBNET_A} with ${defaultGroup().groupId} (the VPC's default group)` })
    expect(tcp?.evidence).toContain(`timed out connecting to ${endpointIps[0]}:${ZILLIZ_SEED.port}`)
    expect(tcp?.fix).toContain(`Add inbound rules to ${endpointGroup}: tcp/443 from ${LOOPBACK_VPC}, tcp/19530 from ${LOOPBACK_VPC}`)
    expect(verificationChecks(result).find((c) => c.id === `tls:${CLUSTERS[0]}`)).toMatchObject({ status: 'skip', proof: 'none' })
    expect(emulators.aws.lambda.functions.size).toBe(0)
  })

  it('deletes a probe function of ours whose expiry passed at the start of the next run, and keeps others', async () => {
    const lambda = new LambdaClient({ region: emulators.aws.region, endpoint: emulators.aws.urls.lambda, credentials: registerAmbientCredentials(emulators.world), maxAttempts: 1 })
    const ours = { 'zilliz-private-link:managed-by': 'zilliz-private-link', 'zilliz-private-link:project': ZILLIZ_SEED.projectId, 'zilliz-private-link:region': ZILLIZ_SEED.regions.aws, 'zilliz-private-link:repository': 'octo-org/octo-repo', [PURPOSE_TAG]: 'probe' }
    const leftover = async (name: string, tags: Record<string, string>) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: PROBE_ROLE_ARN,
          Handler: 'probe.handler',
          Code: { ZipFile: zipOneFile('probe.mjs', 'export const handler = async () => null') },
          VpcConfig: { SubnetIds: [SUBNET_A], SecurityGroupIds: [defaultGroup().groupId] },
          Tags: tags
        })
      )
    const past = String(Math.floor(Date.now() / 1000) - 60)
    const future = String(Math.floor(Date.now() / 1000) + 3600)
    await leftover(`${PREFIX}killed-1`, { ...ours, [EXPIRES_TAG]: past })
    await leftover(`${PREFIX}running-1`, { ...ours, [EXPIRES_TAG]: future })
    await leftover(`${PREFIX}someone-else`, { [EXPIRES_TAG]: past })

    const result = await run()
    expectSuccess(result)
    expect([...emulators.aws.lambda.functions.keys()].sort()).toEqual([`${PREFIX}running-1`, `${PREFIX}someone-else`])
    expect(result.summary).toContain(`${PREFIX}killed-1`)
  })
})

describe('AWS level 2 denied', () => {
  const PROBE_OPERATIONS = Object.entries(AWS_PERMISSIONS).filter(([, p]) => p.policy === 'aws-probe')
  // [operation, where the denial shows]: a probe that could not run proves nothing (a skip naming the
  // denial); a delete or a sweep that could not happen is a warning, and the expiry tag lets a later run finish it.
  const CASES: [string, 'probe' | 'warning'][] = [
    ['lambda:CreateFunction', 'probe'],
    ['lambda:GetFunction', 'probe'],
    ['lambda:Invoke', 'probe'],
    ['lambda:DeleteFunction', 'warning'],
    ['lambda:ListFunctions', 'warning'],
    ['lambda:ListTags', 'warning']
  ]

  it('is tested for every operation of the probe', () => {
    expect(CASES.map(([operation]) => operation).sort()).toEqual(PROBE_OPERATIONS.map(([operation]) => operation).sort())
  })

  it.each(CASES)('%s names the operation, the IAM actions, the role and aws-probe.json', async (operation, where) => {
    if (operation === 'lambda:ListTags') {
      // Tags are read only for a function that looks like ours.
      const lambda = new LambdaClient({ region: emulators.aws.region, endpoint: emulators.aws.urls.lambda, credentials: registerAmbientCredentials(emulators.world), maxAttempts: 1 })
      await lambda.send(new CreateFunctionCommand({ FunctionName: `${PREFIX}other-run`, Runtime: 'nodejs22.x', Role: PROBE_ROLE_ARN, Handler: 'probe.handler', Code: { ZipFile: zipOneFile('probe.mjs', 'export const handler = async () => null') } }))
    }
    const name = operation.split(':')[1]!
    emulators.switches.inject({ service: 'lambda', operation: name, status: 403, code: 'AccessDeniedException', message: 'User is not authorized to perform this action', times: 1 })
    const result = await run()
    const said = `AWS ${operation} was denied (AccessDeniedException, HTTP 403)`
    if (where === 'probe') {
      expect(verificationChecks(result).find((c) => c.id === 'probe')).toMatchObject({ status: 'skip', proof: 'none', evidence: expect.stringContaining(said) })
    } else {
      expect(result.log).toMatch(new RegExp(`::warning::.*${said.replace(/[()]/g, '\\$&')}`))
    }
    const text = where === 'probe' ? verificationChecks(result).find((c) => c.id === 'probe')!.evidence : result.log
    for (const permission of AWS_PERMISSIONS[operation]!.permissions) expect(text).toContain(permission)
    expect(text).toContain('docs/policies/aws-probe.json')
    expect(text).toContain('arn:aws:sts::123456789012:assumed-role/zilliz-private-link')
    // Whatever was denied, no function of this run is left behind unless its delete was the denied call.
    expect([...emulators.aws.lambda.functions.keys()].filter((n) => !n.endsWith('other-run')).length).toBe(operation === 'lambda:DeleteFunction' ? 1 : 0)
  })
})

describe('AWS level 2 under cancellation', () => {
  it('deletes the probe function first when the run is cancelled while it waits for Active', async () => {
    const script = await builtProbe()
    emulators.aws.lambda.activationDelayMs = 120_000
    const action = await spawnAction({ ...emulators.env, ...inputs(), [PROBE_SCRIPT_VARIABLE]: script })
    while (emulators.aws.lambda.functions.size === 0) {
      if (action.child.exitCode !== null) throw new Error(`the action ended before creating its probe:\n${action.log()}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    action.child.kill('SIGTERM')
    expect(await action.exited).toBe(1)
    expect(emulators.aws.lambda.functions.size).toBe(0)
    expect(lambdaCalls()).toContain('DeleteFunction')
    expect(lambdaCalls()).not.toContain('Invoke')
    expect(JSON.parse((await action.outputs())['plan'] ?? '{}')).toMatchObject({ cancelled: true })
    expect(action.log()).toMatch(/Deleted aws\.lambda-function zilliz-pl-\w+-probe-/)
  })
})
