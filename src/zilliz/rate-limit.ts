// Client-side pacing so the action stays under Zilliz's documented limit of 20 requests per second.
// A token bucket in its GCRA form: each call reserves the next free slot synchronously, so concurrent
// callers queue in order, then sleeps on the Clock until that slot comes.
import { realClock, type Clock } from '../base/timing.js'

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
