// The plan model shared by every provider: steps with an action, a reason and dependencies.

/**
 * create / update / delete: a write will happen in apply mode (delete: a resource of the action's own that
 *   is in the way, e.g. a DNS zone built for a host Zilliz did not allocate).
 * keep: the resource is right; nothing to do.
 * delete: a write that removes a resource the action manages (destroy, prune).
 * wait: no write, but apply has to wait for the cloud or Zilliz (e.g. acceptance).
 * unknown: an offline plan could not observe the resource (no credentials in this run).
 */
export type StepAction = 'create' | 'update' | 'delete' | 'keep' | 'wait' | 'unknown'

export interface StepContext {
  signal: AbortSignal
  /** Epoch ms after which every wait must give up */
  deadline: number
}

export interface PlannedStep {
  /** Unique within a plan, e.g. 'security-group' or 'dns-zone:in01-abc' */
  id: string
  /** Resource kind, e.g. 'aws.security-group' */
  kind: string
  /** Display name of the resource (deterministic name or id) */
  name: string
  action: StepAction
  reason: string
  dependsOn: string[]
  /** Desired attributes, shown in the plan (never secrets) */
  attributes?: Record<string, string>
  /** Present for create/update/delete/wait; apply runs it once its dependencies are done */
  run?: (ctx: StepContext) => Promise<void>
}

export interface Plan {
  steps: PlannedStep[]
}

export function isChange(step: Pick<PlannedStep, 'action'>): boolean {
  return step.action === 'create' || step.action === 'update' || step.action === 'delete'
}

export function changesCount(plan: Plan): number {
  return plan.steps.filter(isChange).length
}
