// Writes outputs and the job summary from the result model, once, and decides whether the step fails.
import * as core from '@actions/core'
import { appendFile } from 'node:fs/promises'
import { secrets } from '../base/secrets.js'
import type { Config } from '../config/types.js'
import { isChange } from '../engine/plan.js'
import { buildOutputs } from '../report/outputs.js'
import type { RunResult } from '../report/model.js'
import { renderSummary } from '../report/summary.js'

export async function publish(run: RunResult): Promise<void> {
  // Outputs and the summary leave the runner's log masking behind: redact them here, from the registry, both
  // what they are made from (before any cut) and what they say.
  const result = secrets.redactDeep(run)
  for (const [name, value] of Object.entries(buildOutputs(result))) core.setOutput(name, secrets.redact(value))
  // A summary that cannot be written (local runs, a full disk) must not fail the action.
  const file = process.env['GITHUB_STEP_SUMMARY']
  if (!file) return
  try {
    // Written once, whole, from the result model (core.summary would buffer and cache the path).
    await appendFile(file, `${secrets.redact(renderSummary(result))}\n`)
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}

/** Why the step fails, or undefined when it succeeds. */
export function failureReason(result: RunResult, config: Config): string | undefined {
  if (result.error) return result.hint ? `${result.error}\n${result.hint}` : result.error
  const failed = result.checks.filter((c) => c.status === 'fail')
  if (config.failOnUnverified && result.mode === 'apply' && failed.length)
    return `Verification failed: ${failed.map((c) => `${c.title} (${c.evidence})${c.fix ? `. Fix: ${c.fix}` : ''}`).join('; ')}`
  return config.failOnChanges && result.mode === 'plan' ? driftReason(result) : undefined
}

/** fail-on-changes: changes are drift, and so is a cloud that could not be observed. */
function driftReason(result: RunResult): string | undefined {
  const changes = result.steps.filter(isChange).length
  if (changes) return `fail-on-changes is set and the plan has ${changes} change(s).`
  const stray = result.outOfScope ?? []
  if (stray.length)
    return `fail-on-changes is set and ${stray.length} managed resource(s) serve clusters no longer in scope (${stray.map((s) => s.host).join(', ')}); set prune: true to delete them.`
  const unknown = result.steps.filter((s) => s.action === 'unknown')
  if (unknown.length)
    return `fail-on-changes is set and ${unknown.length} step(s) are unknown: ${result.offline ?? 'they could not be observed'} An unobserved resource is not "no drift".`
  return undefined
}
