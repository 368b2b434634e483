// The shared retry mechanism and the convergence helpers built on it: deadlines bound retries, Retry-After
// is honoured, refusals are never retried, a transient write is observed before it is issued again, and
// a resource in a transitional state is waited for.
import { describe, expect, it } from '@jest/globals'
import { parseRetryAfter, retry } from '../src/base/retry.js'
import type { Clock } from '../src/base/timing.js'
import { NotVisibleYetError, createOrAdopt } from '../src/engine/adopt.js'
import { explainFailure } from '../src/engine/failure.js'
import { reissue } from '../src/engine/reissue.js'
import { WaitTimeoutError, waitUntilSettled } from '../src/engine/wait.js'
import { ZillizApiError } from '../src/zilliz/errors.js'

function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    }
  }
}

class Transient extends Error {}
class Refused extends Error {}
const isTransient = (e: unknown) => e instanceof Transient

/** fn fails with these errors in turn, then returns 'ok'. */
function failing(errors: Error[]) {
  const calls: number[] = []
  return {
    calls,
    fn: async (attempt: number) => {
      calls.push(attempt)
      const error = errors[calls.length - 1]
      if (error) throw error
      return 'ok'
    }
  }
}

describe('retry', () => {
  it('retries transient errors with jittered backoff within the budget', async () => {
    const clock = fakeClock()
    const { fn, calls } = failing([new Transient(), new Transient()])
    await expect(retry(fn, { attempts: 5, baseMs: 100, maxMs: 1000, isRetryable: isTransient, clock })).resolves.toBe('ok')
    expect(calls).toEqual([1, 2, 3])
    expect(clock.sleeps).toHaveLength(2)
    clock.sleeps.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(100 * 2 ** (i + 1)))
  })

  it('never retries a refusal', async () => {
    const { fn, calls } = failing([new Refused('permission denied')])
    await expect(retry(fn, { attempts: 30, baseMs: 1, maxMs: 1, isRetryable: isTransient, clock: fakeClock() })).rejects.toThrow('permission denied')
    expect(calls).toEqual([1])
  })

  it('stops at the deadline rather than waiting past it, however many attempts are left', async () => {
    const clock = fakeClock()
    const { fn, calls } = failing(Array.from({ length: 100 }, () => new Transient('still down')))
    const deadline = clock.now() + 10_000
    await expect(retry(fn, { attempts: Infinity, deadline, baseMs: 1000, maxMs: 1000, retryAfterMs: () => 1000, isRetryable: isTransient, clock })).rejects.toThrow('still down')
    expect(calls).toHaveLength(11)
    expect(clock.now()).toBeLessThanOrEqual(deadline)
  })

  it('waits as long as Retry-After says instead of its own backoff', async () => {
    const clock = fakeClock()
    const { fn } = failing([new Transient()])
    await retry(fn, { attempts: 3, baseMs: 1, maxMs: 1, isRetryable: isTransient, retryAfterMs: () => 7000, clock })
    expect(clock.sleeps).toEqual([7000])
  })

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    expect(parseRetryAfter('3', 60_000)).toBe(3000)
    expect(parseRetryAfter('3600', 60_000)).toBe(60_000)
    expect(parseRetryAfter(new Date(2_000_000 + 5000).toUTCString(), 60_000, 2_000_000)).toBe(5000)
    expect(parseRetryAfter('soon', 60_000)).toBeUndefined()
    expect(parseRetryAfter(null, 60_000)).toBeUndefined()
  })
})

describe('reissue', () => {
  const budget = { attempts: 4, baseMs: 10, maxMs: 10 }

  it('observes the resource before issuing the write again, and adopts it when the earlier attempt landed', async () => {
    const clock = fakeClock()
    const events: string[] = []
    const result = await reissue({
      clock,
      budget,
      deadline: clock.now() + 60_000,
      isTransient,
      issue: async (attempt) => {
        events.push(`issue ${attempt}`)
        throw new Transient('operation ended with INTERNAL_ERROR')
      },
      observe: async () => {
        events.push('observe')
        return events.length > 2 ? 'landed' : undefined
      }
    })
    expect(result).toBe('landed')
    expect(events).toEqual(['issue 1', 'observe', 'issue 2', 'observe'])
  })

  it('issues the write again, with the attempt number, while the resource is not there', async () => {
    const clock = fakeClock()
    const issued: number[] = []
    const result = await reissue({
      clock,
      budget,
      deadline: clock.now() + 60_000,
      isTransient,
      issue: async (attempt) => {
        issued.push(attempt)
        if (attempt < 3) throw new Transient()
        return 'created'
      },
      observe: async () => undefined
    })
    expect(result).toBe('created')
    expect(issued).toEqual([1, 2, 3])
  })

  it('reads the resource once more when the budget runs out, before failing', async () => {
    const clock = fakeClock()
    let observed = 0
    const result = await reissue({
      clock,
      budget,
      deadline: clock.now() + 60_000,
      isTransient,
      issue: async () => {
        throw new Transient('poll gave up')
      },
      observe: async () => (++observed === budget.attempts ? 'there after all' : undefined)
    })
    expect(result).toBe('there after all')
  })

  it('fails at once on a refusal, without observing or issuing again', async () => {
    const clock = fakeClock()
    let observed = 0
    let issued = 0
    await expect(
      reissue({
        clock,
        budget,
        deadline: clock.now() + 60_000,
        isTransient,
        issue: async () => {
          issued++
          throw new Refused('invalid argument')
        },
        observe: async () => {
          observed++
          return undefined
        }
      })
    ).rejects.toThrow('invalid argument')
    expect([issued, observed]).toEqual([1, 0])
  })

  it('treats a duplicate that cannot be read yet as transient: the next attempt adopts it once it appears', async () => {
    const clock = fakeClock()
    let visible = false
    const result = await reissue({
      clock,
      budget,
      deadline: clock.now() + 60_000,
      isTransient: (e) => e instanceof NotVisibleYetError,
      observe: async () => (visible ? 'adopted' : undefined),
      issue: () =>
        createOrAdopt({
          create: async () => {
            visible = true // the other insert finishes meanwhile
            throw new Error('alreadyExists')
          },
          isDuplicate: () => true,
          find: async () => undefined
        })
    })
    expect(result).toBe('adopted')
  })
})

describe('waitUntilSettled', () => {
  it('waits while the state is transitional and returns the settled resource', async () => {
    const clock = fakeClock()
    const states = ['Updating', 'Updating', 'Succeeded']
    const settled = await waitUntilSettled({
      what: 'private endpoint pe-1 to finish its operation',
      read: async () => ({ state: states.shift() ?? 'Succeeded' }),
      describe: (r) => `provisioningState=${r.state}`,
      transitional: (r) => r.state === 'Updating',
      deadline: clock.now() + 60_000,
      clock
    })
    expect(settled).toEqual({ state: 'Succeeded' })
    expect(clock.sleeps).toHaveLength(2)
  })

  it('returns undefined once a resource that was Deleting is gone', async () => {
    const clock = fakeClock()
    const reads = [{ state: 'Deleting' }, undefined]
    const settled = await waitUntilSettled({ what: 'x', read: async () => reads.shift(), describe: (r) => r.state, transitional: () => true, deadline: clock.now() + 60_000, clock })
    expect(settled).toBeUndefined()
  })

  it('times out with the message of any other wait', async () => {
    const clock = fakeClock()
    const wait = waitUntilSettled({
      what: 'address a to finish RESERVING',
      read: async () => ({ status: 'RESERVING' }),
      describe: (r) => `status=${r.status}`,
      transitional: () => true,
      deadline: clock.now() + 5000,
      clock
    })
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError)
    await expect(wait).rejects.toThrow(/address a to finish RESERVING \(last seen: status=RESERVING\).*wait-timeout/)
  })
})

describe('failure hints', () => {
  const zilliz = (httpStatus: number, code: number) => new ZillizApiError({ operation: 'list clusters of proj-1', httpStatus, code, apiMessage: 'nope' })

  it('fits the cause of a Zilliz failure: throttling and outages are not blamed on the API key', () => {
    expect(explainFailure(zilliz(429, 429)).hint).toMatch(/rate-limiting/)
    expect(explainFailure(zilliz(503, 503)).hint).toMatch(/re-run later/)
    for (const status of [429, 503]) expect(explainFailure(zilliz(status, status)).hint).not.toMatch(/zilliz-api-key/)
    expect(explainFailure(zilliz(401, 21119)).hint).toMatch(/zilliz-api-key/)
  })
})
