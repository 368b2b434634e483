// ARM long-running operations: a PUT starts one and answers with its status URL; the operation reports
// InProgress for a configurable number of polls, then applies its result (Succeeded, or Failed when a
// failure was queued for that operation) exactly once.
import { randomUUID } from 'node:crypto'

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled'

export interface OperationError {
  code: string
  message: string
}

export interface AsyncOperation {
  id: string
  /** The API operation that started it, e.g. PrivateEndpoints_CreateOrUpdate */
  operation: string
  status: OperationStatus
  polls: number
  error?: OperationError
  startedAt: string
  endedAt?: string
  /** What the operation returns at its Location once done (a POST action's result), if anything */
  result?: Record<string, unknown>
}

interface Pending extends AsyncOperation {
  failWith?: OperationError
  resource?: string
  /** Epoch ms before which the operation stays InProgress, however often it is polled (the service's own time) */
  notBefore: number
  finish(failed: boolean): void
}

/** How ARM reports a failure that a retry of the same request can get past. */
export const TRANSIENT_FAILURE: OperationError = { code: 'RetryableError', message: 'A retryable error occurred.' }

export class AsyncOperations {
  /** Status polls answered InProgress before an operation completes */
  inProgressPolls = 0
  /**
   * An operation nobody polls still ends, as ARM runs it server-side: after this long it completes
   * (a client whose poll answers were lost finds the resource settled when it reads it again).
   */
  unpolledCompletionMs = 5000
  private readonly operations = new Map<string, Pending>()
  private readonly failures: { operation: string; error: OperationError }[] = []
  /** Draws whether a starting operation ends Failed with a retryable code (seeded faults) */
  transientFailure?: () => boolean

  /** Makes the next operation of that kind end Failed (and its resource provisioningState Failed). */
  failNext(operation: string, error: OperationError): void {
    this.failures.push({ operation, error })
  }

  /**
   * Starts an operation on `resource` (its id). A newer PUT supersedes an operation still running on the
   * same resource: that one ends Canceled and changes nothing, so it cannot undo the newer one's result.
   */
  start(operation: string, finish: (failed: boolean) => void, resource?: string, minDurationMs = 0): AsyncOperation {
    for (const other of this.operations.values())
      if (resource && other.resource === resource.toLowerCase() && other.status === 'InProgress') {
        other.status = 'Canceled'
        other.endedAt = new Date().toISOString()
      }
    const index = this.failures.findIndex((f) => f.operation === operation)
    const queued = index >= 0 ? this.failures.splice(index, 1)[0]?.error : undefined
    const failWith = queued ?? (this.transientFailure?.() ? TRANSIENT_FAILURE : undefined)
    const pending: Pending = { id: randomUUID(), operation, status: 'InProgress', polls: 0, startedAt: new Date().toISOString(), failWith, finish, resource: resource?.toLowerCase(), notBefore: Date.now() + minDurationMs }
    this.operations.set(pending.id, pending)
    setTimeout(() => this.complete(pending), Math.max(this.unpolledCompletionMs, minDurationMs)).unref()
    return pending
  }

  /** The id of the resource an operation acts on, as started. */
  resourceOf(id: string): string | undefined {
    return this.operations.get(id.toLowerCase())?.resource
  }

  /** Counts one poll and completes the operation when it is due. */
  poll(id: string): AsyncOperation | undefined {
    const op = this.operations.get(id.toLowerCase())
    if (!op) return undefined
    if (op.status === 'InProgress' && op.polls++ >= this.inProgressPolls && Date.now() >= op.notBefore) this.complete(op)
    return op
  }

  private complete(op: Pending): void {
    if (op.status !== 'InProgress') return
    op.status = op.failWith ? 'Failed' : 'Succeeded'
    op.error = op.failWith
    op.endedAt = new Date().toISOString()
    op.finish(Boolean(op.failWith))
  }

  /** The status document ARM serves at the Azure-AsyncOperation URL. */
  static statusBody(op: AsyncOperation): Record<string, unknown> {
    return {
      id: op.id,
      name: op.id,
      status: op.status,
      startTime: op.startedAt,
      ...(op.endedAt ? { endTime: op.endedAt } : {}),
      ...(op.error ? { error: { code: op.error.code, message: op.error.message, details: [] } } : {})
    }
  }
}
