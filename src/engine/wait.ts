// Polling with backoff until a condition holds, a terminal failure is seen, or the deadline passes.
import { realClock, type Clock } from '../base/timing.js'

export interface Poll<T> {
  done: boolean
  /** Human-readable current state, e.g. 'state=pendingAcceptance' */
  state: string
  value?: T
  /** Set when the state can never become done (e.g. rejected) */
  failed?: string
}

export interface WaitOptions<T> {
  /** What is being waited for, e.g. 'VPC endpoint vpce-123 to become available' */
  what: string
  poll: () => Promise<Poll<T>>
  deadline: number
  minDelayMs?: number
  maxDelayMs?: number
  clock?: Clock
  signal?: AbortSignal
  onPoll?(state: string): void
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly lastState: string,
    readonly waitedMs: number
  ) {
    super(`Timed out after ${Math.round(waitedMs / 1000)}s waiting for ${what} (last seen: ${lastState}). Raise wait-timeout if the cloud is slow, or check the state in the console.`)
    this.name = 'WaitTimeoutError'
  }
}

export class WaitFailedError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string
  ) {
    super(`Gave up waiting for ${what}: ${reason}`)
    this.name = 'WaitFailedError'
  }
}

/**
 * The default schedule, shaped for Zilliz's acceptance (about 5 minutes): a quick start so short waits end
 * soon after the cloud is ready, growing ×1.35 to a ceiling under 10 s, so a 5-minute wait is noticed
 * within 10 s of its end and costs at most 40 polls at call latencies from 5 to 300 ms (scripts/bench.ts
 * reports both). Within that budget a slower growth notices short waits sooner: a wait of 1–4 s ends on
 * average 0.56 s before it is noticed, against 0.72 s with 250 ms ×1.5.
 */
export const DEFAULT_POLL = { minDelayMs: 375, maxDelayMs: 9_800, growth: 1.35 }

/** Polls at once, then with delays growing ×1.35 from minDelayMs up to maxDelayMs. */
export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const clock = options.clock ?? realClock
  const started = clock.now()
  let delay = options.minDelayMs ?? DEFAULT_POLL.minDelayMs
  const maxDelay = options.maxDelayMs ?? DEFAULT_POLL.maxDelayMs
  for (;;) {
    const result = await options.poll()
    options.onPoll?.(result.state)
    if (result.failed) throw new WaitFailedError(options.what, result.failed)
    if (result.done) return result.value as T
    const remaining = options.deadline - clock.now()
    if (remaining <= 0) throw new WaitTimeoutError(options.what, result.state, clock.now() - started)
    await clock.sleep(Math.min(delay, remaining), options.signal)
    delay = Math.min(maxDelay, Math.ceil(delay * DEFAULT_POLL.growth))
  }
}

export interface SettleOptions<T> {
  /** e.g. 'private endpoint pe-1 to finish Updating' */
  what: string
  /** Reads the resource; undefined when it does not exist (a delete that finished) */
  read: () => Promise<T | undefined>
  /** The resource's state as shown in messages, e.g. 'provisioningState=Updating' */
  describe: (resource: T) => string
  /** True while the state is one the cloud moves out of by itself (Updating, Creating, Deleting, RESERVING, pending) */
  transitional: (resource: T) => boolean
  deadline: number
  signal?: AbortSignal
  clock?: Clock
}

/**
 * Waits while a resource is in a transitional state, with the deadline and timeout message of any other
 * wait. Returns the resource once it settled, or undefined once it is gone.
 */
export function waitUntilSettled<T>(options: SettleOptions<T>): Promise<T | undefined> {
  return waitFor<T | undefined>({
    what: options.what,
    deadline: options.deadline,
    signal: options.signal,
    clock: options.clock,
    minDelayMs: 500,
    poll: async () => {
      const resource = await options.read()
      if (resource === undefined) return { done: true, state: 'gone', value: undefined }
      return { done: !options.transitional(resource), state: options.describe(resource), value: resource }
    }
  })
}
