// ARM writes that converge in one run: a PUT whose long-running operation ended Failed with a retryable
// code is observed and put again (the same PUT) within the step's deadline and a bounded number of
// attempts; a resource in a transitional state (Updating, Creating, Deleting) is waited for, as any
// other wait, before it is judged.
import { createOrAdopt, NotVisibleYetError } from '../../engine/adopt.js'
import type { StepContext } from '../../engine/plan.js'
import { reissue } from '../../engine/reissue.js'
import { waitUntilSettled } from '../../engine/wait.js'
import { isTransientNetworkError } from './arm-retry.js'
import { armError, isPreconditionFailed } from './clients.js'

// States ARM moves a resource out of by itself once the operation on it ends.
const TRANSITIONAL = new Set(['updating', 'creating', 'deleting', 'accepted'])
// Codes ARM and Microsoft.Network report for failures that the same request can get past later.
const TRANSIENT_CODES = new Set(['RetryableError', 'InternalServerError', 'InternalError', 'ServiceUnavailable', 'GatewayTimeout', 'ServerTimeout', 'OperationTimedOut', 'AnotherOperationInProgress', 'TooManyRequests'])

export const isTransitional = (provisioningState: string) => TRANSITIONAL.has(provisioningState.toLowerCase())

/** The error code of a failed long-running operation, from @azure/core-lro's message ("… has failed. <code>. <message>"). */
export function lroFailureCode(error: unknown): string | undefined {
  return /The long-running operation has failed\. ([A-Za-z]+)\./.exec((error as Error | undefined)?.message ?? '')?.[1]
}

export function isTransientArmFailure(error: unknown): boolean {
  const { status, code } = armError(error)
  const failed = lroFailureCode(error) ?? code
  if (failed && TRANSIENT_CODES.has(failed)) return true
  return (status !== undefined && (status >= 500 || status === 429 || status === 408)) || isTransientNetworkError(error) || error instanceof NotVisibleYetError
}

export interface ArmResourceState {
  provisioningState?: string
  etag?: string
}

export interface ArmPut<T extends ArmResourceState> {
  /** e.g. 'private endpoint pe-1' */
  what: string
  read(): Promise<T | undefined>
  /** PUTs the desired state and follows the operation to its end */
  put(conditions: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<T>
  /** The create must not overwrite (If-None-Match: *): its 412 adopts what is there, repairing a Failed one */
  conditional: boolean
  /** Refuses a found resource that cannot be adopted (throws) */
  check?(found: T): void
}

const stateOf = (r: ArmResourceState) => r.provisioningState ?? 'Unknown'

/** The resource once it left any transitional state, or undefined when there is none. */
export function settled<T extends ArmResourceState>(write: Pick<ArmPut<T>, 'what' | 'read'>, ctx: StepContext): Promise<T | undefined> {
  return waitUntilSettled({
    what: `${write.what} to finish its operation`,
    read: write.read,
    describe: (r) => `provisioningState=${stateOf(r)}`,
    transitional: (r) => isTransitional(stateOf(r)),
    deadline: ctx.deadline,
    signal: ctx.signal
  })
}

export function putUntilSucceeded<T extends ArmResourceState>(write: ArmPut<T>, ctx: StepContext): Promise<T> {
  const found = async () => {
    const current = await settled(write, ctx)
    if (current) write.check?.(current)
    return current
  }
  const succeeded = (r: T) => {
    if (stateOf(r) !== 'Succeeded') throw new Error(`${write.what} is ${stateOf(r)} after the operation completed`)
    return r
  }
  return reissue({
    deadline: ctx.deadline,
    signal: ctx.signal,
    isTransient: isTransientArmFailure,
    observe: async () => {
      const current = await found()
      return current && stateOf(current) === 'Succeeded' ? current : undefined
    },
    issue: async () => {
      if (!write.conditional) return succeeded(await write.put({}))
      return createOrAdopt({
        create: async () => succeeded(await write.put({ ifNoneMatch: '*' })),
        isDuplicate: isPreconditionFailed,
        // It exists: adopt it, or put it again over its own etag when its last operation failed. A 412
        // there means it changed meanwhile (a repeat of this very PUT whose answer was lost): observe again.
        find: async () => {
          const current = await found()
          if (!current || stateOf(current) === 'Succeeded') return current
          try {
            return succeeded(await write.put({ ifMatch: current.etag }))
          } catch (error) {
            if (isPreconditionFailed(error)) throw new NotVisibleYetError(error)
            throw error
          }
        }
      })
    }
  })
}
