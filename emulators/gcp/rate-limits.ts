// Compute Engine's documented per-project rate quotas, as the Compute emulator enforces them.
// https://cloud.google.com/compute/api-quota: quotas count per project in per-minute intervals that refill
// at the start of the next interval; each group defaults to 1,500 requests per minute (queries = global
// writes, read requests = *.get, list requests = *.list, operation read requests = *Operations.get/wait).
// A request over quota gets HTTP 403 with the reason rateLimitExceeded.
// Cloud DNS publishes its per-minute API quota without a default value, so it is not modelled.
import type { RateLimit } from '../core/rate-limits.js'
import type { Classified } from '../core/service.js'
import { googleErrorResponse } from './google-wire.js'

const PER_MINUTE = 1500

function group(call: Classified): string {
  if (/Operations\.(get|wait)$/.test(call.operation)) return 'operation_read_requests'
  if (call.write) return 'default'
  if (/\.(list|aggregatedList)$/.test(call.operation)) return 'list_requests'
  return 'read_requests'
}

export function computeLimits(call: Classified, project: string): RateLimit[] {
  return [{ bucket: `compute:${project}:${group(call)}`, capacity: PER_MINUTE, windowMs: 60_000 }]
}

export function computeThrottled() {
  return googleErrorResponse(403, 'rateLimitExceeded', 'Rate Limit Exceeded')
}
