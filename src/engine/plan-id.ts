// The plan-id: a digest of what an apply would write, so an apply can prove it runs the plan a reviewer
// approved. It covers the target and each change's kind, name, action and intended attributes, in a
// canonical order, and nothing that varies between two plans of the same world (reasons, timings, ids
// that only exist after apply, keep and wait steps).
import { createHash } from 'node:crypto'
import { isChange, type PlannedStep } from './plan.js'

export type PlanIdStep = Pick<PlannedStep, 'id' | 'kind' | 'name' | 'action' | 'attributes'>

export interface PlanIdTarget {
  provider: string
  projectId: string
  regionId: string
  network: string
}

/** One change as a canonical line; also how a refused apply names the changes it would make. */
export function describeChange(step: PlanIdStep): string {
  return `${step.action} ${step.kind} ${step.name}`
}

function canonical(step: PlanIdStep): string {
  const attributes = Object.entries(step.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify([step.id, step.kind, step.name, step.action, attributes])
}

export function planId(target: PlanIdTarget, steps: readonly PlanIdStep[]): string {
  const changes = steps.filter((s) => isChange(s)).map(canonical).sort()
  const document = JSON.stringify({ v: 1, target: [target.provider, target.projectId, target.regionId, target.network], changes })
  return createHash('sha256').update(document).digest('hex')
}

/** Apply refuses when the reviewed plan-id is not the fresh plan's; nothing has been written yet. */
export class PlanChangedError extends Error {
  constructor(expected: string, actual: string, steps: readonly PlanIdStep[]) {
    const changes = steps.filter((s) => isChange(s)).map(describeChange)
    super(
      `The plan changed since it was reviewed: expected-plan-id is ${expected}, the fresh plan's plan-id is ${actual}. ` +
        `Nothing was written. The fresh plan would ${changes.length ? `make ${changes.length} change(s): ${changes.join('; ')}` : 'make no change'}; ` +
        'compare them with the reviewed plan (its job summary or pull request comment).'
    )
    this.name = 'PlanChangedError'
  }
}
