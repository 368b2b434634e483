// A write whose operation ended with a transient error (or whose polling gave up) is not final: the
// resource is observed again, adopted when it is there, and the write issued again otherwise, within the
// step's deadline and a bounded number of attempts. The last transient failure still reads the resource
// before the step fails, so a change that landed is never reported as failed.
import { retry, type RetryBudget } from '../base/retry.js'
import type { Clock } from '../base/timing.js'

/** Attempts of one write: enough for one in five to fail four times running, few enough to stay readable in a log. */
export const REISSUE_BUDGET: RetryBudget = { attempts: 6, baseMs: 1000, maxMs: 15_000 }

export interface ReissueOptions<T> {
  /** Issues the write (attempt 1, 2, …; a new request id per attempt where the cloud keys on one) and waits for it */
  issue(attempt: number): Promise<T>
  /** Failures a later attempt can get past: an operation that ended with a transient error, a poll that ran out */
  isTransient(error: unknown): boolean
  /** Reads the resource: a value is adopted, undefined means the write must be issued (again) */
  observe(): Promise<T | undefined>
  deadline: number
  budget?: RetryBudget
  signal?: AbortSignal
  clock?: Clock
  onRetry?(error: unknown, attempt: number, delayMs: number): void
}

export async function reissue<T>(options: ReissueOptions<T>): Promise<T> {
  const budget = options.budget ?? REISSUE_BUDGET
  try {
    return await retry(
      async (attempt) => {
        if (attempt > 1) {
          const found = await options.observe()
          if (found !== undefined) return found
        }
        return options.issue(attempt)
      },
      { ...budget, deadline: options.deadline, isRetryable: options.isTransient, signal: options.signal, clock: options.clock, onRetry: options.onRetry }
    )
  } catch (error) {
    if (!options.isTransient(error)) throw error
    const found = await options.observe()
    if (found !== undefined) return found
    throw error
  }
}
