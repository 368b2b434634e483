// Network Management v1 REST, Connectivity Tests only (global): create answers with a long-running
// operation that completes when the reachability analysis has run (`analysisDelayMs`), get and list show
// the test with its reachabilityDetails, delete answers with an operation too. The analysis is computed from
// the Compute emulator's own state (connectivity-analysis.ts). Shapes follow networkmanagement v1's
// discovery document (ConnectivityTest, Endpoint, ReachabilityDetails, Trace, Step, Operation).
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { AccessTokens } from './access-tokens.js'
import type { ProjectIam } from './iam.js'
import { labelsOf, nowStamp } from './compute-context.js'
import { analyseConnectivity, type ComputeProjects, type TestEndpoint } from './connectivity-analysis.js'
import { GoogleError, answer, findRoute, googleErrorResponse, invalid, json, jsonBody, notFound, type Route } from './google-wire.js'

interface TestRecord {
  name: string
  testId: string
  source: TestEndpoint
  destination: TestEndpoint
  protocol: string
  description: string
  labels: Record<string, string>
  createTime: string
  updateTime: string
  /** Set when the analysis has run */
  reachabilityDetails?: Record<string, unknown>
}

interface OperationRecord {
  name: string
  target: string
  verb: 'create' | 'delete'
  createTime: string
  doneAt: number
  done: boolean
  endTime?: string
  finish(): Record<string, unknown> | undefined
  response?: Record<string, unknown>
}

type Handler = (params: string[], req: EmulatorRequest) => EmulatorResponse

const P = '^/v1/projects/([^/]+)/locations/global'
// The testId rules the discovery document states for connectivityTests.create.
const TEST_ID = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/
const ok = (body: unknown) => json(200, body)

export class NetworkManagementEmulator implements Service {
  readonly name = 'gcp-networkmanagement'
  readonly tests = new Map<string, TestRecord>()
  readonly operations = new Map<string, OperationRecord>()
  /** How long an analysis runs: real ones take from seconds to a couple of minutes */
  analysisDelayMs = 50
  private sequence = 0

  private readonly routes: Route<Handler>[] = [
    this.route('POST', `${P}/connectivityTests$`, 'connectivityTests.create', true, (p, r) => this.create(p, r)),
    this.route('GET', `${P}/connectivityTests$`, 'connectivityTests.list', false, (p, r) => this.list(p, r)),
    this.route('GET', `${P}/connectivityTests/([^/]+)$`, 'connectivityTests.get', false, ([project = '', id = '']) => ok(this.view(this.find(project, id)))),
    this.route('DELETE', `${P}/connectivityTests/([^/]+)$`, 'connectivityTests.delete', true, ([project = '', id = '']) => this.remove(project, id)),
    this.route('GET', `${P}/operations/([^/]+)$`, 'operations.get', false, ([project = '', id = '']) => ok(this.operationView(project, id)))
  ]

  constructor(
    private readonly tokens: AccessTokens,
    /** The projects of the organization and their IAM: Connectivity Tests may live in any of them, and trace across them */
    private readonly org: ComputeProjects & { has(project: string): boolean; iam: ProjectIam },
    private readonly now: () => number = Date.now
  ) {}

  classify(req: EmulatorRequest): Classified {
    const found = findRoute(this.routes, req)
    return found ? { operation: found.route.operation, write: found.route.write } : { operation: 'unknown', write: req.method !== 'GET' }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      const caller = this.tokens.authenticate(req)
      const project = found.params[0] ?? ''
      const permission = `networkmanagement.${found.route.operation.replace('connectivityTests', 'connectivitytests')}`
      // Any project of the organization may hold Connectivity Tests (a Shared VPC's service project does), as its IAM allows.
      if (!this.org.has(project)) throw new GoogleError(403, 'forbidden', `Permission '${permission}' denied on resource 'projects/${project}'`)
      this.org.iam.require(caller.principal.id, permission, `projects/${project}`, 'iam')
      return found.route.handler(found.params, req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  private route(method: string, pattern: string, operation: string, write: boolean, handler: Handler): Route<Handler> {
    return { method, pattern: new RegExp(pattern), operation, write, handler }
  }

  private create(params: string[], req: EmulatorRequest): EmulatorResponse {
    const [project = ''] = params
    const testId = req.url.searchParams.get('testId') ?? ''
    if (!TEST_ID.test(testId)) throw invalid(`Invalid value for testId: '${testId}'. It must start with a letter, hold only lowercase letters, digits and hyphens, and be 1-40 characters long.`)
    const name = `projects/${project}/locations/global/connectivityTests/${testId}`
    if (this.tests.has(testId)) throw new GoogleError(409, 'alreadyExists', `Resource '${name}' already exists`)
    const body = jsonBody(req)
    const source = endpointOf(body['source'], 'source')
    const destination = endpointOf(body['destination'], 'destination')
    const protocol = typeof body['protocol'] === 'string' ? body['protocol'] : 'TCP'
    const stamp = nowStamp(this.now()).replace('-00:00', 'Z')
    const test: TestRecord = {
      name,
      testId,
      source,
      destination,
      protocol,
      description: typeof body['description'] === 'string' ? body['description'] : '',
      labels: labelsOf(body['labels']),
      createTime: stamp,
      updateTime: stamp
    }
    this.tests.set(testId, test)
    return ok(
      this.startOperation(project, name, 'create', () => {
        // A test deleted while it ran ends its operation without a response.
        if (!this.tests.has(testId)) return undefined
        test.reachabilityDetails = { ...analyseConnectivity(this.org, { source, destination, protocol }), verifyTime: nowStamp(this.now()).replace('-00:00', 'Z') }
        return { '@type': 'type.googleapis.com/google.cloud.networkmanagement.v1.ConnectivityTest', ...this.view(test) }
      })
    )
  }

  private list(_params: string[], req: EmulatorRequest): EmulatorResponse {
    const filter = req.url.searchParams.get('filter') ?? ''
    // The label form of AIP-160 filters the discovery document shows: labels.KEY = VALUE (joined by AND).
    const wanted = [...filter.matchAll(/labels\.([a-z][a-z0-9_-]*)\s*=\s*"?([a-z0-9_-]*)"?/g)].map((m) => [m[1] ?? '', m[2] ?? ''])
    if (filter.trim() && !wanted.length) throw invalid(`Unsupported filter: ${filter}`)
    const all = [...this.tests.values()].filter((t) => wanted.every(([k, v]) => t.labels[k] === v)).map((t) => this.view(t))
    const size = Math.min(Number(req.url.searchParams.get('pageSize') ?? 100) || 100, 100)
    const start = Number(req.url.searchParams.get('pageToken') ?? 0) || 0
    const resources = all.slice(start, start + size)
    return ok({ ...(resources.length ? { resources } : {}), ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}) })
  }

  private remove(project: string, testId: string): EmulatorResponse {
    const test = this.find(project, testId)
    this.tests.delete(testId)
    return ok(this.startOperation(project, test.name, 'delete', () => ({ '@type': 'type.googleapis.com/google.protobuf.Empty' })))
  }

  private find(project: string, testId: string): TestRecord {
    const test = this.tests.get(testId)
    if (!test) throw notFound(`projects/${project}/locations/global/connectivityTests/${testId}`)
    return test
  }

  private startOperation(project: string, target: string, verb: 'create' | 'delete', finish: () => Record<string, unknown> | undefined): Record<string, unknown> {
    const now = this.now()
    const name = `projects/${project}/locations/global/operations/operation-${now}-${(++this.sequence).toString(16).padStart(8, '0')}`
    const op: OperationRecord = { name, target, verb, createTime: nowStamp(now).replace('-00:00', 'Z'), doneAt: now + (verb === 'create' ? this.analysisDelayMs : 0), done: false, finish }
    this.operations.set(name, op)
    return this.settle(op)
  }

  private operationView(project: string, id: string): Record<string, unknown> {
    const op = this.operations.get(`projects/${project}/locations/global/operations/${id}`)
    if (!op) throw notFound(`projects/${project}/locations/global/operations/${id}`)
    return this.settle(op)
  }

  /** The operation as the API shows it, completed first when its time has come. */
  private settle(op: OperationRecord): Record<string, unknown> {
    if (!op.done && this.now() >= op.doneAt) {
      op.done = true
      op.endTime = nowStamp(this.now()).replace('-00:00', 'Z')
      const response = op.finish()
      if (response) op.response = response
    }
    const metadata = {
      '@type': 'type.googleapis.com/google.cloud.networkmanagement.v1.OperationMetadata',
      createTime: op.createTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      target: op.target,
      verb: op.verb,
      cancelRequested: false,
      apiVersion: 'v1'
    }
    if (!op.done) return { name: op.name, metadata, done: false }
    return op.response ? { name: op.name, metadata, done: true, response: op.response } : { name: op.name, metadata, done: true, error: { code: 10, message: 'The Connectivity Test was deleted while it ran.' } }
  }

  private view(test: TestRecord): Record<string, unknown> {
    return {
      name: test.name,
      source: test.source,
      destination: test.destination,
      protocol: test.protocol,
      displayName: test.testId,
      ...(test.description ? { description: test.description } : {}),
      ...(Object.keys(test.labels).length ? { labels: test.labels } : {}),
      createTime: test.createTime,
      updateTime: test.updateTime,
      ...(test.reachabilityDetails ? { reachabilityDetails: test.reachabilityDetails } : {})
    }
  }
}

function endpointOf(value: unknown, field: string): TestEndpoint {
  if (typeof value !== 'object' || value === null) throw invalid(`Invalid value for field '${field}': a Connectivity Test needs a ${field} endpoint.`)
  const e = value as Record<string, unknown>
  const text = (key: string) => (typeof e[key] === 'string' ? (e[key] as string) : undefined)
  const port = typeof e['port'] === 'number' ? e['port'] : undefined
  const endpoint: TestEndpoint = {
    ...(text('ipAddress') ? { ipAddress: text('ipAddress') } : {}),
    ...(text('network') ? { network: text('network') } : {}),
    ...(text('projectId') ? { projectId: text('projectId') } : {}),
    ...(text('networkType') ? { networkType: text('networkType') } : {}),
    ...(text('forwardingRule') ? { forwardingRule: text('forwardingRule') } : {}),
    ...(port !== undefined ? { port } : {})
  }
  if (!endpoint.ipAddress && !endpoint.forwardingRule) throw invalid(`Invalid value for field '${field}': give an IP address or a resource URI.`)
  return endpoint
}
