// mode: auto decides plan or apply from the event, and says why.
import type { Mode, ModeInput } from '../config/types.js'

const PLAN_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group', 'schedule'])
const APPLY_EVENTS = new Set(['push', 'workflow_dispatch'])

export interface ModeDecision {
  mode: Mode
  reason: string
}

export function resolveMode(input: ModeInput, eventName: string | undefined): ModeDecision {
  if (input !== 'auto') return { mode: input, reason: `mode input is ${input}` }
  if (eventName && APPLY_EVENTS.has(eventName)) return { mode: 'apply', reason: `mode auto applies on ${eventName}` }
  if (eventName && PLAN_EVENTS.has(eventName)) return { mode: 'plan', reason: `mode auto only plans on ${eventName}` }
  // Unknown or missing events (local runs, release, ...) get the side that cannot change anything.
  return { mode: 'plan', reason: `mode auto plans on ${eventName ?? 'a run outside GitHub Actions'}; set mode: apply to apply` }
}
