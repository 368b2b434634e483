// Whether this run may run the paid path analysis (network-analysis: auto | off). Each analysis is billed
// (AWS Reachability Analyzer and Google Connectivity Tests, about 0.10 USD each), so auto runs it where a
// proof is wanted: on apply runs and on plans that verify the link (schedule, workflow_dispatch), never on
// the plans of pull requests, which run on every push to a branch.
import type { Config, Mode } from '../config/types.js'

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group'])

export interface AnalysisDecision {
  run: boolean
  /** Why, for the log and a skipped check's evidence */
  reason: string
}

export function networkAnalysisDecision(config: Config, run: { mode: Mode; destroy?: boolean; eventName: string | undefined }): AnalysisDecision {
  if (config.networkAnalysis === 'off') return { run: false, reason: 'network-analysis is off' }
  if (run.destroy) return { run: false, reason: 'a destroy leaves no link to analyse' }
  if (config.verify === 'none' || config.verify === 'control-plane') return { run: false, reason: `verify is ${config.verify}, which runs no data-plane proof` }
  if (run.mode === 'plan' && run.eventName && PULL_REQUEST_EVENTS.has(run.eventName)) {
    return { run: false, reason: `network-analysis auto does not run the paid analysis on ${run.eventName} plans; it runs on apply and on scheduled or dispatched plans` }
  }
  return { run: true, reason: run.mode === 'apply' ? 'network-analysis auto runs on apply' : `network-analysis auto runs on ${run.eventName ?? 'local'} plans, which verify the link` }
}
