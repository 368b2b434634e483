// Azure Resource Manager's documented subscription limits, as the ARM emulator enforces them.
// https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
// ("Regional throttling and token bucket algorithm"): per subscription, service principal and operation
// type, reads 250 tokens refilled at 25/s, writes 200 at 10/s, deletes 200 at 10/s. A throttled request
// gets HTTP 429 with Retry-After and the code SubscriptionRequestsThrottled. Resource-provider limits
// (Microsoft.Network's own) are not published as numbers, so they are not modelled.
import type { RateLimit, Throttle } from '../core/rate-limits.js'
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'
import { cloudError } from './arm-http.js'

const KIND = (method: string) => (method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write')

export function armLimits(req: EmulatorRequest): RateLimit[] {
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(req.url.pathname)?.[1]?.toLowerCase()
  if (!subscription) return []
  const kind = KIND(req.method)
  const principal = principalOf(req)
  return [kind === 'read' ? { bucket: `arm:${subscription}:${principal}:read`, capacity: 250, refillPerSecond: 25 } : { bucket: `arm:${subscription}:${principal}:${kind}`, capacity: 200, refillPerSecond: 10 }]
}

export function armThrottled(throttle: Throttle, req: EmulatorRequest): EmulatorResponse {
  const seconds = Math.max(1, Math.ceil(throttle.retryAfterMs / 1000))
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(req.url.pathname)?.[1] ?? ''
  return cloudError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${KIND(req.method)}' requests for subscription '${subscription}' actor '${principalOf(req)}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
    { 'retry-after': String(seconds) }
  )
}

/** The caller, for the per-principal bucket: the token itself stands in for its principal here. */
function principalOf(req: EmulatorRequest): string {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? 'anonymous'
  return token.slice(-12)
}
