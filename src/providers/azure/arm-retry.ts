// ARM requests retried through the project's one retry mechanism (src/base/retry.ts) instead of the SDK's
// own count-based policy: transient answers (408, 429, 5xx) and dropped connections are retried with
// jittered backoff, honouring Retry-After, until the run's deadline. ARM's GET, PUT and DELETE are
// idempotent (a PUT repeats the same desired state; with If-None-Match a repeat answers 412, which the
// create paths adopt), so every ARM call the action makes is safe to repeat.
import type { PipelinePolicy, PipelineRequest, PipelineResponse, SendRequest } from '@azure/core-rest-pipeline'
import type { Logger } from '../../base/log.js'
import { parseRetryAfter, retry, type RetryBudget } from '../../base/retry.js'

/** Capped by the deadline; the cap ends the run with ARM's error when the API stays down. */
export const ARM_BUDGET: RetryBudget = { attempts: 30, baseMs: 500, maxMs: 10_000 }
const MAX_RETRY_AFTER_MS = 60_000
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'REQUEST_SEND_ERROR'])

/** A transient answer, carried through retry() and handed to the SDK as it is when the budget ends. */
class TransientResponse extends Error {
  constructor(readonly response: PipelineResponse) {
    super(`HTTP ${response.status}`)
  }
}

export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && NETWORK_CODES.has(code)
}

/** The SDK's deserialization (below this policy) throws a RestError carrying the response for an error status. */
function transientStatus(error: unknown): PipelineResponse | undefined {
  if (error instanceof TransientResponse) return error.response
  const response = (error as { response?: PipelineResponse } | undefined)?.response
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode
  return typeof status === 'number' && RETRYABLE_STATUS.has(status) && response ? response : undefined
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = transientStatus(error)?.headers
  if (!headers) return undefined
  const ms = Number(headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms') ?? NaN)
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : parseRetryAfter(headers.get('retry-after'), MAX_RETRY_AFTER_MS)
}

export function armRetryPolicy(deadline: number, log: Logger, budget: RetryBudget = ARM_BUDGET): PipelinePolicy {
  return {
    name: 'zplArmRetryPolicy',
    async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      try {
        return await retry(
          async () => {
            const response = await next(request)
            if (RETRYABLE_STATUS.has(response.status)) throw new TransientResponse(response)
            return response
          },
          {
            ...budget,
            deadline,
            signal: request.abortSignal as AbortSignal | undefined,
            isRetryable: (error) => !request.abortSignal?.aborted && (transientStatus(error) !== undefined || isTransientNetworkError(error)),
            retryAfterMs,
            onRetry: (error, attempt, delay) =>
              log.warning(`${request.method} ${new URL(request.url).pathname}: attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms`)
          }
        )
      } catch (error) {
        if (error instanceof TransientResponse) return error.response
        throw error
      }
    }
  }
}
