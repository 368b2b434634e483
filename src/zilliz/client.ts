// HTTP client for the Zilliz Cloud control plane (V2 API) covering what the action needs:
// private endpoint services and registrations, the whitelist, and clusters.
import type { Agent } from 'node:http'
import { excerpt, exchange, jsonObject, type HttpAnswer } from '../base/http-exchange.js'
import { parseRetryAfter, retry } from '../base/retry.js'
import { realClock, type Clock } from '../base/timing.js'
import { ZillizApiError, isZillizApiError, type ZillizErrorDetails } from './errors.js'
import { RateLimiter } from '../base/rate-limit.js'
import type { Cluster, EndpointService, PrivateEndpoint, RegisterEndpointRequest, ZillizApi } from './types.js'

export interface ZillizRetrySettings {
  /** Total attempts, including the first */
  attempts: number
  baseMs: number
  maxMs: number
}

export interface ZillizClientOptions {
  /** Control-plane base URL, e.g. https://api.cloud.zilliz.com */
  apiUrl: string
  apiKey: string
  userAgent?: string
  clock?: Clock
  /** Budget of every call; by default reads get READ_RETRY and writes DEFAULT_RETRY */
  retry?: ZillizRetrySettings
  /** Epoch ms after which no retry starts (the run's wait-timeout) */
  deadline?: number
  /** Client-side ceiling, default 20 (Zilliz's documented per-route limit) */
  requestsPerSecond?: number
  /** Per-request timeout, default 60 s (Zilliz's own control-plane timeout) */
  timeoutMs?: number
  /** Items per page when listing, 1–100, default 100 */
  pageSize?: number
  onRetry?(error: ZillizApiError, attempt: number, delayMs: number): void
  /** The connection pool for a URL, e.g. the run's proxy-aware agents when an outbound proxy is configured */
  agentFor?: (url: URL) => Agent | undefined
}

export const DEFAULT_RETRY: ZillizRetrySettings = { attempts: 5, baseMs: 500, maxMs: 15_000 }
/** Reads are safe to repeat: retried for as long as the deadline allows, capped so a dead API still ends the run. */
export const READ_RETRY: ZillizRetrySettings = { attempts: 30, baseMs: 500, maxMs: 15_000 }
const DEFAULT_TIMEOUT_MS = 60_000
const DEFAULT_USER_AGENT = 'zilliz-private-link-action'
/** A Retry-After longer than this is treated as a hint, not an order to stall the job. */
const MAX_RETRY_AFTER_MS = 60_000
/** V1 APIs reported success as 200, V2 as 0. */
const SUCCESS_CODES = new Set([0, 200])

type Query = Record<string, string | number | undefined>

interface ApiCall {
  operation: string
  /** The API endpoint as Zilliz's rate limit counts it (method and path template): one limit each */
  route: string
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  query?: Query
  body?: unknown
  projectId?: string
}

interface Page {
  count?: number
  [items: string]: unknown
}

interface Envelope {
  code?: unknown
  message?: unknown
  data?: unknown
}

export class ZillizClient implements ZillizApi {
  private readonly apiUrl: string
  private readonly apiKey: string
  private readonly userAgent: string
  private readonly clock: Clock
  private readonly retrySettings: ZillizRetrySettings
  private readonly readRetrySettings: ZillizRetrySettings
  private readonly deadline?: number
  private readonly timeoutMs: number
  private readonly pageSize: number
  /** Zilliz limits each API endpoint apart ("20 requests per second per user per endpoint"): one limiter each */
  private readonly limiters = new Map<string, RateLimiter>()
  private readonly requestsPerSecond: number
  private readonly onRetry?: ZillizClientOptions['onRetry']
  private readonly agentFor?: ZillizClientOptions['agentFor']

  constructor(options: ZillizClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '')
    this.apiKey = options.apiKey
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT
    this.clock = options.clock ?? realClock
    this.retrySettings = options.retry ?? DEFAULT_RETRY
    this.readRetrySettings = options.retry ?? READ_RETRY
    this.deadline = options.deadline
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 100)))
    this.requestsPerSecond = options.requestsPerSecond ?? 20
    this.onRetry = options.onRetry
    this.agentFor = options.agentFor
  }

  listEndpointServices(regionId: string): Promise<EndpointService[]> {
    return this.listAll<EndpointService>(
      { operation: `list private endpoint services in ${regionId}`, route: 'GET /v2/privateEndpointServices', path: '/v2/privateEndpointServices', query: { regionId } },
      'endpointServices'
    )
  }

  async listPrivateEndpoints(projectId: string): Promise<PrivateEndpoint[]> {
    const endpoints = await this.listAll<PrivateEndpoint>(
      { operation: `list private endpoints of ${projectId}`, route: 'GET /v2/projects/{projectId}/privateEndpoints', path: `/v2/projects/${segment(projectId)}/privateEndpoints`, projectId },
      'endpoints'
    )
    return endpoints.map((endpoint) => ({ ...endpoint, gcpProjectId: endpoint.gcpProjectId ?? null }))
  }

  async registerPrivateEndpoint(projectId: string, request: RegisterEndpointRequest): Promise<void> {
    const body: RegisterEndpointRequest = { regionId: request.regionId, endpointId: request.endpointId }
    if (request.gcpProjectId) body.gcpProjectId = request.gcpProjectId
    try {
      await this.call({
        operation: `register private endpoint ${request.endpointId} in ${request.regionId}`,
        route: 'POST /v2/projects/{projectId}/privateEndpoints',
        method: 'POST',
        path: `/v2/projects/${segment(projectId)}/privateEndpoints`,
        body,
        projectId
      })
    } catch (error) {
      // A retried POST whose first attempt landed is refused as a duplicate; the registration is what we wanted.
      const registered = (endpoint: PrivateEndpoint) =>
        endpoint.endpointId === request.endpointId && endpoint.regionId === request.regionId
      if (await this.stateAlreadyHolds(error, projectId, (endpoints) => endpoints.some(registered))) return
      throw error
    }
  }

  async deletePrivateEndpoint(projectId: string, endpointId: string, regionId: string, gcpProjectId?: string): Promise<void> {
    try {
      await this.call({
        operation: `delete private endpoint ${endpointId} in ${regionId}`,
        route: 'DELETE /v2/projects/{projectId}/privateEndpoints/{endpointId}',
        method: 'DELETE',
        path: `/v2/projects/${segment(projectId)}/privateEndpoints/${segment(endpointId)}`,
        query: { regionId, gcpProjectId },
        projectId
      })
    } catch (error) {
      // Deleting what is already gone (in any region) succeeds, so reruns and retried DELETEs are safe.
      if (await this.stateAlreadyHolds(error, projectId, (endpoints) => !endpoints.some((e) => e.endpointId === endpointId))) return
      throw error
    }
  }

  async addWhitelistEntry(projectId: string, regionId: string, outerUserId: string): Promise<void> {
    await this.call({
      operation: `add ${outerUserId} to the private endpoint whitelist of ${regionId}`,
      route: 'POST /v2/projects/{projectId}/privateEndpointWhitelist',
      method: 'POST',
      path: `/v2/projects/${segment(projectId)}/privateEndpointWhitelist`,
      body: { regionId, outerUserId },
      projectId
    })
  }

  async listClusters(projectId: string): Promise<Cluster[]> {
    const clusters = await this.listAll<Cluster>(
      { operation: `list clusters of ${projectId}`, route: 'GET /v2/clusters', path: '/v2/clusters', query: { projectId }, projectId },
      'clusters'
    )
    return clusters.map(withPrivateLinkAddress)
  }

  async describeCluster(clusterId: string): Promise<Cluster> {
    const cluster = await this.call<Cluster>({
      operation: `describe cluster ${clusterId}`,
      route: 'GET /v2/clusters/{clusterId}',
      method: 'GET',
      path: `/v2/clusters/${segment(clusterId)}`
    })
    return withPrivateLinkAddress(cluster)
  }

  /** Follows currentPage until the server's total `count` is reached (or a page comes back empty). */
  private async listAll<T>(call: Omit<ApiCall, 'method'>, itemsKey: string): Promise<T[]> {
    const items: T[] = []
    for (let currentPage = 1; ; currentPage++) {
      const page = await this.call<Page>({ ...call, method: 'GET', query: { ...call.query, currentPage, pageSize: this.pageSize } })
      const pageItems = Array.isArray(page[itemsKey]) ? (page[itemsKey] as T[]) : []
      items.push(...pageItems)
      const total = typeof page.count === 'number' ? page.count : items.length
      if (pageItems.length === 0 || items.length >= total) return items
    }
  }

  /** After a refused write, checks by listing whether the state the write wanted is already there. */
  private async stateAlreadyHolds(
    error: unknown,
    projectId: string,
    holds: (endpoints: PrivateEndpoint[]) => boolean
  ): Promise<boolean> {
    if (!isZillizApiError(error, 'invalid', 'not-found')) return false
    try {
      return holds(await this.listPrivateEndpoints(projectId))
    } catch {
      return false
    }
  }

  private limiterFor(route: string): RateLimiter {
    let limiter = this.limiters.get(route)
    if (!limiter) this.limiters.set(route, (limiter = new RateLimiter({ requestsPerSecond: this.requestsPerSecond, clock: this.clock })))
    return limiter
  }

  private call<T>(call: ApiCall): Promise<T> {
    const { attempts, baseMs, maxMs } = call.method === 'GET' ? this.readRetrySettings : this.retrySettings
    return retry(
      async () => {
        await this.limiterFor(call.route).acquire()
        return this.send<T>(call)
      },
      {
        attempts,
        baseMs,
        maxMs,
        deadline: this.deadline,
        clock: this.clock,
        isRetryable: (error) => isZillizApiError(error) && error.retryable,
        retryAfterMs: (error) => (isZillizApiError(error) ? error.retryAfterMs : undefined),
        onRetry: (error, attempt, delayMs) => this.onRetry?.(error as ZillizApiError, attempt, delayMs)
      }
    )
  }

  /** One HTTP exchange: returns `data` on success, throws ZillizApiError for either error style. */
  private async send<T>(call: ApiCall): Promise<T> {
    let response: HttpAnswer
    try {
      response = await exchange({
        method: call.method,
        url: this.url(call),
        headers: this.headers(),
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        timeoutMs: this.timeoutMs,
        agentFor: this.agentFor
      })
    } catch (error) {
      throw this.error(call, { httpStatus: 0, code: 0, apiMessage: describeNetworkFailure(error), kind: 'network', cause: error })
    }
    const text = response.body
    const envelope = parseEnvelope(text)
    const requestId = response.headers['requestid']
    // Like the Terraform client, a body without a code counts as code 0.
    const code = envelope?.code === undefined ? undefined : Number(envelope.code)

    if (response.status >= 400) {
      throw this.error(call, {
        httpStatus: response.status,
        code: code !== undefined && Number.isFinite(code) ? code : response.status,
        apiMessage: messageOf(envelope, text, response.statusText),
        requestId,
        retryAfterMs: retryAfterMs(response.headers['retry-after'])
      })
    }
    if (!envelope) {
      throw this.error(call, { httpStatus: response.status, code: response.status, apiMessage: `response is not JSON: ${excerpt(text, 300)}`, requestId })
    }
    if (code !== undefined && !SUCCESS_CODES.has(code)) {
      throw this.error(call, { httpStatus: response.status, code: Number.isFinite(code) ? code : -1, apiMessage: messageOf(envelope, text, 'no message'), requestId })
    }
    return envelope.data as T
  }

  private error(call: ApiCall, details: Omit<ZillizErrorDetails, 'operation'>): ZillizApiError {
    return new ZillizApiError({ ...details, operation: call.operation, projectId: call.projectId, apiMessage: this.scrub(details.apiMessage) })
  }

  /** Servers sometimes echo what they were sent; the key must never reach a log. */
  private scrub(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('***') : text
  }

  private url(call: ApiCall): string {
    const query = new URLSearchParams()
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== '') query.set(name, String(value))
    }
    const search = query.toString()
    return `${this.apiUrl}${call.path}${search ? `?${search}` : ''}`
  }

  private headers(): Record<string, string> {
    return {
      Authorization: `Bearer ${this.apiKey}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Request-Timeout': String(Math.ceil(this.timeoutMs / 1000)),
      'User-Agent': this.userAgent
    }
  }
}

function segment(value: string): string {
  return encodeURIComponent(value)
}

function withPrivateLinkAddress(cluster: Cluster): Cluster {
  return { ...cluster, privateLinkAddress: cluster.privateLinkAddress ?? '' }
}

function parseEnvelope(text: string): Envelope | undefined {
  return jsonObject(text) as Envelope | undefined
}

function messageOf(envelope: Envelope | undefined, text: string, fallback: string): string {
  if (typeof envelope?.message === 'string' && envelope.message) return envelope.message
  return excerpt(text, 300) || fallback
}

/** The exchange's own words for a timeout; otherwise Node's, with the error code when it says more. */
function describeNetworkFailure(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { code?: unknown } }
  const text = typeof message === 'string' ? message : String(error)
  const code = typeof cause?.code === 'string' && !text.includes(cause.code) ? ` (${cause.code})` : ''
  return `${text}${code}`
}

/** Retry-After is either delay-seconds or an HTTP date (wall-clock time, hence Date.now). */
function retryAfterMs(header: string | undefined): number | undefined {
  return parseRetryAfter(header, MAX_RETRY_AFTER_MS)
}
