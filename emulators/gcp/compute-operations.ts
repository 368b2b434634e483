// Compute operations: every insert, patch and delete answers with an Operation that is RUNNING until a delay
// has passed, then DONE, carrying an error when the change failed (a failed operation is still HTTP 200).
// A repeated requestId answers with the operation it started the first time, changing nothing again.
import { randomBytes } from 'node:crypto'
import type { ComputeState } from './compute-model.js'
import { notFound } from './google-wire.js'

/** A change that fails while the operation runs (e.g. a reference that does not exist). */
export class OperationFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

interface OperationRecord {
  id: string
  name: string
  region?: string
  operationType: string
  targetPath: string
  targetId: string
  user: string
  status: 'RUNNING' | 'DONE'
  insertTime: string
  endTime?: string
  doneAt: number
  error?: OperationFailure
  /** A transient failure drawn when the operation started: it ends with it and changes nothing */
  transient?: OperationFailure
  complete(): void
}

export interface OperationSettings {
  /** Time an operation stays RUNNING */
  operationDelayMs: number
  /** Longest operations.wait blocks before answering with a RUNNING operation (Google: about 2 minutes) */
  waitTimeoutMs: number
}

export interface OperationSpec {
  region?: string
  operationType: 'insert' | 'patch' | 'setLabels' | 'delete'
  targetPath: string
  targetId: string
  user: string
  requestId?: string
  /** Applies the change; throws OperationFailure to fail the operation */
  complete(): void
}

const HTTP_TEXT: Record<number, string> = { 400: 'BAD REQUEST', 404: 'NOT FOUND', 409: 'CONFLICT', 500: 'INTERNAL SERVER ERROR' }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '-00:00')

export class ComputeOperations {
  private readonly operations = new Map<string, OperationRecord>()
  private readonly byRequestId = new Map<string, OperationRecord>()
  /** Draws whether a starting operation ends with a transient INTERNAL_ERROR (seeded faults) */
  transientFailure?: () => boolean
  /** Releases what an operation held while it ran (its name), when it ends without its change */
  release?: (targetPath: string) => void

  constructor(
    private readonly state: ComputeState,
    readonly settings: OperationSettings,
    private readonly now: () => number = Date.now
  ) {}

  /** The operation an earlier request with this requestId started: a repeat changes nothing. */
  repeated(requestId: string | null): Record<string, unknown> | undefined {
    const op = requestId ? this.byRequestId.get(requestId) : undefined
    if (!op) return undefined
    this.settle()
    return this.view(op)
  }

  start(spec: OperationSpec): Record<string, unknown> {
    const now = this.now()
    const op: OperationRecord = {
      id: this.state.ids.take(),
      name: `operation-${now}-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('hex')}`,
      ...(spec.region ? { region: spec.region } : {}),
      operationType: spec.operationType,
      targetPath: spec.targetPath,
      targetId: spec.targetId,
      user: spec.user,
      status: 'RUNNING',
      insertTime: iso(now),
      doneAt: now + this.settings.operationDelayMs,
      complete: spec.complete,
      ...(this.transientFailure?.() ? { transient: new OperationFailure(500, 'INTERNAL_ERROR', 'Internal error. Please try again or contact Google Support.') } : {})
    }
    this.operations.set(this.key(op.region, op.name), op)
    if (spec.requestId) this.byRequestId.set(spec.requestId, op)
    this.settle()
    if (this.settings.operationDelayMs > 0) setTimeout(() => this.settle(), this.settings.operationDelayMs).unref()
    return this.view(op)
  }

  /** Finishes every operation whose time has come. */
  settle(): void {
    const now = this.now()
    for (const op of this.operations.values()) {
      if (op.status === 'DONE' || op.doneAt > now) continue
      if (op.transient) {
        op.error = op.transient
        this.release?.(op.targetPath)
      } else {
        try {
          op.complete()
        } catch (error) {
          if (!(error instanceof OperationFailure)) throw error
          op.error = error
        }
      }
      op.status = 'DONE'
      op.endTime = iso(now)
    }
  }

  get(region: string | undefined, name: string): Record<string, unknown> {
    this.settle()
    return this.view(this.find(region, name))
  }

  /** Answers when the operation is DONE, or after waitTimeoutMs with it still RUNNING. */
  async wait(region: string | undefined, name: string): Promise<Record<string, unknown>> {
    const op = this.find(region, name)
    const giveUpAt = this.now() + this.settings.waitTimeoutMs
    for (;;) {
      this.settle()
      if (op.status === 'DONE' || this.now() >= giveUpAt) return this.view(op)
      await sleep(Math.max(1, Math.min(op.doneAt, giveUpAt) - this.now()))
    }
  }

  private find(region: string | undefined, name: string): OperationRecord {
    const op = this.operations.get(this.key(region, name))
    if (!op) throw notFound(`projects/${this.state.project}/${region ? `regions/${region}` : 'global'}/operations/${name}`)
    return op
  }

  private key(region: string | undefined, name: string): string {
    return `${region ?? 'global'}/${name}`
  }

  private view(op: OperationRecord): Record<string, unknown> {
    const scope = op.region ? `regions/${op.region}` : 'global'
    return {
      kind: 'compute#operation',
      id: op.id,
      name: op.name,
      operationType: op.operationType,
      targetLink: this.state.link(op.targetPath),
      targetId: op.targetId,
      status: op.status,
      user: op.user,
      progress: op.status === 'DONE' ? 100 : 0,
      insertTime: op.insertTime,
      startTime: op.insertTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      selfLink: this.state.link(`${scope}/operations/${op.name}`),
      ...(op.region ? { region: this.state.link(`regions/${op.region}`) } : {}),
      ...(op.error
        ? {
            error: { errors: [{ code: op.error.code, message: op.error.message }] },
            httpErrorStatusCode: op.error.httpStatus,
            httpErrorMessage: HTTP_TEXT[op.error.httpStatus] ?? 'ERROR'
          }
        : {})
    }
  }
}
