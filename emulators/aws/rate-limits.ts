// The documented request limits of the AWS APIs the action calls, as the emulators enforce them.
import type { Classified } from '../core/service.js'
import type { RateLimit } from '../core/rate-limits.js'

// Route 53, https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html
// ("Request rate token bucket sizes and refill rates"): every request takes a token from the account's
// bucket (capacity 50, refill 10/s) and from its operation's (default 50/10; CreateHostedZone 40/2,
// AssociateVPCWithHostedZone 20/5). A throttled request gets HTTP 400, Code Throttling, "Rate exceeded".
// The separate change-throughput bucket is not modelled: each of the action's changes holds one record.
const ROUTE53_OPERATION: Record<string, { capacity: number; refillPerSecond: number }> = {
  CreateHostedZone: { capacity: 40, refillPerSecond: 2 },
  AssociateVPCWithHostedZone: { capacity: 20, refillPerSecond: 5 },
  DisassociateVPCFromHostedZone: { capacity: 10, refillPerSecond: 5 },
  DeleteHostedZone: { capacity: 40, refillPerSecond: 5 }
}

export function route53Limits(call: Classified, account: string): RateLimit[] {
  const operation = ROUTE53_OPERATION[call.operation] ?? { capacity: 50, refillPerSecond: 10 }
  return [
    { bucket: `route53:${account}`, capacity: 50, refillPerSecond: 10 },
    { bucket: `route53:${account}:${call.operation}`, ...operation }
  ]
}

// EC2, https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html ("Request token bucket
// sizes and refill rates"): one bucket per API action per account and Region; mutating actions 50
// tokens refilled at 5/s, non-mutating (Describe*) 100 at 20/s. A throttled request gets HTTP 503 with
// the error code RequestLimitExceeded. The 50/10 bucket of unfiltered, unpaginated Describe calls is
// not modelled: the action always filters.
export function ec2Limits(call: Classified, account: string, region: string): RateLimit[] {
  const bucket = `ec2:${account}:${region}:${call.operation}`
  return [/^Describe/.test(call.operation) ? { bucket, capacity: 100, refillPerSecond: 20 } : { bucket, capacity: 50, refillPerSecond: 5 }]
}
