// AWS Lambda's REST-JSON API (2015-03-31) for the functions the action runs as its in-network probe:
// CreateFunction, GetFunction, GetFunctionConfiguration, Invoke, DeleteFunction, ListFunctions and
// ListTags, with the function lifecycle of the Lambda developer guide ("Lambda function states"): a new
// function is Pending while Lambda sets up its VPC network interfaces, then Active; Invoke before that
// is a 409 ResourceConflictException. An invocation really runs the uploaded handler, as Lambda's Node
// runtime would (import the module, call the export with the event), in a process in the function's
// subnet (emulators/dataplane/subnet-sandbox.ts), so the probe's own code meets the emulated network.
//
// Request shapes follow the API reference (CreateFunction, Invoke, …); the action calls this through the
// real @aws-sdk/client-lambda, whose serializer is the reference for the wire format.
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import { unzip, ZipError } from '../core/zip.js'
import { startUnansweredPort, type DeadEnd } from '../dataplane/dead-ends.js'
import { runInSubnet, type DroppedPaths, type SubnetResolver } from '../dataplane/subnet-sandbox.js'
import { authenticate, type AuthErrors } from './auth.js'
import type { Ec2Emulator } from './ec2.js'
import { admitted, type Placement } from './vpc-reachability.js'
import { AwsError } from './xml.js'

export const LAMBDA_AUTH_ERRORS: AuthErrors = {
  unknownKey: { status: 403, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  expired: { status: 403, code: 'ExpiredTokenException', message: 'The security token included in the request is expired' }
}

/** Runtimes Lambda accepts for new functions (nodejs18.x was deprecated for creation in 2025). */
const NODE_RUNTIMES = new Set(['nodejs20.x', 'nodejs22.x', 'nodejs24.x'])
const NAME = /^[a-zA-Z0-9-_]{1,64}$/
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/
const FIELDS = new Set([
  'FunctionName', 'Runtime', 'Role', 'Handler', 'Code', 'Description', 'Timeout', 'MemorySize', 'Publish', 'VpcConfig', 'PackageType',
  'DeadLetterConfig', 'Environment', 'KMSKeyArn', 'TracingConfig', 'Tags', 'Layers', 'FileSystemConfigs', 'ImageConfig', 'CodeSigningConfigArn',
  'Architectures', 'EphemeralStorage', 'SnapStart', 'LoggingConfig'
])

/** What an execution role lets Lambda do: be assumed at all, and create the VPC interfaces of a function in a VPC. */
export interface ExecutionRole {
  vpcAccess: boolean
}

export interface LambdaOptions {
  ec2: Ec2Emulator
  /** roleArn → what it allows; a role not here cannot be assumed by Lambda */
  executionRoles?: Record<string, ExecutionRole>
  /** Pending → Active: Lambda creating the function's Hyperplane interfaces in its VPC */
  activationDelayMs?: number
  now?: () => number
}

interface LambdaFunction {
  name: string
  arn: string
  runtime: string
  role: string
  handler: string
  description: string
  timeout: number
  memorySize: number
  subnetIds: string[]
  securityGroupIds: string[]
  vpcId: string
  environment: Record<string, string>
  tags: Record<string, string>
  codeSha256: string
  codeSize: number
  codeDir: string
  /** The code as uploaded, for tests that look for what it must never hold */
  files: Map<string, Buffer>
  createdAt: number
  lastModified: string
}

/** One invocation as the emulator ran it, for assertions on what the function was given and did. */
export interface InvocationRecord {
  functionName: string
  payload: string
  subnetIds: string[]
  securityGroupIds: string[]
  ms: number
}

const ROUTE = /^\/(2015-03-31)\/functions\/?(?:([^/]+)(?:\/(configuration|invocations))?)?\/?$/
const TAGS_ROUTE = /^\/2017-03-31\/tags\/(.+)$/

const lambdaTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000')

export class LambdaEmulator implements Service {
  readonly name = 'lambda'
  readonly functions = new Map<string, LambdaFunction>()
  readonly invocations: InvocationRecord[] = []
  /** Every function ever created, deleted ones included: what the probe was given */
  readonly created: LambdaFunction[] = []
  /** VPC id → the resolver a process in its subnets gets (the VPC's +2 resolver); set with the data plane */
  readonly resolvers = new Map<string, SubnetResolver>()
  executionRoles: Record<string, ExecutionRole>
  activationDelayMs: number
  private readonly now: () => number
  private readonly ec2: Ec2Emulator
  /** Where dropped connections go: a loopback port that never answers, opened on first need */
  private hole?: Promise<DeadEnd>

  constructor(
    private readonly world: World,
    options: LambdaOptions
  ) {
    this.ec2 = options.ec2
    this.executionRoles = options.executionRoles ?? {}
    this.activationDelayMs = options.activationDelayMs ?? 0
    this.now = options.now ?? Date.now
  }

  classify(req: EmulatorRequest): Classified {
    const route = ROUTE.exec(req.url.pathname)
    if (TAGS_ROUTE.test(req.url.pathname)) return { operation: 'ListTags', write: false }
    if (!route) return { operation: 'unknown', write: false }
    const [, , name, sub] = route
    if (!name) return req.method === 'POST' ? { operation: 'CreateFunction', write: true } : { operation: 'ListFunctions', write: false }
    if (sub === 'invocations') return { operation: 'Invoke', write: false }
    if (sub === 'configuration') return { operation: 'GetFunctionConfiguration', write: false }
    return req.method === 'DELETE' ? { operation: 'DeleteFunction', write: true } : { operation: 'GetFunction', write: false }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': createHash('sha1').update(`${this.now()}${message}`).digest('hex').slice(0, 36) },
      body: JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', Message: message })
    }
  }

  async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      authenticate(this.world, req.headers, LAMBDA_AUTH_ERRORS, this.now())
      const { operation } = this.classify(req)
      const name = ROUTE.exec(req.url.pathname)?.[2]
      switch (operation) {
        case 'CreateFunction':
          return json(201, this.configuration(this.create(parseBody(req.body))))
        case 'GetFunction': {
          const fn = this.find(name)
          return json(200, { Configuration: this.configuration(fn), Code: { RepositoryType: 'S3', Location: `https://awslambda-${this.ec2.region}-tasks.s3.${this.ec2.region}.amazonaws.com/snapshots/${fn.name}` }, Tags: fn.tags })
        }
        case 'GetFunctionConfiguration':
          return json(200, this.configuration(this.find(name)))
        case 'Invoke':
          return await this.invoke(this.find(name), req)
        case 'DeleteFunction':
          this.functions.delete(this.find(name).name)
          return { status: 204 }
        case 'ListFunctions':
          return json(200, this.list(req.url))
        case 'ListTags': {
          const arn = decodeURIComponent(TAGS_ROUTE.exec(req.url.pathname)?.[1] ?? '')
          const fn = [...this.functions.values()].find((f) => f.arn === arn)
          if (!fn) throw new AwsError(404, 'ResourceNotFoundException', `Function not found: ${arn}`)
          return json(200, { Tags: fn.tags })
        }
        default:
          throw new AwsError(404, 'UnknownOperationException', `Unknown operation ${req.method} ${req.url.pathname}`)
      }
    } catch (error) {
      if (error instanceof AwsError) return this.errorResponse(error.status, error.code, error.message)
      throw error
    }
  }

  async close(): Promise<void> {
    await (await this.hole)?.close()
  }

  /**
   * What the VPC's security groups drop between the function and the interface endpoints of its VPC, on
   * the ports the event names and the link ports: the function's address is one of its subnet's.
   */
  private async droppedPaths(fn: LambdaFunction, payload: string): Promise<DroppedPaths | undefined> {
    const subnet = this.ec2.resources.subnets.get(fn.subnetIds[0] ?? '')
    if (!subnet) return undefined
    const groups = (ids: string[]) => ids.flatMap((id) => this.ec2.resources.groups.get(id) ?? [])
    const [a = 0, b = 0, c = 0] = subnet.cidrBlock.split('/')[0]!.split('.').map(Number)
    const source: Placement = { ip: `${a}.${b}.${c}.200`, groups: groups(fn.securityGroupIds) }
    let asked: number[] = []
    try {
      asked = ((JSON.parse(payload) as { links?: { port?: number }[] }).links ?? []).flatMap((l) => (typeof l.port === 'number' ? [l.port] : []))
    } catch {
      // not JSON: only the link ports
    }
    const ports = [...new Set([443, 19530, ...asked])]
    const destinations = [...this.ec2.resources.endpoints.values()]
      .filter((e) => e.vpcId === fn.vpcId && e.state !== 'deleted')
      .flatMap((e) => e.interfaces.flatMap((eni) => ports.filter((port) => !admitted(source, { ip: eni.privateIp, groups: groups(e.groupIds) }, port)).map((port) => `${eni.privateIp}:${port}`)))
    if (!destinations.length) return undefined
    this.hole ??= startUnansweredPort(['127.0.0.1'])
    return { destinations, hole: { host: '127.0.0.1', port: (await this.hole).port } }
  }

  /** Pending until the interfaces are there, then Active; computed from the clock, so no timer outlives a test. */
  state(fn: LambdaFunction): 'Pending' | 'Active' {
    return this.now() - fn.createdAt >= this.activationDelayMs ? 'Active' : 'Pending'
  }

  private find(name: string | undefined): LambdaFunction {
    const wanted = decodeURIComponent(name ?? '')
    const fn = this.functions.get(wanted) ?? [...this.functions.values()].find((f) => f.arn === wanted)
    if (!fn) throw new AwsError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${this.ec2.region}:${this.ec2.accountId}:function:${wanted}`)
    return fn
  }

  private create(body: Record<string, unknown>): LambdaFunction {
    const invalid = (message: string) => new AwsError(400, 'InvalidParameterValueException', message)
    const unknown = Object.keys(body).filter((key) => !FIELDS.has(key))
    if (unknown.length) throw new AwsError(400, 'ValidationException', `Unknown parameters in the request: ${unknown.join(', ')}`)
    const name = String(body['FunctionName'] ?? '')
    if (!NAME.test(name)) throw new AwsError(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+`)
    const role = String(body['Role'] ?? '')
    if (!ROLE.test(role)) throw new AwsError(400, 'ValidationException', `1 validation error detected: Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`)
    const runtime = String(body['Runtime'] ?? '')
    if (!NODE_RUNTIMES.has(runtime)) throw invalid(`The runtime parameter of ${runtime || 'null'} is not supported for creating or updating AWS Lambda functions in this emulator (Node runtimes only).`)
    const handler = String(body['Handler'] ?? '')
    if (!/^[^\s]+\.[^\s.]+$/.test(handler)) throw invalid('The handler must be of the form file.export.')
    const timeout = Number(body['Timeout'] ?? 3)
    const memorySize = Number(body['MemorySize'] ?? 128)
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) throw new AwsError(400, 'ValidationException', `Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900`)
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) throw new AwsError(400, 'ValidationException', `Value '${memorySize}' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240`)
    if (this.functions.has(name)) throw new AwsError(409, 'ResourceConflictException', `Function already exist: ${name}`)

    const zip = Buffer.from(String((body['Code'] as { ZipFile?: string } | undefined)?.ZipFile ?? ''), 'base64')
    if (!zip.length) throw invalid('Please provide a source for function code.')
    let files: Map<string, Buffer>
    try {
      files = unzip(zip)
    } catch (error) {
      if (error instanceof ZipError) throw invalid(`Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`)
      throw error
    }

    const vpc = (body['VpcConfig'] ?? {}) as { SubnetIds?: string[]; SecurityGroupIds?: string[] }
    const subnetIds = vpc.SubnetIds ?? []
    const securityGroupIds = vpc.SecurityGroupIds ?? []
    if (subnetIds.length > 16 || securityGroupIds.length > 5) throw invalid('A function can have at most 16 subnets and 5 security groups.')
    const subnets = subnetIds.map((id) => this.ec2.resources.subnets.get(id))
    const missing = subnetIds.filter((_, i) => !subnets[i])
    if (missing.length) throw invalid(`Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${missing[0]}' does not exist`)
    const vpcId = subnets[0]?.vpcId ?? ''
    for (const id of securityGroupIds) {
      const group = this.ec2.resources.groups.get(id)
      if (!group) throw invalid(`Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${id}' does not exist`)
      if (group.vpcId !== vpcId) throw invalid('Security Groups are required to be in the same VPC as the subnets.')
    }
    if (subnetIds.length && !securityGroupIds.length) throw invalid('SubnetIds and SecurityGroupIds must coexist or be both empty list.')

    const grants = this.executionRoles[role]
    if (!grants) throw invalid('The role defined for the function cannot be assumed by Lambda.')
    if (subnetIds.length && !grants.vpcAccess) throw invalid('The provided execution role does not have permissions to call CreateNetworkInterface on EC2')

    const codeDir = mkdtempSync(join(tmpdir(), `lambda-${name}-`))
    for (const [file, data] of files) writeFileSync(join(codeDir, file), data)
    const environment = ((body['Environment'] as { Variables?: Record<string, string> } | undefined)?.Variables ?? {}) as Record<string, string>
    const fn: LambdaFunction = {
      name,
      arn: `arn:aws:lambda:${this.ec2.region}:${this.ec2.accountId}:function:${name}`,
      runtime,
      role,
      handler,
      description: String(body['Description'] ?? ''),
      timeout,
      memorySize,
      subnetIds,
      securityGroupIds,
      vpcId,
      environment,
      tags: (body['Tags'] ?? {}) as Record<string, string>,
      codeSha256: createHash('sha256').update(zip).digest('base64'),
      codeSize: zip.length,
      codeDir,
      files,
      createdAt: this.now(),
      lastModified: lambdaTime(this.now())
    }
    this.functions.set(name, fn)
    this.created.push(fn)
    return fn
  }

  private configuration(fn: LambdaFunction): Record<string, unknown> {
    const state = this.state(fn)
    return {
      FunctionName: fn.name,
      FunctionArn: fn.arn,
      Runtime: fn.runtime,
      Role: fn.role,
      Handler: fn.handler,
      CodeSize: fn.codeSize,
      Description: fn.description,
      Timeout: fn.timeout,
      MemorySize: fn.memorySize,
      LastModified: fn.lastModified,
      CodeSha256: fn.codeSha256,
      Version: '$LATEST',
      ...(fn.subnetIds.length ? { VpcConfig: { SubnetIds: fn.subnetIds, SecurityGroupIds: fn.securityGroupIds, VpcId: fn.vpcId, Ipv6AllowedForDualStack: false } } : {}),
      ...(Object.keys(fn.environment).length ? { Environment: { Variables: fn.environment } } : {}),
      State: state,
      ...(state === 'Pending' ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
      LastUpdateStatus: state === 'Pending' ? 'InProgress' : 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 }
    }
  }

  private list(url: URL): Record<string, unknown> {
    const max = Math.min(Number(url.searchParams.get('MaxItems') ?? 50), 50)
    const names = [...this.functions.keys()].sort()
    const marker = url.searchParams.get('Marker')
    const start = marker ? names.indexOf(Buffer.from(marker, 'base64').toString('utf8')) : 0
    if (start < 0) throw new AwsError(400, 'InvalidParameterValueException', 'Invalid marker')
    const page = names.slice(start, start + max)
    const next = names[start + max]
    return { Functions: page.map((n) => this.configuration(this.functions.get(n)!)), ...(next ? { NextMarker: Buffer.from(next).toString('base64') } : {}) }
  }

  private async invoke(fn: LambdaFunction, req: EmulatorRequest): Promise<EmulatorResponse> {
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse')
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) throw new AwsError(400, 'InvalidParameterValueException', `Invalid invocation type: ${type}`)
    if (this.state(fn) !== 'Active') {
      throw new AwsError(409, 'ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending')
    }
    if (type === 'DryRun') return { status: 204 }
    if (type === 'Event') throw new AwsError(400, 'InvalidParameterValueException', 'This emulator runs RequestResponse invocations only.')
    const resolver = this.resolvers.get(fn.vpcId)
    if (!resolver) throw new Error(`emulator setup: no data plane (resolver) for ${fn.vpcId || 'a function outside any VPC'}`)
    const [file, exported] = [fn.handler.slice(0, fn.handler.lastIndexOf('.')), fn.handler.slice(fn.handler.lastIndexOf('.') + 1)]
    const module = [...fn.files.keys()].find((f) => f === `${file}.mjs` || f === `${file}.js`)
    if (!module) return functionError(`Runtime.ImportModuleError`, `Error: Cannot find module '${file}'`)
    const payload = req.body || '{}'
    // The Node runtime's contract: import the module, call the export with the event, send back its JSON.
    const bootstrap = [
      `const m = await import(${JSON.stringify(pathToFileURL(join(fn.codeDir, module)).href)});`,
      `try { const r = await m[${JSON.stringify(exported)}](${payload}, { functionName: ${JSON.stringify(fn.name)} }); process.stdout.write(JSON.stringify(r ?? null)) }`,
      "catch (e) { process.stdout.write(JSON.stringify({ errorType: e?.name ?? 'Error', errorMessage: String(e?.message ?? e), trace: [] })); process.exitCode = 2 }"
    ].join('\n')
    const run = await runInSubnet(resolver, {
      args: ['--input-type=module', '-e', bootstrap],
      cwd: fn.codeDir,
      env: { ...fn.environment, AWS_LAMBDA_FUNCTION_NAME: fn.name, AWS_REGION: this.ec2.region, LAMBDA_TASK_ROOT: fn.codeDir },
      timeoutMs: fn.timeout * 1000,
      dropped: await this.droppedPaths(fn, payload)
    })
    this.invocations.push({ functionName: fn.name, payload, subnetIds: fn.subnetIds, securityGroupIds: fn.securityGroupIds, ms: run.ms })
    if (run.timedOut) return functionError('Sandbox.Timedout', `Task timed out after ${fn.timeout.toFixed(2)} seconds`)
    if (run.exitCode === 2) return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' }, body: run.stdout }
    if (run.exitCode !== 0) return functionError('Runtime.ExitError', `RequestId: ${fn.name} Error: Runtime exited with error: exit status ${run.exitCode} ${run.stderr.slice(0, 500)}`)
    return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: run.stdout }
  }
}

function functionError(errorType: string, errorMessage: string): EmulatorResponse {
  return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify({ errorType, errorMessage }) }
}

function json(status: number, body: unknown): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const body = JSON.parse(text || '{}') as unknown
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new AwsError(400, 'InvalidRequestContentException', 'Could not parse request body into json')
}
