// Loopback fake of the Zilliz Cloud control plane (V2): private endpoint services, private endpoint
// registrations, the whitelist, clusters and regions, with both of Zilliz's error styles and its
// per-route rate limit. Registrations are accepted only for endpoints that exist in an emulated cloud.
import { randomUUID } from 'node:crypto'
import {
  CallLog,
  Switches,
  startService,
  type Classified,
  type EmulatorRequest,
  type EmulatorResponse,
  type Service
} from './core/service.js'
import { World } from './core/world.js'

/** Documented codes, plus this emulator's choice for errors Zilliz does not document (96900+). */
export const ZILLIZ_CODES = {
  ILLEGAL_API_KEY: 21119,
  INVALID_CLOUD: 96000,
  INVALID_REGION: 96001,
  INVALID_PROJECT: 96005,
  INVALID_CURRENT_PAGE: 96009,
  NO_PROJECT_PERMISSION: 96013,
  CLUSTER_NOT_FOUND: 96018,
  RATE_LIMITED: 429,
  INVALID_PARAMETER: 96900,
  MISSING_GCP_PROJECT_ID: 96901,
  INVALID_ENDPOINT_ID: 96902,
  ENDPOINT_LIMIT_EXCEEDED: 96903,
  ENDPOINT_ALREADY_REGISTERED: 96904,
  WHITELIST_REQUIRED: 96905,
  ENDPOINT_NOT_FOUND: 96906,
  NO_ENDPOINT_SERVICE: 96907
} as const

/** Operation names as they appear in the CallLog (after the Zilliz REST reference page titles). */
export const ZILLIZ_OPERATIONS = {
  listEndpointServices: 'ListPrivateEndpointServices',
  listPrivateEndpoints: 'ListPrivateEndpoints',
  createPrivateEndpoint: 'CreatePrivateEndpoint',
  deletePrivateEndpoint: 'DeletePrivateEndpoint',
  addWhitelistEntry: 'AddPrivateEndpointWhitelist',
  listClusters: 'ListClusters',
  describeCluster: 'DescribeCluster',
  listRegions: 'ListCloudRegions'
} as const

export const ZILLIZ_SEED = {
  projectId: 'proj-4a6b8c0d2e4f6a8b0c2d4e',
  apiKey: 'zk-test-0123456789abcdef0123456789abcdef',
  /** A second project the default key cannot see, for permission errors */
  otherProjectId: 'proj-9f8e7d6c5b4a3928170615',
  otherApiKey: 'zk-test-fedcba9876543210fedcba9876543210',
  regions: { aws: 'aws-us-west-2', gcp: 'gcp-us-west1', azure: 'az-eastus', withoutPrivateLink: 'aws-us-east-1' },
  endpointServices: {
    aws: 'com.amazonaws.vpce.us-west-2.vpce-svc-0ecd272cca7aa6d6e',
    gcp: 'projects/zilliz-prod/regions/us-west1/serviceAttachments/zilliz-psc',
    azure: 'zilliz-prod-privatelink.6a90fc24-16c3-40c1-a94c-648987ac7422.eastus.azure.privatelinkservice'
  },
  clusters: {
    aws: ['in01-0a1b2c3d4e5f607', 'in01-1b2c3d4e5f60718'],
    awsServerless: 'in05-2c3d4e5f6071829',
    gcp: 'in01-3d4e5f60718293a',
    azure: 'in01-4e5f60718293a4b',
    otherProject: 'in01-5f60718293a4b5c'
  },
  port: 19530
} as const

export interface ZillizProjectRecord {
  projectId: string
  projectName: string
  /** API keys allowed to use the project */
  apiKeys: string[]
}

export interface ZillizRegionRecord {
  regionId: string
  /** 'aws' | 'gcp' | 'azure' (note: Azure regions use the prefix az-) */
  cloudId: string
  domain: string
  /** Absent for regions without private link support */
  endpointService?: string
  whitelistRequired: boolean
}

export interface ZillizClusterRecord {
  clusterId: string
  clusterName: string
  projectId: string
  regionId: string
  plan: string
  status: string
  connectAddress: string
  cuType: string
  cuSize: number
  createTime: string
  /** The host Zilliz allocates once linked, when it is not the documented <clusterId>-privatelink.<regionId>… */
  privateLinkHost?: string
}

export interface ZillizRegistration {
  projectId: string
  regionId: string
  cloudId: string
  endpointId: string
  gcpProjectId: string | null
  /** Emulator clock (ms) at registration */
  registeredAt: number
  accepted: boolean
}

export interface ZillizWhitelistEntry {
  projectId: string
  regionId: string
  outerUserId: string
}

export interface ZillizState {
  projects: ZillizProjectRecord[]
  regions: ZillizRegionRecord[]
  clusters: ZillizClusterRecord[]
  registrations: ZillizRegistration[]
  whitelist: ZillizWhitelistEntry[]
}

export interface ZillizEmulatorSettings {
  /** Time from registration to acceptance (the real service takes about 5 minutes) */
  acceptanceDelayMs: number
  /** Requests allowed per API key and route within windowMs (Zilliz: 20 per second) */
  rateLimit: { requests: number; windowMs: number }
  maxEndpointsPerProject: number
  /** Refuse registrations in whitelist-required regions until the project whitelisted an account there */
  enforceWhitelist: boolean
  /** When set, 429 answers carry Retry-After (seconds); Zilliz does not document one */
  retryAfterSeconds?: number
}

export interface ZillizEmulatorOptions extends Partial<ZillizEmulatorSettings> {
  world?: World
  state?: ZillizState
  /** Clock for acceptance delays; the rate limit always counts real time */
  now?: () => number
}

export const DEFAULT_ZILLIZ_SETTINGS: ZillizEmulatorSettings = {
  acceptanceDelayMs: 0,
  rateLimit: { requests: 20, windowMs: 1000 },
  maxEndpointsPerProject: 10,
  enforceWhitelist: true
}

/** A cluster record as Zilliz describes it; dedicated unless plan says Serverless. */
export function makeCluster(spec: {
  clusterId: string
  projectId: string
  regionId: string
  plan?: string
  port?: number
  clusterName?: string
}): ZillizClusterRecord {
  const serverless = spec.plan === 'Serverless'
  const host = serverless
    ? `${spec.clusterId}.serverless.${spec.regionId}.vectordb.zillizcloud.com`
    : `${spec.clusterId}.${spec.regionId}.vectordb.zillizcloud.com:${spec.port ?? ZILLIZ_SEED.port}`
  return {
    clusterId: spec.clusterId,
    clusterName: spec.clusterName ?? `cluster-${spec.clusterId.slice(-4)}`,
    projectId: spec.projectId,
    regionId: spec.regionId,
    plan: spec.plan ?? 'Enterprise',
    status: 'RUNNING',
    connectAddress: `https://${host}`,
    cuType: serverless ? '' : 'Performance-optimized',
    cuSize: serverless ? 0 : 1,
    createTime: '2026-01-15T08:00:00Z'
  }
}

/** Makes the seed project's dedicated clusters in a region exactly n (for runs at scale). */
export function seedDedicatedClusters(state: ZillizState, regionId: string, n: number): string[] {
  const others = state.clusters.filter((c) => !(c.regionId === regionId && c.projectId === ZILLIZ_SEED.projectId))
  const ids = Array.from({ length: n }, (_, i) => `in01-${(0xa000 + i).toString(16).padStart(15, '0')}`)
  state.clusters.length = 0
  state.clusters.push(...others, ...ids.map((clusterId, i) => makeCluster({ clusterId, projectId: ZILLIZ_SEED.projectId, regionId, clusterName: `scale-${i}` })))
  return ids
}

/** The default world: one project with AWS, GCP and Azure clusters, and a second, foreign project. */
export function seedZillizState(): ZillizState {
  const { projectId, otherProjectId, regions, endpointServices, clusters } = ZILLIZ_SEED
  const region = (regionId: string, cloudId: string, endpointService?: string, whitelistRequired = false) => ({
    regionId,
    cloudId,
    domain: 'api.cloud.zilliz.com',
    endpointService,
    whitelistRequired
  })
  return {
    projects: [
      { projectId, projectName: 'Default Project', apiKeys: [ZILLIZ_SEED.apiKey] },
      { projectId: otherProjectId, projectName: 'Other Team', apiKeys: [ZILLIZ_SEED.otherApiKey] }
    ],
    regions: [
      region(regions.aws, 'aws', endpointServices.aws),
      region(regions.gcp, 'gcp', endpointServices.gcp),
      region(regions.azure, 'azure', endpointServices.azure, true),
      region(regions.withoutPrivateLink, 'aws')
    ],
    clusters: [
      makeCluster({ clusterId: clusters.aws[0], projectId, regionId: regions.aws, clusterName: 'search-prod' }),
      makeCluster({ clusterId: clusters.aws[1], projectId, regionId: regions.aws, clusterName: 'search-staging' }),
      makeCluster({ clusterId: clusters.awsServerless, projectId, regionId: regions.aws, plan: 'Serverless', clusterName: 'playground' }),
      makeCluster({ clusterId: clusters.gcp, projectId, regionId: regions.gcp, clusterName: 'gcp-prod' }),
      makeCluster({ clusterId: clusters.azure, projectId, regionId: regions.azure, clusterName: 'azure-prod' }),
      makeCluster({ clusterId: clusters.otherProject, projectId: otherProjectId, regionId: regions.aws, clusterName: 'other-team' })
    ],
    registrations: [],
    whitelist: []
  }
}

/** What each cloud calls the endpoint id that Zilliz registers. */
const ENDPOINT_ID_FORMATS: Record<string, { pattern: RegExp; expected: string }> = {
  aws: { pattern: /^vpce-[0-9a-f]{8,17}$/, expected: 'a VPC endpoint id such as vpce-0a1b2c3d4e5f60718' },
  gcp: { pattern: /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/, expected: 'the name of the PSC forwarding rule' },
  azure: {
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?\.[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/,
    expected: '<private endpoint name>.<resourceGuid>'
  }
}
const GCP_PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/
const DEFAULT_PAGE_SIZE = 10

/** A domain error: HTTP 200 (unless said otherwise) with a non-zero code, as Zilliz answers them. */
class ZillizFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200
  ) {
    super(message)
  }
}

interface RouteCall {
  key: string
  params: string[]
  query: URLSearchParams
  body: string
}

interface Route {
  method: string
  pattern: RegExp
  operation: string
  write: boolean
  run(call: RouteCall): unknown
}

export class ZillizEmulator implements Service {
  readonly name = 'zilliz'
  readonly world: World
  readonly state: ZillizState
  /** Mutable at run time, e.g. to lower the rate limit in one test */
  readonly settings: ZillizEmulatorSettings
  private readonly now: () => number
  private readonly rateWindow = new SlidingWindow()

  private readonly routes: Route[] = [
    this.route('GET', /^\/v2\/privateEndpointServices$/, ZILLIZ_OPERATIONS.listEndpointServices, (c) => this.listEndpointServices(c)),
    this.route('GET', /^\/v2\/projects\/([^/]+)\/privateEndpoints$/, ZILLIZ_OPERATIONS.listPrivateEndpoints, (c) => this.listPrivateEndpoints(c)),
    this.route('POST', /^\/v2\/projects\/([^/]+)\/privateEndpoints$/, ZILLIZ_OPERATIONS.createPrivateEndpoint, (c) => this.createPrivateEndpoint(c)),
    this.route('DELETE', /^\/v2\/projects\/([^/]+)\/privateEndpoints\/([^/]+)$/, ZILLIZ_OPERATIONS.deletePrivateEndpoint, (c) => this.deletePrivateEndpoint(c)),
    this.route('POST', /^\/v2\/projects\/([^/]+)\/privateEndpointWhitelist$/, ZILLIZ_OPERATIONS.addWhitelistEntry, (c) => this.addWhitelistEntry(c)),
    this.route('GET', /^\/v2\/clusters$/, ZILLIZ_OPERATIONS.listClusters, (c) => this.listClusters(c)),
    this.route('GET', /^\/v2\/clusters\/([^/]+)$/, ZILLIZ_OPERATIONS.describeCluster, (c) => this.describeCluster(c)),
    this.route('GET', /^\/v2\/regions$/, ZILLIZ_OPERATIONS.listRegions, (c) => this.listRegions(c))
  ]

  constructor(options: ZillizEmulatorOptions = {}) {
    const { world, state, now, ...settings } = options
    this.world = world ?? new World()
    this.state = state ?? seedZillizState()
    this.now = now ?? Date.now
    this.settings = { ...DEFAULT_ZILLIZ_SETTINGS, ...settings }
  }

  classify(req: EmulatorRequest): Classified {
    const route = this.match(req)?.route
    return route ? { operation: route.operation, write: route.write } : { operation: 'Unknown', write: req.method !== 'GET' }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    const matched = this.match(req)
    if (!matched) return reply(404, { code: 404, message: `No route for ${req.method} ${req.url.pathname}` })
    const key = bearerKey(req)
    if (!key || !this.state.projects.some((p) => p.apiKeys.includes(key))) {
      return reply(401, { code: ZILLIZ_CODES.ILLEGAL_API_KEY, message: 'The apikey is illegal' })
    }
    const { requests, windowMs } = this.settings.rateLimit
    if (!this.rateWindow.allow(`${key} ${matched.route.operation}`, requests, windowMs, Date.now())) {
      return { ...this.errorResponse(429, String(ZILLIZ_CODES.RATE_LIMITED), `Too many requests: at most ${requests} per ${windowMs} ms per API key and route`), throttled: true }
    }
    this.settle()
    try {
      const data = matched.route.run({ key, params: matched.params, query: req.url.searchParams, body: req.body })
      return reply(200, { code: 0, data })
    } catch (error) {
      if (error instanceof ZillizFailure) return { ...reply(error.httpStatus, { code: error.code, message: error.message }), failed: true }
      throw error
    }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    const numeric = Number(code)
    const response = reply(status, { code: Number.isInteger(numeric) ? numeric : status, message })
    if (status === 429 && this.settings.retryAfterSeconds !== undefined) {
      response.headers = { ...response.headers, 'retry-after': String(this.settings.retryAfterSeconds) }
    }
    return response
  }

  /**
   * Accepts registrations that are due and whose cloud endpoint exists. Runs on every request (so an
   * endpoint created after its registration is still accepted) and when an acceptance delay elapses.
   */
  settle(): void {
    const now = this.now()
    for (const registration of this.state.registrations) {
      if (registration.accepted || now - registration.registeredAt < this.settings.acceptanceDelayMs) continue
      if (!this.world.endpoints.has(registration.cloudId, registration.endpointId)) continue
      // A GCP service attachment accepts connections by the consumer's project: a registration naming
      // another project than the one owning the forwarding rule is never accepted.
      const owner = registration.cloudId === 'gcp' ? this.world.endpoints.owner('gcp', registration.endpointId) : undefined
      if (owner && registration.gcpProjectId && owner !== registration.gcpProjectId) continue
      registration.accepted = true
      this.world.setAccepted(registration.cloudId, registration.endpointId, true)
    }
  }

  /** Seeds a registration directly, bypassing validation and limits (for paging and fixture setups). */
  addRegistration(registration: Omit<ZillizRegistration, 'registeredAt' | 'accepted' | 'cloudId' | 'gcpProjectId'> & Partial<ZillizRegistration>): ZillizRegistration {
    const record: ZillizRegistration = {
      cloudId: this.regionOrFail(registration.regionId).cloudId,
      gcpProjectId: null,
      registeredAt: this.now(),
      accepted: false,
      ...registration
    }
    this.state.registrations.push(record)
    return record
  }

  private listEndpointServices({ key, query }: RouteCall) {
    const projectId = query.get('projectId')
    if (projectId) this.projectFor(key, projectId)
    const regionId = query.get('regionId')
    if (regionId) this.regionOrFail(regionId)
    const services = this.state.regions
      .filter((r) => r.endpointService !== undefined && (!regionId || r.regionId === regionId))
      .map((r) => ({ regionId: r.regionId, cloudId: r.cloudId, endpointService: r.endpointService, whitelistRequired: r.whitelistRequired }))
    return paginate(services, query, 'endpointServices')
  }

  private listPrivateEndpoints({ key, params, query }: RouteCall) {
    const project = this.projectFor(key, params[0])
    const endpoints = this.state.registrations.filter((r) => r.projectId === project.projectId).map((r) => this.endpointView(r))
    return paginate(endpoints, query, 'endpoints')
  }

  private createPrivateEndpoint({ key, params, body }: RouteCall) {
    const project = this.projectFor(key, params[0])
    const request = parseBody(body)
    const region = this.regionOrFail(requiredString(request, 'regionId'))
    const endpointId = requiredString(request, 'endpointId')
    if (!region.endpointService) {
      throw new ZillizFailure(ZILLIZ_CODES.NO_ENDPOINT_SERVICE, `Private endpoints are not available in region ${region.regionId}`)
    }
    const gcpProjectId = region.cloudId === 'gcp' ? validGcpProjectId(request.gcpProjectId) : null
    const format = ENDPOINT_ID_FORMATS[region.cloudId]
    if (format && !format.pattern.test(endpointId)) {
      throw new ZillizFailure(ZILLIZ_CODES.INVALID_ENDPOINT_ID, `Invalid endpointId ${endpointId}: ${region.regionId} expects ${format.expected}`)
    }
    const registered = this.state.registrations.filter((r) => r.projectId === project.projectId)
    if (registered.some((r) => r.endpointId === endpointId)) {
      throw new ZillizFailure(ZILLIZ_CODES.ENDPOINT_ALREADY_REGISTERED, `Private endpoint ${endpointId} is already registered in project ${project.projectId}`)
    }
    if (registered.length >= this.settings.maxEndpointsPerProject) {
      throw new ZillizFailure(ZILLIZ_CODES.ENDPOINT_LIMIT_EXCEEDED, `A project can have at most ${this.settings.maxEndpointsPerProject} private endpoints`)
    }
    if (this.settings.enforceWhitelist && region.whitelistRequired && !this.isWhitelisted(project.projectId, region.regionId, this.world.endpoints.owner(region.cloudId, endpointId))) {
      throw new ZillizFailure(
        ZILLIZ_CODES.WHITELIST_REQUIRED,
        `Region ${region.regionId} requires your cloud account to be whitelisted first (privateEndpointWhitelist)`
      )
    }
    this.addRegistration({ projectId: project.projectId, regionId: region.regionId, endpointId, gcpProjectId })
    this.scheduleSettle()
    return { endpointId, regionId: region.regionId }
  }

  private deletePrivateEndpoint({ key, params, query }: RouteCall) {
    const project = this.projectFor(key, params[0])
    const endpointId = params[1]
    const region = this.regionOrFail(query.get('regionId') ?? '')
    const index = this.state.registrations.findIndex(
      (r) => r.projectId === project.projectId && r.regionId === region.regionId && r.endpointId === endpointId
    )
    if (index < 0) {
      throw new ZillizFailure(ZILLIZ_CODES.ENDPOINT_NOT_FOUND, `Private endpoint ${endpointId} is not registered in ${region.regionId}`)
    }
    const [removed] = this.state.registrations.splice(index, 1)
    if (removed.accepted) this.world.setAccepted(removed.cloudId, removed.endpointId, false)
    return { endpointId }
  }

  private addWhitelistEntry({ key, params, body }: RouteCall) {
    const project = this.projectFor(key, params[0])
    const request = parseBody(body)
    const region = this.regionOrFail(requiredString(request, 'regionId'))
    const outerUserId = requiredString(request, 'outerUserId')
    const entry = { projectId: project.projectId, regionId: region.regionId, outerUserId }
    // Repeats are accepted: Zilliz documents no error for an account that is already whitelisted.
    const known = this.state.whitelist.some((w) => w.projectId === entry.projectId && w.regionId === entry.regionId && w.outerUserId === outerUserId)
    if (!known) this.state.whitelist.push(entry)
    return 'success'
  }

  private listClusters({ key, query }: RouteCall) {
    const projectId = query.get('projectId')
    if (projectId) this.projectFor(key, projectId)
    const visible = this.state.clusters.filter((c) => (projectId ? c.projectId === projectId : this.canUse(key, c.projectId)))
    return paginate(
      visible.map((c) => this.clusterView(c)),
      query,
      'clusters'
    )
  }

  private describeCluster({ key, params }: RouteCall) {
    const cluster = this.state.clusters.find((c) => c.clusterId === params[0])
    if (!cluster) throw new ZillizFailure(ZILLIZ_CODES.CLUSTER_NOT_FOUND, `Cluster ${params[0]} not found`)
    this.projectFor(key, cluster.projectId)
    return this.clusterView(cluster)
  }

  private listRegions({ query }: RouteCall) {
    const cloudId = query.get('cloudId')
    if (cloudId && !this.state.regions.some((r) => r.cloudId === cloudId)) {
      throw new ZillizFailure(ZILLIZ_CODES.INVALID_CLOUD, 'Invalid CloudId. Please use the ListCloudProviders API to obtain a list of supported cloudIds.')
    }
    return this.state.regions
      .filter((r) => !cloudId || r.cloudId === cloudId)
      .map((r) => ({ cloudId: r.cloudId, regionId: r.regionId, domain: r.domain }))
  }

  private endpointView(r: ZillizRegistration) {
    return {
      regionId: r.regionId,
      cloudId: r.cloudId,
      endpointService: this.regionOrFail(r.regionId).endpointService ?? '',
      endpointServiceStatus: 'Available',
      endpointId: r.endpointId,
      endpointStatus: r.accepted ? 'accepted' : 'pending',
      gcpProjectId: r.gcpProjectId
    }
  }

  private clusterView(c: ZillizClusterRecord) {
    const { privateLinkHost: _allocated, ...cluster } = c
    return { ...cluster, description: '', privateLinkAddress: this.privateLinkAddress(c) }
  }

  /** One accepted endpoint links every dedicated cluster of its project and region. */
  private privateLinkAddress(c: ZillizClusterRecord): string {
    // The emulator's assumption: a cluster that is not running (suspended, deleting) serves no private link.
    if (c.plan === 'Serverless' || c.status !== 'RUNNING') return ''
    const linked = this.state.registrations.some((r) => r.accepted && r.projectId === c.projectId && r.regionId === c.regionId)
    if (!linked) return ''
    const port = new URL(c.connectAddress).port || '443'
    return `https://${c.privateLinkHost ?? `${c.clusterId}-privatelink.${c.regionId}.vectordb.zillizcloud.com`}:${port}`
  }

  private projectFor(key: string, projectId: string): ZillizProjectRecord {
    const project = this.state.projects.find((p) => p.projectId === projectId)
    if (!project) {
      throw new ZillizFailure(
        ZILLIZ_CODES.INVALID_PROJECT,
        'Invalid projectId. The projectId should be like proj-xxxxxxxx. Please use the ListProjects API to obtain your scoped projects.'
      )
    }
    if (!project.apiKeys.includes(key)) {
      throw new ZillizFailure(ZILLIZ_CODES.NO_PROJECT_PERMISSION, "You don't have permission for this project. Org owner or project owner is needed.")
    }
    return project
  }

  private canUse(key: string, projectId: string): boolean {
    return this.state.projects.some((p) => p.projectId === projectId && p.apiKeys.includes(key))
  }

  private regionOrFail(regionId: string): ZillizRegionRecord {
    if (!regionId) throw new ZillizFailure(ZILLIZ_CODES.INVALID_PARAMETER, 'regionId is required')
    const region = this.state.regions.find((r) => r.regionId === regionId)
    if (!region) {
      throw new ZillizFailure(ZILLIZ_CODES.INVALID_REGION, 'Invalid RegionId. Please use the ListCloudRegions API to obtain a list of supported regionIds.')
    }
    return region
  }

  /** When the cloud says which account owns the endpoint, that account must be the whitelisted one. */
  private isWhitelisted(projectId: string, regionId: string, owner?: string): boolean {
    return this.state.whitelist.some(
      (w) => w.projectId === projectId && w.regionId === regionId && (!owner || w.outerUserId.toLowerCase() === owner.toLowerCase())
    )
  }

  /** Accepts the registration when its delay elapses even if nobody calls Zilliz in between. */
  private scheduleSettle(): void {
    if (this.settings.acceptanceDelayMs <= 0) return
    setTimeout(() => this.settle(), this.settings.acceptanceDelayMs).unref()
  }

  private match(req: EmulatorRequest): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      const found = route.method === req.method ? route.pattern.exec(req.url.pathname) : null
      if (found) return { route, params: found.slice(1).map(decodeSegment) }
    }
    return undefined
  }

  private route(method: string, pattern: RegExp, operation: string, run: Route['run']): Route {
    return { method, pattern, operation, write: method !== 'GET', run }
  }
}

/** Requests per bucket within a trailing window; refused requests do not count. */
class SlidingWindow {
  private readonly hits = new Map<string, number[]>()

  allow(bucket: string, limit: number, windowMs: number, now: number): boolean {
    const recent = (this.hits.get(bucket) ?? []).filter((at) => now - at < windowMs)
    const allowed = recent.length < limit
    if (allowed) recent.push(now)
    this.hits.set(bucket, recent)
    return allowed
  }
}

function reply(status: number, body: unknown): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', requestid: randomUUID().replace(/-/g, '') },
    body: JSON.stringify(body)
  }
}

function bearerKey(req: EmulatorRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Zilliz's private endpoint lists quietly fall back to 10 items for a page size outside 1–100. */
function paginate<T>(items: T[], query: URLSearchParams, itemsKey: string) {
  const requestedSize = Number(query.get('pageSize') ?? DEFAULT_PAGE_SIZE)
  const pageSize = Number.isInteger(requestedSize) && requestedSize >= 1 && requestedSize <= 100 ? requestedSize : DEFAULT_PAGE_SIZE
  const currentPage = Number(query.get('currentPage') ?? 1)
  if (!Number.isInteger(currentPage) || currentPage < 1) {
    throw new ZillizFailure(ZILLIZ_CODES.INVALID_CURRENT_PAGE, 'The parameter currentPage should have a value between 1 and the maximum value of Int.')
  }
  const start = (currentPage - 1) * pageSize
  return { [itemsKey]: items.slice(start, start + pageSize), currentPage, pageSize, count: items.length }
}

function parseBody(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new ZillizFailure(ZILLIZ_CODES.INVALID_PARAMETER, 'The request body must be a JSON object')
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ZillizFailure(ZILLIZ_CODES.INVALID_PARAMETER, `${field} is required`)
  }
  return value
}

function validGcpProjectId(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new ZillizFailure(ZILLIZ_CODES.MISSING_GCP_PROJECT_ID, 'gcpProjectId is required for Google Cloud regions')
  }
  if (typeof value !== 'string' || !GCP_PROJECT_ID.test(value)) {
    throw new ZillizFailure(ZILLIZ_CODES.INVALID_PARAMETER, `Invalid gcpProjectId ${String(value)}`)
  }
  return value
}

export interface RunningZilliz {
  emulator: ZillizEmulator
  world: World
  log: CallLog
  switches: Switches
  /** Base URL to give the client, http://127.0.0.1:<port> */
  url: string
  close(): Promise<void>
}

/** Starts the emulator on 127.0.0.1 with its own (or the given) world, call log and switches. */
export async function startZilliz(
  options: ZillizEmulatorOptions & { log?: CallLog; switches?: Switches; port?: number } = {}
): Promise<RunningZilliz> {
  const { log = new CallLog(), switches = new Switches(), port, ...emulatorOptions } = options
  const emulator = new ZillizEmulator(emulatorOptions)
  const running = await startService(emulator, log, switches, port)
  return { emulator, world: emulator.world, log, switches, url: running.url, close: running.close }
}
