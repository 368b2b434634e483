// The clouds' documented request-rate limits, shared by every emulator: token buckets (Route 53, EC2,
// ARM) and fixed per-minute windows (Compute Engine). A call takes one token from each of its buckets, or
// none when any is empty; the service then answers with its own throttling error.

export interface TokenBucketLimit {
  /** Bucket name; calls naming the same bucket share it (e.g. 'route53:account') */
  bucket: string
  /** Burst: tokens a full bucket holds */
  capacity: number
  refillPerSecond: number
}

export interface FixedWindowLimit {
  bucket: string
  /** Requests allowed per window */
  capacity: number
  /** Windows start at multiples of this on the clock (Compute: 60 s) */
  windowMs: number
}

export type RateLimit = TokenBucketLimit | FixedWindowLimit

export interface Throttle {
  limit: RateLimit
  /** When a token is next available */
  retryAfterMs: number
}

interface BucketState {
  tokens: number
  at: number
}

export class RateLimits {
  /** Off: no call is ever throttled (for tests of something else that need not care) */
  enabled = true
  /**
   * Replacements of the documented numbers by bucket name, where `*` matches any text (e.g. 'arm:*:write'):
   * a tighter bucket forces throttling in a test
   */
  readonly overrides = new Map<string, Partial<TokenBucketLimit & FixedWindowLimit>>()
  private readonly state = new Map<string, BucketState>()
  /** Tokens taken per bucket since the last reset, with the bucket's limit: what the floor is computed from */
  private readonly taken = new Map<string, { limit: RateLimit; count: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token from every bucket, or returns the first one that is empty (taking none). */
  take(limits: RateLimit[]): Throttle | undefined {
    if (!this.enabled || limits.length === 0) return undefined
    const now = this.now()
    const effective = limits.map((l) => ({ ...l, ...this.overrideOf(l.bucket) }) as RateLimit)
    const states = effective.map((l) => this.refilled(l, now))
    const empty = states.findIndex((s) => s.tokens < 1)
    if (empty >= 0) {
      const limit = effective[empty] as RateLimit
      return { limit, retryAfterMs: retryAfter(limit, states[empty] as BucketState, now) }
    }
    for (const s of states) s.tokens -= 1
    for (const l of effective) this.taken.set(l.bucket, { limit: l, count: (this.taken.get(l.bucket)?.count ?? 0) + 1 })
    return undefined
  }

  /**
   * The fewest milliseconds in which the limits admit the calls taken since the last reset, starting with
   * full buckets: per token bucket, the calls past its burst at its refill rate; per fixed window, the
   * windows the calls need past the first two (the first may be entered at its very end). The largest is the floor, and its bucket is named.
   */
  floor(): { ms: number; bucket?: string; calls?: number; limit?: RateLimit } {
    let worst: { ms: number; bucket?: string; calls?: number; limit?: RateLimit } = { ms: 0 }
    for (const [bucket, { limit, count }] of this.taken) {
      const ms = 'windowMs' in limit ? Math.max(0, Math.ceil(count / limit.capacity) - 2) * limit.windowMs : (Math.max(0, count - limit.capacity) / limit.refillPerSecond) * 1000
      if (ms > worst.ms) worst = { ms, bucket, calls: count, limit }
    }
    return worst
  }

  private overrideOf(bucket: string): Partial<TokenBucketLimit & FixedWindowLimit> | undefined {
    const exact = this.overrides.get(bucket)
    if (exact) return exact
    for (const [pattern, override] of this.overrides) {
      const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
      if (regex.test(bucket)) return override
    }
    return undefined
  }

  reset(): void {
    this.state.clear()
    this.taken.clear()
  }

  private refilled(limit: RateLimit, now: number): BucketState {
    let s = this.state.get(limit.bucket)
    if (!s) {
      s = { tokens: limit.capacity, at: now }
      this.state.set(limit.bucket, s)
    }
    if ('windowMs' in limit) {
      const windowStart = Math.floor(now / limit.windowMs) * limit.windowMs
      if (s.at < windowStart) Object.assign(s, { tokens: limit.capacity, at: now })
    } else {
      s.tokens = Math.min(limit.capacity, s.tokens + ((now - s.at) / 1000) * limit.refillPerSecond)
      s.at = now
    }
    return s
  }
}

function retryAfter(limit: RateLimit, s: BucketState, now: number): number {
  if ('windowMs' in limit) return Math.floor(now / limit.windowMs) * limit.windowMs + limit.windowMs - now
  return Math.ceil(((1 - s.tokens) / limit.refillPerSecond) * 1000)
}
