// Retry with full-jitter backoff, only for errors the caller classifies as retryable.
import { backoffDelay, realClock, type Clock } from './timing.js'

export interface RetryOptions {
  /** Total attempts, including the first */
  attempts: number
  baseMs: number
  maxMs: number
  isRetryable(error: unknown): boolean
  /** Server-suggested delay (e.g. Retry-After), used instead of backoff when present */
  retryAfterMs?(error: unknown): number | undefined
  onRetry?(error: unknown, attempt: number, delayMs: number): void
  clock?: Clock
  signal?: AbortSignal
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? realClock
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetryable(error)) throw error
      const suggested = options.retryAfterMs?.(error)
      const delay = suggested ?? backoffDelay(attempt, options.baseMs, options.maxMs)
      options.onRetry?.(error, attempt, delay)
      await clock.sleep(delay, options.signal)
    }
  }
}
