// Applies a plan as a dependency graph: every step starts as soon as its dependencies are done,
// independent steps run in parallel, and the first failure stops new work without abandoning running work.
import type { Logger } from '../base/log.js'
import type { Plan, PlannedStep } from './plan.js'
import { realClock, type Clock } from '../base/timing.js'

export type StepOutcomeStatus = 'done' | 'failed' | 'skipped'

export interface StepOutcome {
  id: string
  status: StepOutcomeStatus
  /** 0 for steps that did not run and for steps without work (keep) */
  durationMs: number
  /** failed: the step's error message; skipped: why it did not run */
  error?: string
  /** Offsets from the start of the run, in ms; absent for skipped steps */
  startMs?: number
  endMs?: number
}

export interface DagResult {
  /** One outcome per step, in plan order */
  steps: StepOutcome[]
  /** The first step that failed */
  failed?: { stepId: string; error: string }
  /** True when every step is done */
  ok: boolean
  /** Epoch ms when the run started; step offsets are relative to it */
  startedAt: number
  /** Wall-clock time of the whole run */
  wallMs: number
}

export interface RunPlanOptions {
  /** Epoch ms handed to every step; waits give up after it */
  deadline: number
  log: Logger
  /** Most steps with work running at once (default 8) */
  concurrency?: number
  /** Aborting stops new steps and is passed to running ones */
  signal?: AbortSignal
  /** After an abort, how long running steps get to finish before the run is given up on (default: unbounded) */
  graceMs?: number
  clock?: Clock
}

// The service gates (base/rate-limit.ts) bound the calls in flight and their rate per service; the DAG
// only bounds how many steps run at once, and a step mostly waits (an operation, a DNS change, Zilliz's
// acceptance). A low bound here would queue 50 clusters' waits one slot after another.
const DEFAULT_CONCURRENCY = 64

/**
 * Checks ids are unique, every dependency exists and there is no cycle.
 * Returns the steps in a dependency-respecting order (plan order where the graph allows).
 */
export function validatePlan(plan: Plan): PlannedStep[] {
  const byId = new Map<string, PlannedStep>()
  for (const step of plan.steps) {
    if (byId.has(step.id)) throw new Error(`Plan has two steps with the id '${step.id}'`)
    byId.set(step.id, step)
  }
  const unknown = plan.steps.flatMap((step) => step.dependsOn.filter((dep) => !byId.has(dep)).map((dep) => `'${step.id}' → '${dep}'`))
  if (unknown.length > 0) throw new Error(`Plan has dependencies on unknown steps: ${unknown.join(', ')}`)

  // Depth-first search; a step met again while still on the path closes a cycle.
  const order: PlannedStep[] = []
  const finished = new Set<string>()
  const path: string[] = []
  const visit = (step: PlannedStep): void => {
    if (finished.has(step.id)) return
    const onPath = path.indexOf(step.id)
    if (onPath >= 0) {
      const cycle = [...path.slice(onPath), step.id].map((id) => `'${id}'`).join(' → ')
      throw new Error(`Plan has a dependency cycle: ${cycle}`)
    }
    path.push(step.id)
    for (const dep of step.dependsOn) visit(byId.get(dep) as PlannedStep)
    path.pop()
    finished.add(step.id)
    order.push(step)
  }
  plan.steps.forEach(visit)
  return order
}

/** The longest dependency chain by measured durations: no schedule can finish faster. */
export function criticalPathMs(plan: Plan, durations: Map<string, number>): number {
  const finishAt = new Map<string, number>()
  for (const step of validatePlan(plan)) {
    const ready = Math.max(0, ...step.dependsOn.map((dep) => finishAt.get(dep) ?? 0))
    finishAt.set(step.id, ready + (durations.get(step.id) ?? 0))
  }
  return Math.max(0, ...finishAt.values())
}

/** Per-step durations of a run, keyed by step id, for criticalPathMs. */
export function measuredDurations(result: DagResult): Map<string, number> {
  return new Map(result.steps.map((step) => [step.id, step.durationMs]))
}

export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<DagResult> {
  const order = validatePlan(plan)
  const clock = options.clock ?? realClock
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY)
  const signal = options.signal ?? new AbortController().signal
  const { log } = options
  const startedAt = clock.now()
  const elapsed = () => clock.now() - startedAt

  const planIndex = new Map(plan.steps.map((step, index) => [step.id, index]))
  const outcomes = new Map<string, StepOutcome>()
  const pendingDeps = new Map(plan.steps.map((step) => [step.id, new Set(step.dependsOn)]))
  const dependants = new Map<string, PlannedStep[]>(plan.steps.map((step) => [step.id, []]))
  for (const step of plan.steps) for (const dep of new Set(step.dependsOn)) dependants.get(dep)?.push(step)

  // A step more work waits on goes first (the endpoint and its registration start before 50 clusters'
  // DNS, as Zilliz's acceptance is the longest wait); ties keep plan order, so starts are deterministic.
  const waitingOn = new Map<string, number>()
  const countWaiting = (id: string, seen = new Set<string>()): number => {
    for (const dependant of dependants.get(id) ?? []) {
      if (seen.has(dependant.id)) continue
      seen.add(dependant.id)
      countWaiting(dependant.id, seen)
    }
    return seen.size
  }
  for (const step of plan.steps) waitingOn.set(step.id, countWaiting(step.id))
  const before = (a: PlannedStep, b: PlannedStep) => (waitingOn.get(a.id) as number) - (waitingOn.get(b.id) as number) || (planIndex.get(b.id) as number) - (planIndex.get(a.id) as number)
  const ready: PlannedStep[] = []
  const markReady = (step: PlannedStep) => {
    const at = ready.findIndex((other) => before(step, other) > 0)
    ready.splice(at < 0 ? ready.length : at, 0, step)
  }
  plan.steps.filter((step) => step.dependsOn.length === 0).forEach(markReady)

  let running = 0
  const inFlight = new Map<string, number>()
  let settled = false
  let failed: DagResult['failed']
  const stopped = () => failed !== undefined || signal.aborted

  const release = (step: PlannedStep) => {
    for (const dependant of dependants.get(step.id) ?? []) {
      const deps = pendingDeps.get(dependant.id) as Set<string>
      deps.delete(step.id)
      if (deps.size === 0) markReady(dependant)
    }
  }

  const finish = (step: PlannedStep, outcome: StepOutcome) => {
    // A step that ends after the run was given up on keeps the outcome already reported.
    if (settled) return
    outcomes.set(step.id, outcome)
    if (outcome.status === 'done') release(step)
  }

  return new Promise<DagResult>((resolve) => {
    const start = (step: PlannedStep, run: NonNullable<PlannedStep['run']>) => {
      running++
      const startMs = elapsed()
      inFlight.set(step.id, startMs)
      log.info(`▶ ${describe(step)}`)
      // Promise.resolve().then also turns a synchronous throw into a rejection.
      Promise.resolve()
        .then(() => run({ signal, deadline: options.deadline }))
        .then(
          () => {
            const endMs = elapsed()
            log.info(`✔ ${describe(step)} (${seconds(endMs - startMs)})`)
            finish(step, { id: step.id, status: 'done', durationMs: endMs - startMs, startMs, endMs })
          },
          (error: unknown) => {
            const endMs = elapsed()
            const message = errorMessage(error)
            log.info(`✖ ${describe(step)} failed after ${seconds(endMs - startMs)}: ${message}`)
            failed ??= { stepId: step.id, error: message }
            finish(step, { id: step.id, status: 'failed', durationMs: endMs - startMs, error: message, startMs, endMs })
          }
        )
        .finally(() => {
          running--
          inFlight.delete(step.id)
          pump()
        })
    }

    const pump = () => {
      for (;;) {
        // Steps without work never wait for a slot; completing one can make earlier-planned steps ready.
        const index = ready.findIndex((step) => !step.run || (!stopped() && running < concurrency))
        if (index < 0) break
        const [step] = ready.splice(index, 1)
        if (step.run) start(step, step.run)
        else completeWithoutWork(step)
      }
      if (running === 0) finishRun()
    }

    const finishRun = () => {
      if (settled) return
      settled = true
      resolve(settle())
    }

    // A cancelled run waits for running steps only so long: what is still running then is reported as such.
    const giveUp = () => {
      if (settled || running === 0) return
      for (const [id, startMs] of inFlight) {
        const reason = 'interrupted: still running when the run was cancelled; the next run observes whether it completed'
        log.info(`⏹ ${id}: ${reason}`)
        outcomes.set(id, { id, status: 'failed', durationMs: elapsed() - startMs, error: reason, startMs })
      }
      finishRun()
    }
    if (options.graceMs !== undefined) {
      const grace = options.graceMs
      const onAbort = () => setTimeout(giveUp, grace).unref()
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    }

    // The resource is already right, so the step completes even after a failure elsewhere.
    const completeWithoutWork = (step: PlannedStep) => {
      const at = elapsed()
      log.info(`= ${describe(step)}: nothing to do`)
      finish(step, { id: step.id, status: 'done', durationMs: 0, startMs: at, endMs: at })
    }

    const settle = (): DagResult => {
      for (const step of order) {
        if (outcomes.has(step.id)) continue
        const reason = skipReason(step, outcomes, failed, signal)
        log.info(`⏭ ${describe(step)}: ${reason}`)
        outcomes.set(step.id, { id: step.id, status: 'skipped', durationMs: 0, error: reason })
      }
      const steps = plan.steps.map((step) => outcomes.get(step.id) as StepOutcome)
      return { steps, failed, ok: steps.every((step) => step.status === 'done'), startedAt, wallMs: elapsed() }
    }

    pump()
  })
}

/** Why a step never ran, naming the dependency that blocked it. Outcomes of its dependencies are already set. */
function skipReason(step: PlannedStep, outcomes: Map<string, StepOutcome>, failed: DagResult['failed'], signal: AbortSignal): string {
  const failedDep = step.dependsOn.find((dep) => outcomes.get(dep)?.status === 'failed')
  if (failedDep) return `not run: depends on ${failedDep}, which failed`
  const skippedDep = step.dependsOn.find((dep) => outcomes.get(dep)?.status === 'skipped')
  if (skippedDep) return `not run: depends on ${skippedDep}, which did not run`
  if (failed) return `not run: stopped after ${failed.stepId} failed`
  if (signal.aborted) return 'not run: the run was cancelled'
  return 'not run'
}

function describe(step: PlannedStep): string {
  return `${step.action} ${step.kind} ${step.name}`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

/** Never empty: a failed step must say something, even when the error carries no message (e.g. a bare 304). */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.trim() || `${error instanceof Error ? error.name : typeof error} without a message`
}
