// Client-side pacing so the action stays under each API's documented request limits instead of
// learning them from throttling errors. Token buckets in their GCRA form: each call reserves the next
// free slot synchronously, so concurrent callers queue in order, then sleeps on the Clock until it comes.
import { realClock, type Clock } from './timing.js'

export interface RateLimiterOptions {
  /** Most requests in any one-second window (default 20) */
  requestsPerSecond?: number
  /** Requests that may go back to back before pacing starts (default 2) */
  burst?: number
  clock?: Clock
}

export class RateLimiter {
  /** Spacing between slots once the burst is used up */
  readonly intervalMs: number
  private readonly toleranceMs: number
  private readonly clock: Clock
  /** When the next request would be due at the steady rate */
  private nextDue = Number.NEGATIVE_INFINITY

  constructor(options: RateLimiterOptions = {}) {
    const perSecond = Math.floor(options.requestsPerSecond ?? 20)
    if (!(perSecond >= 1)) throw new Error(`requestsPerSecond must be at least 1, got ${options.requestsPerSecond}`)
    const burst = Math.min(Math.max(1, Math.floor(options.burst ?? 2)), perSecond)
    // A window of one second holds at most the burst plus the slots after it, so the steady rate gives
    // up (burst - 1) slots to keep every window at or under the limit; ceil keeps rounding on the safe side.
    this.intervalMs = Math.ceil(1000 / (perSecond - burst + 1))
    this.toleranceMs = (burst - 1) * this.intervalMs
    this.clock = options.clock ?? realClock
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now()
    const due = Math.max(this.nextDue, now)
    const waitMs = Math.max(0, due - this.toleranceMs - now)
    this.nextDue = due + this.intervalMs
    if (waitMs > 0) await this.clock.sleep(waitMs, signal)
  }
}

export interface BucketSpec {
  /** Sustained rate: the bucket's refill per second */
  perSecond: number
  /** Calls that may go back to back while the bucket is full */
  burst: number
}

/** A token bucket of the clouds' kind (capacity = burst, refill = perSecond), paced on the client. */
export class TokenBucket {
  private readonly intervalMs: number
  private readonly toleranceMs: number
  private nextDue = Number.NEGATIVE_INFINITY

  constructor(
    spec: BucketSpec,
    private readonly clock: Clock = realClock
  ) {
    if (!(spec.perSecond > 0)) throw new Error(`perSecond must be positive, got ${spec.perSecond}`)
    this.intervalMs = 1000 / spec.perSecond
    this.toleranceMs = (Math.max(1, Math.floor(spec.burst)) - 1) * this.intervalMs
  }

  /** Milliseconds to wait for a token, reserving it. */
  reserve(now: number): number {
    const due = Math.max(this.nextDue, now)
    this.nextDue = due + this.intervalMs
    return Math.max(0, Math.ceil(due - this.toleranceMs - now))
  }

  async take(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve(this.clock.now())
    if (waitMs > 0) await this.clock.sleep(waitMs, signal)
  }
}

export interface GateOptions {
  /** Most calls to the service in flight at once */
  maxInFlight: number
  /** The service-wide bucket (e.g. Route 53's per-account one) */
  rate?: BucketSpec
  /** The bucket of one operation (by the name the caller passes to enter()), if it has its own */
  operation?(name: string): BucketSpec | undefined
  clock?: Clock
}

/**
 * One service's admission: at most maxInFlight calls at once, and each call waits for a token of the
 * service's bucket and of its operation's. enter() resolves to the function that frees the slot.
 */
export class ServiceGate {
  private readonly clock: Clock
  private readonly rate?: TokenBucket
  private readonly operations = new Map<string, TokenBucket>()
  private readonly waiting: (() => void)[] = []
  private inFlight = 0
  /** Set by a throttling answer: no call of this service starts before it */
  private resumeAt = Number.NEGATIVE_INFINITY

  constructor(private readonly options: GateOptions) {
    this.clock = options.clock ?? realClock
    if (options.rate) this.rate = new TokenBucket(options.rate, this.clock)
  }

  private bucketOf(operation: string | undefined): TokenBucket | undefined {
    if (!operation) return undefined
    if (!this.operations.has(operation)) {
      const spec = this.options.operation?.(operation)
      if (spec) this.operations.set(operation, new TokenBucket(spec, this.clock))
    }
    return this.operations.get(operation)
  }

  /** The service throttled a call: no call of the service starts for this long (its Retry-After or a backoff). */
  pause(ms: number): void {
    this.resumeAt = Math.max(this.resumeAt, this.clock.now() + ms)
  }

  async enter(operation?: string, signal?: AbortSignal): Promise<() => void> {
    // A freed slot passes straight to the longest waiter, so no newcomer can overtake it.
    if (this.inFlight < this.options.maxInFlight) this.inFlight++
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    let freed = false
    const release = () => {
      if (freed) return
      freed = true
      const next = this.waiting.shift()
      if (next) next()
      else this.inFlight--
    }
    try {
      const now = this.clock.now()
      const waits = [this.rate?.reserve(now) ?? 0, this.bucketOf(operation)?.reserve(now) ?? 0]
      const waitMs = Math.max(...waits, this.resumeAt - now)
      if (waitMs > 0) await this.clock.sleep(waitMs, signal)
    } catch (error) {
      release()
      throw error
    }
    return release
  }
}

/** A documented limit with a margin, so clock skew and latency jitter do not reach the server's edge. */
export function underLimit(capacity: number, refillPerSecond: number, margin = 0.9): BucketSpec {
  return { perSecond: refillPerSecond * margin, burst: Math.max(1, Math.floor(capacity * margin)) }
}
