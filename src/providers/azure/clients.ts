// The ARM clients of one run, all on the run's one HTTP client (see transport.ts): the private DNS SDK client
// and a plain ARM pipeline for the rest (network-api.ts, arm-rest.ts); plus the resource ids and ARM error
// shapes the resource modules share.
import { PrivateDnsManagementClient } from '@azure/arm-privatedns'
import { authorizeRequestOnClaimChallenge, ServiceClient, type ServiceClientOptions } from '@azure/core-client'
import type { TokenCredential } from '@azure/identity'
import { bearerTokenAuthenticationPolicy, bearerTokenAuthenticationPolicyName, type HttpClient, type PipelinePolicy } from '@azure/core-rest-pipeline'
import { ServiceGate, underLimit } from '../../base/rate-limit.js'
import type { AzureSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { Observations } from '../../base/observations.js'
import { cloudFailureOf } from '../../engine/cloud-error.js'
import { USER_AGENT } from '../../version.js'
import type { ArmPipeline } from './arm-rest.js'
import { armRetryPolicy } from './arm-retry.js'
import { describeArmFailures } from './errors.js'
import { NetworkApi } from './network-api.js'

/**
 * ARM clients per subscription: the endpoint's, the virtual network's, the DNS zones' (a hub's) and those of
 * linked networks may all differ, while one credential (the federated identity) acts in each. Each
 * subscription gets its own clients, created on first use, and its own gate, as ARM counts requests per
 * subscription and principal.
 */
export interface AzureClients {
  /** Microsoft.Network as plain ARM requests */
  network(subscriptionId: string): NetworkApi
  /** The pipeline for other plain ARM requests (compute, DNS private resolver, Container Instances) */
  arm(subscriptionId: string): ArmPipeline
  dns(subscriptionId: string): PrivateDnsManagementClient
}

export const ARM_HOST = 'https://management.azure.com'

/**
 * A pipeline to ARM built as the generated SDK clients build theirs (@azure/core-client's ServiceClient: the
 * bearer token for ARM with claim challenges answered, the request id, user agent and tracing policies),
 * without loading an SDK package; `options` are the run's (transport, retries, policies).
 */
export function armPipeline(credential: TokenCredential, options: ServiceClientOptions): ArmPipeline & { client: ServiceClient } {
  const client = new ServiceClient({ requestContentType: 'application/json; charset=utf-8', credential, ...options, endpoint: ARM_HOST })
  client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName })
  client.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: `${ARM_HOST}/.default`, challengeCallbacks: { authorizeRequestOnChallenge: authorizeRequestOnClaimChallenge } }))
  return { $host: ARM_HOST, client, sendRequest: (request) => client.sendRequest(request) }
}

/**
 * If-Match / If-None-Match belong to the write they guard. The SDK's long-running-operation poller repeats
 * the PUT's header parameters on every status poll and on the final GET of the resource, where the REST
 * spec declares no such header and a service that honours it may answer 304 Not Modified.
 */
export const conditionalHeadersOnWritesOnly: PipelinePolicy = {
  name: 'conditionalHeadersOnWritesOnly',
  sendRequest(request, next) {
    if (request.method === 'GET' || request.method === 'HEAD') {
      request.headers.delete('If-Match')
      request.headers.delete('If-None-Match')
    }
    return next(request)
  }
}

/**
 * Identical GETs are answered once while the run's observation is shared (plan, inventory and verify
 * read the same zones, links and records); LRO and wait polls run while the plan runs, when nothing is.
 */
export function observationPolicy(observations: Observations): PipelinePolicy {
  return {
    name: 'zplObservation',
    sendRequest: (request, next) => (request.method === 'GET' && !isPoll(request.url) ? observations.read(`arm:GET ${request.url}`, () => next(request)) : next(request))
  }
}

// A long-running operation's status or result URL answers differently on every poll (a Network Watcher
// check is polled while the run's observation is shared): never answered from the shared reads.
const POLL_PATH = /\/(operations|operationResults|privateDnsOperationStatuses|privateDnsOperationResults)\/[^/?]+(\?|$)/i
const isPoll = (url: string) => POLL_PATH.test(url)

/**
 * `principal()` says whom ARM evaluates the requests for, as far as known, for error reports; `deadline`
 * (epoch ms) ends the retries of every call.
 */
export function azureClients(
  credential: TokenCredential,
  httpClient: HttpClient,
  principal: () => string | undefined,
  log: Logger,
  deadline: number,
  observations?: Observations
): AzureClients {
  const bySubscription = new Map<string, { arm: ArmPipeline; network: NetworkApi; dns: PrivateDnsManagementClient }>()
  const pair = (subscriptionId: string) => {
    const id = subscriptionId.toLowerCase()
    const known = bySubscription.get(id)
    if (known) return known
    // One retry mechanism for every call (arm-retry.ts): the pipeline's own policy is turned off.
    const options = {
      httpClient,
      userAgentOptions: { userAgentPrefix: USER_AGENT },
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        ...(observations ? [{ policy: observationPolicy(observations), position: 'perCall' as const }] : []),
        { policy: conditionalHeadersOnWritesOnly, position: 'perCall' as const },
        { policy: armRetryPolicy(deadline, log), position: 'perCall' as const },
        // Each attempt of that retry passes the gate that keeps the run under the subscription's ARM buckets.
        { policy: armGatePolicy(), position: 'perRetry' as const }
      ]
    }
    const arm = armPipeline(credential, options)
    const dns = new PrivateDnsManagementClient(credential, id, options)
    for (const client of [arm.client, dns]) client.pipeline.addPolicy(describeArmFailures(principal))
    const clients = { arm, network: new NetworkApi(arm, id, principal), dns }
    bySubscription.set(id, clients)
    return clients
  }
  return { network: (subscriptionId) => pair(subscriptionId).network, arm: (subscriptionId) => pair(subscriptionId).arm, dns: (subscriptionId) => pair(subscriptionId).dns }
}

// https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling:
// per subscription and principal, reads 250 at 25/s, writes 200 at 10/s, deletes 200 at 10/s.
function armGatePolicy(): PipelinePolicy {
  const buckets = { read: underLimit(250, 25), write: underLimit(200, 10), delete: underLimit(200, 10) }
  const gate = new ServiceGate({ maxInFlight: 8, operation: (kind) => buckets[kind as keyof typeof buckets] })
  return {
    name: 'zplArmGate',
    async sendRequest(request, next) {
      const kind = request.method === 'GET' || request.method === 'HEAD' ? 'read' : request.method === 'DELETE' ? 'delete' : 'write'
      const release = await gate.enter(kind)
      try {
        const response = await next(request)
        // Throttled: the whole subscription waits out Retry-After, not just this request's retry.
        if (response.status === 429) gate.pause(retryAfterMs(response.headers.get('retry-after')))
        return response
      } finally {
        release()
      }
    }
  }
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000
}

/** The virtual network's id as the inputs name it (ARM answers with its own spelling). */
export function virtualNetworkId(settings: AzureSettings): string {
  return `/subscriptions/${settings.networkSubscriptionId}/resourceGroups/${settings.networkResourceGroup}/providers/Microsoft.Network/virtualNetworks/${settings.virtualNetwork}`
}

export function subnetId(settings: AzureSettings): string {
  return `${virtualNetworkId(settings)}/subnets/${settings.subnet}`
}

/** ARM ids compare case-insensitively. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase())
}

/** Subscription, resource group and name of a resource id such as /subscriptions/s/resourceGroups/rg/providers/…/networkInterfaces/nic. */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const parts = id.split('/')
  const at = (segment: string) => parts[parts.findIndex((p) => p.toLowerCase() === segment) + 1] ?? ''
  return { subscriptionId: at('subscriptions'), resourceGroup: at('resourcegroups'), name: parts[parts.length - 1] ?? '' }
}

/** The fields of an ARM RestError the provider branches on. */
export function armError(error: unknown): { status?: number; code?: string } {
  const e = error as { statusCode?: number; code?: string }
  return { status: e.statusCode, code: e.code }
}

/** What was asked, for an answer that says nothing itself: 'GET /subscriptions/…' (no query: nothing secret, but noise). */
function requestLine(error: unknown): string | undefined {
  const request = (error as { request?: { method?: string; url?: string } }).request
  if (!request?.url) return undefined
  try {
    return `${request.method ?? 'request'} ${new URL(request.url).pathname}`
  } catch {
    return undefined
  }
}

/**
 * ARM keeps the error code apart from the message; put it in front, where users search for it. An answer
 * without a message (a 304 has no body) is described by its status and request, so no step fails silently.
 */
export function withArmCode(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const { code, status } = armError(error)
  let message = error.message.trim()
  if (!message) message = `Azure answered HTTP ${status ?? 'with no status'}${requestLine(error) ? ` to ${requestLine(error)}` : ''} without an error message`
  // A described failure already names its code, with the operation.
  if (code && code !== 'undefined' && !message.startsWith(code) && !cloudFailureOf(error)) message = `${code}: ${message}`
  if (message === error.message) return error
  const coded = new Error(message)
  coded.name = error.name
  return coded
}

export const isNotFound = (error: unknown) => armError(error).status === 404
export const isPreconditionFailed = (error: unknown) => armError(error).status === 412

/** 404s that say the scope, not the resource, is missing: a plan must not read them as "create it". */
const MISSING_SCOPE = new Set(['ResourceGroupNotFound', 'SubscriptionNotFound'])
export const isMissingScope = (error: unknown) => isNotFound(error) && MISSING_SCOPE.has(armError(error).code ?? '')

/** Reads a resource, or undefined when ARM says 404 for it (not for its resource group or subscription). */
export async function getOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (isNotFound(error) && !isMissingScope(error)) return undefined
    throw error
  }
}
