import { describe, it, expect, jest } from '@jest/globals'
import { criticalPathMs, measuredDurations, runPlan, validatePlan, type RunPlanOptions } from '../src/engine/dag.js'
import type { Logger } from '../src/base/log.js'
import type { Plan, PlannedStep, StepAction, StepContext } from '../src/engine/plan.js'
import type { Clock } from '../src/base/timing.js'

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => void lines.push(message),
    warning: (message) => void lines.push(message),
    debug: () => undefined,
    group: (_title, body) => body()
  }
}

function step(id: string, dependsOn: string[] = [], run?: PlannedStep['run'], action: StepAction = run ? 'create' : 'keep'): PlannedStep {
  return { id, kind: 'test.resource', name: `${id}-name`, action, reason: 'test', dependsOn, run }
}

function options(overrides: Partial<RunPlanOptions> = {}): RunPlanOptions {
  return { deadline: Date.now() + 60_000, log: memoryLogger(), ...overrides }
}

/** A promise plus its resolver, to hold a step open until the test lets it go. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

function failAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())
}

describe('runPlan', () => {
  it('runs independent steps at the same time', async () => {
    // A latch only both steps together can release: run one after the other, the first would wait forever.
    let arrived = 0
    const bothArrived = gate()
    const meetAtLatch = async () => {
      arrived++
      if (arrived === 2) bothArrived.open()
      await Promise.race([bothArrived.opened, failAfter(2000, 'the other step never started')])
    }
    const plan: Plan = { steps: [step('left', [], meetAtLatch), step('right', [], meetAtLatch)] }

    const result = await runPlan(plan, options())

    expect(result.steps.map((s) => s.status)).toEqual(['done', 'done'])
    expect(result.ok).toBe(true)
    expect(result.failed).toBeUndefined()
  })

  it('never runs more steps at once than the concurrency allows', async () => {
    let running = 0
    let mostAtOnce = 0
    const work = async () => {
      running++
      mostAtOnce = Math.max(mostAtOnce, running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
    }
    const plan: Plan = { steps: ['a', 'b', 'c', 'd', 'e'].map((id) => step(id, [], work)) }

    await runPlan(plan, options({ concurrency: 2 }))

    expect(mostAtOnce).toBe(2)
  })

  it('starts first the ready step that more work waits on, then keeps plan order', async () => {
    const started: string[] = []
    const work = (id: string) => async () => void started.push(id)
    // Planned first, but nothing waits on them; the registration chain has two steps behind it.
    const plan: Plan = {
      steps: [step('dns-1', [], work('dns-1')), step('dns-2', [], work('dns-2')), step('endpoint', [], work('endpoint')), step('register', ['endpoint'], work('register')), step('accepted', ['register'], work('accepted'))]
    }
    await runPlan(plan, options({ concurrency: 1 }))
    expect(started).toEqual(['endpoint', 'register', 'dns-1', 'dns-2', 'accepted'])
  })

  it('starts a step only after all its dependencies finished', async () => {
    const events: string[] = []
    const work = (id: string) => async () => {
      events.push(`start ${id}`)
      await new Promise((resolve) => setTimeout(resolve, id === 'sg' ? 20 : 1))
      events.push(`end ${id}`)
    }
    const plan: Plan = {
      steps: [
        step('dns', ['endpoint', 'zone'], work('dns')),
        step('endpoint', ['sg'], work('endpoint')),
        step('sg', [], work('sg')),
        step('zone', [], work('zone'))
      ]
    }

    const result = await runPlan(plan, options())

    const at = (event: string) => events.indexOf(event)
    expect(at('start endpoint')).toBeGreaterThan(at('end sg'))
    expect(at('start dns')).toBeGreaterThan(at('end endpoint'))
    expect(at('start dns')).toBeGreaterThan(at('end zone'))
    // zone does not wait for the slow sg
    expect(at('start zone')).toBeLessThan(at('end sg'))
    expect(result.steps.map((s) => s.id)).toEqual(['dns', 'endpoint', 'sg', 'zone'])
  })

  it('after a failure starts nothing new, lets running steps finish and says why the rest did not run', async () => {
    const slow = gate()
    const later = jest.fn(async () => undefined)
    const plan: Plan = {
      steps: [
        step('slow', [], async () => {
          await slow.opened
        }),
        step('endpoint', [], async () => {
          // Release the slow step only after this failure has been recorded.
          setTimeout(slow.open, 10)
          throw new Error('quota exceeded <VpcEndpoints>')
        }),
        step('registration', ['endpoint'], jest.fn(async () => undefined)),
        step('acceptance', ['registration'], jest.fn(async () => undefined)),
        step('later', [], later)
      ]
    }

    const result = await runPlan(plan, options({ concurrency: 2 }))

    expect(result.failed).toEqual({ stepId: 'endpoint', error: 'quota exceeded <VpcEndpoints>' })
    expect(result.ok).toBe(false)
    expect(result.steps).toEqual([
      expect.objectContaining({ id: 'slow', status: 'done' }),
      expect.objectContaining({ id: 'endpoint', status: 'failed', error: 'quota exceeded <VpcEndpoints>' }),
      { id: 'registration', status: 'skipped', durationMs: 0, error: 'not run: depends on endpoint, which failed' },
      { id: 'acceptance', status: 'skipped', durationMs: 0, error: 'not run: depends on registration, which did not run' },
      { id: 'later', status: 'skipped', durationMs: 0, error: 'not run: stopped after endpoint failed' }
    ])
    expect(later).not.toHaveBeenCalled()
    expect(plan.steps[2].run).not.toHaveBeenCalled()
  })

  it('reports a synchronous throw and a non-Error rejection as failures', async () => {
    const syncThrow = await runPlan(
      {
        steps: [
          step('sync', [], () => {
            throw new Error('thrown before any await')
          })
        ]
      },
      options()
    )
    expect(syncThrow.failed).toEqual({ stepId: 'sync', error: 'thrown before any await' })

    const stringReject = await runPlan({ steps: [step('str', [], () => Promise.reject('plain string'))] }, options())
    expect(stringReject.steps[0]).toMatchObject({ status: 'failed', error: 'plain string' })

    const silent = await runPlan({ steps: [step('silent', [], () => Promise.reject(new TypeError('')))] }, options())
    expect(silent.failed).toEqual({ stepId: 'silent', error: 'TypeError without a message' })
  })

  it('completes keep steps without running anything, and their dependants still run', async () => {
    const dependant = jest.fn(async () => undefined)
    const plan: Plan = { steps: [step('vpc', []), step('sg', ['vpc']), step('endpoint', ['sg'], dependant)] }

    const result = await runPlan(plan, options())

    expect(result.steps.slice(0, 2)).toEqual([
      expect.objectContaining({ id: 'vpc', status: 'done', durationMs: 0 }),
      expect.objectContaining({ id: 'sg', status: 'done', durationMs: 0 })
    ])
    expect(result.steps[2].status).toBe('done')
    expect(dependant).toHaveBeenCalledTimes(1)
  })

  it('hands each step the deadline and the signal', async () => {
    const controller = new AbortController()
    const seen = jest.fn(async (_ctx: StepContext) => undefined)
    await runPlan({ steps: [step('a', [], seen)] }, options({ deadline: 12345, signal: controller.signal }))
    expect(seen).toHaveBeenCalledWith({ deadline: 12345, signal: controller.signal })
  })

  it('starts nothing once the signal is aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const work = jest.fn(async () => undefined)

    const result = await runPlan({ steps: [step('a', [], work), step('b', ['a'], work)] }, options({ signal: controller.signal }))

    expect(work).not.toHaveBeenCalled()
    expect(result.steps.map((s) => s.error)).toEqual(['not run: the run was cancelled', 'not run: depends on a, which did not run'])
  })

  it('records start and end offsets from the clock', async () => {
    let now = 1_000
    const clock: Clock = { now: () => now, sleep: async () => undefined }
    const advance = (ms: number) => async () => void (now += ms)
    const plan: Plan = { steps: [step('a', [], advance(100)), step('b', ['a'], advance(50))] }

    const result = await runPlan(plan, options({ clock }))

    expect(result.startedAt).toBe(1_000)
    expect(result.wallMs).toBe(150)
    expect(result.steps).toEqual([
      { id: 'a', status: 'done', durationMs: 100, startMs: 0, endMs: 100 },
      { id: 'b', status: 'done', durationMs: 50, startMs: 100, endMs: 150 }
    ])
    expect(criticalPathMs(plan, measuredDurations(result))).toBe(150)
  })

  it('logs one line when a step starts and one when it ends, with action, kind and name', async () => {
    const log = memoryLogger()
    await runPlan({ steps: [step('sg', [], async () => undefined), step('vpc', [])] }, options({ log }))
    expect(log.lines).toEqual([
      expect.stringMatching(/^▶ create test\.resource sg-name$/),
      expect.stringMatching(/^= keep test\.resource vpc-name: nothing to do$/),
      expect.stringMatching(/^✔ create test\.resource sg-name \(\d+\.\ds\)$/)
    ])
  })
})

describe('runPlan after a cancellation', () => {
  it('starts nothing new, lets running steps finish, and gives up on them after the grace period', async () => {
    const controller = new AbortController()
    const quick = gate()
    const stuck = gate()
    const plan: Plan = {
      steps: [
        step('quick', [], () => quick.opened),
        step('stuck', [], () => stuck.opened),
        step('later', ['quick'], () => Promise.resolve())
      ]
    }
    const running = runPlan(plan, options({ signal: controller.signal, graceMs: 50 }))
    controller.abort()
    quick.open()
    const result = await running
    expect(result.steps.map((s) => `${s.id} ${s.status}`)).toEqual(['quick done', 'stuck failed', 'later skipped'])
    expect(result.steps[1]?.error).toMatch(/^interrupted: still running when the run was cancelled/)
    expect(result.steps[2]?.error).toBe('not run: the run was cancelled')
    stuck.open()
  })
})

describe('validatePlan', () => {
  it('rejects a dependency on an unknown step, naming both', async () => {
    const plan: Plan = { steps: [step('endpoint', ['security-group'])] }
    expect(() => validatePlan(plan)).toThrow("Plan has dependencies on unknown steps: 'endpoint' → 'security-group'")
    await expect(runPlan(plan, options())).rejects.toThrow('unknown steps')
  })

  it('rejects a cycle, naming the steps on it', async () => {
    const work = jest.fn(async () => undefined)
    const plan: Plan = { steps: [step('root', [], work), step('a', ['c', 'root'], work), step('b', ['a'], work), step('c', ['b'], work)] }
    expect(() => validatePlan(plan)).toThrow("Plan has a dependency cycle: 'a' → 'c' → 'b' → 'a'")
    await expect(runPlan(plan, options())).rejects.toThrow('dependency cycle')
    expect(work).not.toHaveBeenCalled()
  })

  it('rejects a step that depends on itself and duplicate ids', () => {
    expect(() => validatePlan({ steps: [step('a', ['a'])] })).toThrow("'a' → 'a'")
    expect(() => validatePlan({ steps: [step('a'), step('a')] })).toThrow("two steps with the id 'a'")
  })

  it('returns the steps dependencies first', () => {
    const order = validatePlan({ steps: [step('dns', ['endpoint']), step('endpoint', ['sg']), step('sg')] })
    expect(order.map((s) => s.id)).toEqual(['sg', 'endpoint', 'dns'])
  })
})

describe('criticalPathMs', () => {
  it('is the longest dependency chain by measured duration', () => {
    const plan: Plan = {
      steps: [step('sg'), step('endpoint', ['sg']), step('registration', ['endpoint']), step('zone'), step('record', ['zone', 'endpoint'])]
    }
    const durations = new Map([
      ['sg', 100],
      ['endpoint', 3000],
      ['registration', 500],
      ['zone', 4000],
      ['record', 200]
    ])
    // zone (4000) + record (200) beats sg + endpoint + registration (3600) and sg + endpoint + record (3300)
    expect(criticalPathMs(plan, durations)).toBe(4200)
  })

  it('counts steps without a measurement as instant and an empty plan as 0', () => {
    expect(criticalPathMs({ steps: [step('a'), step('b', ['a'])] }, new Map([['b', 7]]))).toBe(7)
    expect(criticalPathMs({ steps: [] }, new Map())).toBe(0)
  })
})
