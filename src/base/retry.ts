// Retry with full-jitter backoff, only for errors the caller classifies as retryable, within a number of
// attempts and, when given, a deadline: no wait is started that would end after it.
import { backoffDelay, realClock, type Clock } from './timing.js'

export interface RetryOptions {
  /** Total attempts, including the first (Infinity: as many as the deadline allows) */
  attempts: number
  /** Epoch ms: the last error is thrown rather than waiting past it */
  deadline?: number
  baseMs: number
  maxMs: number
  isRetryable(error: unknown): boolean
  /** Server-suggested delay (e.g. Retry-After), used instead of backoff when present */
  retryAfterMs?(error: unknown): number | undefined
  onRetry?(error: unknown, attempt: number, delayMs: number): void
  clock?: Clock
  signal?: AbortSignal
}

/** A retry budget for one kind of call: how many tries and how the waits between them grow. */
export interface RetryBudget {
  attempts: number
  baseMs: number
  maxMs: number
}

/**
 * Identity exchanges (AWS STS, Google STS and IAM Credentials, Entra): every try presents a fresh ID token.
 * At one call in five failing, six tries leave about 6e-5 of failure for one call and 2e-3 for Google's
 * two-call exchange, while an identity provider that stays down still ends the run within about 20 s.
 */
export const TOKEN_EXCHANGE_RETRY: RetryBudget = { attempts: 6, baseMs: 500, maxMs: 5000 }

/** The identity services answer in well under a second: an exchange still open after this is tried again. */
export const TOKEN_EXCHANGE_TIMEOUT_MS = 30_000

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? realClock
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetryable(error)) throw error
      const suggested = options.retryAfterMs?.(error)
      const delay = suggested ?? backoffDelay(attempt, options.baseMs, options.maxMs)
      if (options.deadline !== undefined && clock.now() + delay > options.deadline) throw error
      options.onRetry?.(error, attempt, delay)
      await clock.sleep(delay, options.signal)
    }
  }
}

/**
 * Retry-After as delay-seconds or an HTTP date, in ms, capped so a long hint cannot stall the job;
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, capMs: number, now = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), capMs) : undefined
}
