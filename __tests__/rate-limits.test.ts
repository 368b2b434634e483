// Rate limits on both sides: the emulators' token buckets and windows (the clouds' documented limits),
// and the action's client-side gate and the default poll schedule. All on fake clocks: nothing is timed.
import { describe, expect, it } from '@jest/globals'
import { RateLimits } from '../emulators/core/rate-limits.js'
import { ec2Limits, route53Limits } from '../emulators/aws/rate-limits.js'
import { ServiceGate, TokenBucket } from '../src/base/rate-limit.js'
import type { Clock } from '../src/base/timing.js'
import { DEFAULT_POLL, waitFor } from '../src/engine/wait.js'

function fakeClock(): Clock & { advance(ms: number): void; sleeps: number[] } {
  let now = 1_000_000
  const sleeps: number[] = []
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
    advance: (ms) => (now += ms),
    sleeps
  }
}

describe('emulated rate limits', () => {
  it('empties a token bucket after its burst and refills it at its rate', () => {
    const clock = fakeClock()
    const limits = new RateLimits(clock.now)
    const bucket = { bucket: 'b', capacity: 3, refillPerSecond: 2 }
    expect([1, 2, 3].map(() => limits.take([bucket]))).toEqual([undefined, undefined, undefined])
    const throttle = limits.take([bucket])
    expect(throttle?.limit.bucket).toBe('b')
    expect(throttle?.retryAfterMs).toBe(500)
    clock.advance(500)
    expect(limits.take([bucket])).toBeUndefined()
    expect(limits.take([bucket])).toBeDefined()
  })

  it('takes from every bucket of a call or from none', () => {
    const limits = new RateLimits(fakeClock().now)
    const account = { bucket: 'account', capacity: 5, refillPerSecond: 1 }
    const operation = { bucket: 'op', capacity: 1, refillPerSecond: 1 }
    expect(limits.take([account, operation])).toBeUndefined()
    expect(limits.take([account, operation])?.limit.bucket).toBe('op')
    // The refused call took nothing from the account bucket: four tokens are left.
    expect([1, 2, 3, 4].map(() => limits.take([account]))).toEqual([undefined, undefined, undefined, undefined])
    expect(limits.take([account])).toBeDefined()
  })

  it('refills a fixed window at the start of the next window, as Compute Engine does', () => {
    const clock = fakeClock()
    const limits = new RateLimits(clock.now)
    const window = { bucket: 'w', capacity: 2, windowMs: 60_000 }
    clock.advance(60_000 - (clock.now() % 60_000) + 59_000)
    limits.take([window])
    limits.take([window])
    expect(limits.take([window])?.retryAfterMs).toBe(1_000)
    clock.advance(1_000)
    expect(limits.take([window])).toBeUndefined()
  })

  it('names the bucket whose limit sets the floor of the calls taken, and forgets them on reset', () => {
    const clock = fakeClock()
    const limits = new RateLimits(clock.now)
    const account = { bucket: 'account', capacity: 50, refillPerSecond: 10 }
    const create = { bucket: 'create', capacity: 40, refillPerSecond: 2 }
    const window = { bucket: 'w', capacity: 10, windowMs: 60_000 }
    expect(limits.floor()).toEqual({ ms: 0 })
    // 60 calls through both buckets: 10 past the account burst at 10/s is 1 s; 20 past the create burst at 2/s is 10 s.
    for (let i = 0; i < 60; i++) {
      clock.advance(1_000)
      expect(limits.take([account, create])).toBeUndefined()
    }
    expect(limits.floor()).toMatchObject({ ms: 10_000, bucket: 'create', calls: 60 })
    // 45 calls in 10-call windows need 5 windows; the first may be entered at its very end, so 3 full ones.
    for (let i = 0; i < 45; i++) {
      clock.advance(60_000)
      limits.take([window])
    }
    expect(limits.floor()).toMatchObject({ ms: 180_000, bucket: 'w' })
    limits.reset()
    expect(limits.floor()).toEqual({ ms: 0 })
  })

  it('uses the documented Route 53 and EC2 buckets', () => {
    expect(route53Limits({ operation: 'CreateHostedZone', write: true }, 'acct')).toEqual([
      { bucket: 'route53:acct', capacity: 50, refillPerSecond: 10 },
      { bucket: 'route53:acct:CreateHostedZone', capacity: 40, refillPerSecond: 2 }
    ])
    expect(ec2Limits({ operation: 'DescribeVpcs', write: false }, 'acct', 'us-west-2')[0]).toMatchObject({ capacity: 100, refillPerSecond: 20 })
    expect(ec2Limits({ operation: 'CreateVpcEndpoint', write: true }, 'acct', 'us-west-2')[0]).toMatchObject({ capacity: 50, refillPerSecond: 5 })
  })
})

describe('the action\'s gate', () => {
  it('lets a burst through, then paces calls at the bucket\'s rate', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, clock)
    for (let i = 0; i < 6; i++) await bucket.take()
    expect(clock.sleeps).toEqual([100, 100, 100])
  })

  it('holds at most maxInFlight calls and hands a freed slot to the longest waiter', async () => {
    const gate = new ServiceGate({ maxInFlight: 2 })
    const order: string[] = []
    const a = await gate.enter()
    const b = await gate.enter()
    const c = gate.enter().then((release) => (order.push('c'), release))
    const d = gate.enter().then((release) => (order.push('d'), release))
    await Promise.resolve()
    expect(order).toEqual([])
    a()
    ;(await c)()
    b()
    ;(await d)()
    expect(order).toEqual(['c', 'd'])
  })

  it('paces an operation with its own bucket on top of the service\'s', async () => {
    const clock = fakeClock()
    const gate = new ServiceGate({ maxInFlight: 10, rate: { perSecond: 100, burst: 100 }, operation: (name) => (name === 'CreateHostedZone' ? { perSecond: 2, burst: 1 } : undefined), clock })
    for (let i = 0; i < 3; i++) (await gate.enter('CreateHostedZone'))()
    for (let i = 0; i < 3; i++) (await gate.enter('GetChange'))()
    expect(clock.sleeps).toEqual([500, 500])
  })
})

describe('the default poll schedule', () => {
  it('notices a 5-minute acceptance within 10 s at no more than 40 polls', async () => {
    const callMs = 40
    for (const acceptedAt of [290_000, 295_500, 300_000]) {
      const clock = fakeClock()
      const start = clock.now()
      let polls = 0
      await waitFor({
        what: 'acceptance',
        deadline: start + 600_000,
        clock,
        poll: async () => {
          polls++
          clock.advance(callMs)
          const done = clock.now() - start >= acceptedAt
          return { done, state: done ? 'accepted' : 'pending' }
        }
      })
      expect(polls).toBeLessThanOrEqual(40)
      expect(clock.now() - start - acceptedAt).toBeLessThanOrEqual(10_000)
    }
    expect(DEFAULT_POLL.maxDelayMs).toBeLessThan(10_000)
  })
})
