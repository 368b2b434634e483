// The Lambda emulator through the real @aws-sdk/client-lambda: the function lifecycle (Pending while the
// VPC interfaces are made, then Active), the conflicts and errors Lambda answers, and the zip the action
// uploads, which a standard zip reader (Python's zipfile) reads too.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, ListTagsCommand, paginateListFunctions } from '@aws-sdk/client-lambda'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { ACCOUNT_ID, OTHER_SUBNET, PROBE_ROLE_ARN, registerAmbientCredentials, SUBNET_A, VPC_ID } from '../emulators/aws/index.js'
import { unzip } from '../emulators/core/zip.js'
import { zipOneFile } from '../src/probe/zip.js'
import { caught } from './support/aws-emulators.js'

let emulators: Emulators
let lambda: LambdaClient
beforeEach(async () => {
  emulators = await startEmulators()
  lambda = new LambdaClient({ region: emulators.aws.region, endpoint: emulators.aws.urls.lambda, credentials: registerAmbientCredentials(emulators.world), maxAttempts: 1 })
})
afterEach(async () => {
  await emulators.close()
})

const HANDLER = "export const handler = async (event) => ({ echoed: event, region: process.env.AWS_REGION })"
const defaultGroup = () => [...emulators.aws.ec2.resources.groups.values()].find((g) => g.vpcId === VPC_ID && g.groupName === 'default')!.groupId
const create = (name: string, extra: Record<string, unknown> = {}) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: PROBE_ROLE_ARN,
      Handler: 'index.handler',
      Code: { ZipFile: zipOneFile('index.mjs', HANDLER) },
      VpcConfig: { SubnetIds: [SUBNET_A], SecurityGroupIds: [defaultGroup()] },
      Tags: { team: 'search' },
      ...extra
    })
  )

describe('the zip the action uploads', () => {
  it('round-trips through the emulator and is read by a standard zip reader', () => {
    const archive = zipOneFile('probe.mjs', HANDLER)
    expect(unzip(archive).get('probe.mjs')?.toString('utf8')).toBe(HANDLER)
    const path = join(mkdtempSync(join(tmpdir(), 'zpl-zip-')), 'code.zip')
    writeFileSync(path, archive)
    const read = spawnSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; sys.stdout.write(z.read("probe.mjs").decode())', path])
    if (read.error) return // no python3 here: the emulator's reader above still checked it
    expect(read.stderr.toString()).toBe('')
    expect(read.stdout.toString()).toBe(HANDLER)
  })
})

describe('the function lifecycle', () => {
  it('is Pending until its VPC interfaces are made, refuses Invoke meanwhile, then runs the handler', async () => {
    emulators.aws.lambda.activationDelayMs = 400
    const created = await create('fn-lifecycle')
    expect(created).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating', FunctionArn: `arn:aws:lambda:${emulators.aws.region}:${ACCOUNT_ID}:function:fn-lifecycle`, VpcConfig: { VpcId: VPC_ID } })
    const early = await caught(lambda.send(new InvokeCommand({ FunctionName: 'fn-lifecycle', Payload: Buffer.from('{}') })))
    expect(early).toMatchObject({ name: 'ResourceConflictException', $metadata: expect.objectContaining({ httpStatusCode: 409 }) })
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'fn-lifecycle' }))).Configuration?.State).toBe('Active')
    emulators.aws.lambda.resolvers.set(VPC_ID, { host: '127.0.0.1', port: 53 })
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'fn-lifecycle', InvocationType: 'RequestResponse', Payload: Buffer.from('{"hello":"vpc"}') }))
    expect(out.FunctionError).toBeUndefined()
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ echoed: { hello: 'vpc' }, region: emulators.aws.region })
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-lifecycle' }))
    expect(await caught(lambda.send(new GetFunctionCommand({ FunctionName: 'fn-lifecycle' })))).toMatchObject({ name: 'ResourceNotFoundException', $metadata: expect.objectContaining({ httpStatusCode: 404 }) })
  })

  it('reports a handler that throws as a function error, not a failed call', async () => {
    await create('fn-throws', { Code: { ZipFile: zipOneFile('index.mjs', "export const handler = async () => { throw new TypeError('no hosts') }") } })
    emulators.aws.lambda.resolvers.set(VPC_ID, { host: '127.0.0.1', port: 53 })
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'fn-throws', Payload: Buffer.from('{}') }))
    expect(out.FunctionError).toBe('Unhandled')
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'no hosts' })
  })

  it('lists functions page by page and their tags by ARN', async () => {
    for (let i = 0; i < 53; i++) await create(`fn-${String(i).padStart(2, '0')}`)
    const names: string[] = []
    for await (const page of paginateListFunctions({ client: lambda }, {})) names.push(...(page.Functions ?? []).map((f) => f.FunctionName!))
    expect(names).toHaveLength(53)
    expect(emulators.log.count('ListFunctions', 'lambda')).toBe(2)
    const arn = `arn:aws:lambda:${emulators.aws.region}:${ACCOUNT_ID}:function:fn-07`
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ team: 'search' })
  })
})

describe('what Lambda refuses', () => {
  it('a second function of the same name', async () => {
    await create('fn-twice')
    expect(await caught(create('fn-twice'))).toMatchObject({ name: 'ResourceConflictException', $metadata: expect.objectContaining({ httpStatusCode: 409 }), message: 'Function already exist: fn-twice' })
  })

  it('a role Lambda cannot assume, and one without the network interface permissions for a VPC', async () => {
    const stranger = `arn:aws:iam::${ACCOUNT_ID}:role/not-for-lambda`
    expect(await caught(create('fn-role', { Role: stranger }))).toMatchObject({ name: 'InvalidParameterValueException', message: 'The role defined for the function cannot be assumed by Lambda.' })
    emulators.aws.lambda.executionRoles[stranger] = { vpcAccess: false }
    expect(await caught(create('fn-role', { Role: stranger }))).toMatchObject({ message: 'The provided execution role does not have permissions to call CreateNetworkInterface on EC2' })
  })

  it('groups of another VPC than the subnets, and a subnet that does not exist', async () => {
    expect(await caught(create('fn-vpc', { VpcConfig: { SubnetIds: [OTHER_SUBNET], SecurityGroupIds: [defaultGroup()] } }))).toMatchObject({ name: 'InvalidParameterValueException', message: 'Security Groups are required to be in the same VPC as the subnets.' })
    expect(await caught(create('fn-vpc', { VpcConfig: { SubnetIds: ['subnet-0123456789abcdef0'], SecurityGroupIds: [defaultGroup()] } }))).toMatchObject({ message: expect.stringContaining('InvalidSubnetID.NotFound') })
  })

  it('a deprecated runtime and a corrupt archive', async () => {
    expect(await caught(create('fn-old', { Runtime: 'nodejs16.x' }))).toMatchObject({ name: 'InvalidParameterValueException' })
    const corrupt = zipOneFile('index.mjs', HANDLER)
    corrupt[40] = corrupt[40]! ^ 0xff
    expect(await caught(create('fn-corrupt', { Code: { ZipFile: corrupt } }))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Could not unzip uploaded file') })
  })
})
