// What the end-to-end tests of every cloud assert about a run of the action: one definition each, so the
// three clouds are held to the same standard.
import { expect } from '@jest/globals'
import type { CallLog, CallRecord, Switches } from '../../emulators/core/service.js'
import type { ZillizEmulator } from '../../emulators/zilliz.js'
import type { PlanDocumentStep, VerificationDocumentCheck } from '../../src/report/documents.js'
import type { ActionRun } from './run-action.js'

/** Runs the action with these inputs over each test file's defaults. */
export type RunWith = (inputs: Record<string, string>) => Promise<ActionRun>

/** Fails with the whole log, which says far more than an exit code would. */
export function expectSuccess(result: ActionRun): void {
  if (result.exitCode !== 0) throw new Error(`the run failed:\n${result.log}`)
}

/** The first `::error::` line of the log, or '' when there is none. */
export function errorLine(result: ActionRun): string {
  return result.log.split('\n').find((line) => line.startsWith('::error::')) ?? ''
}

/** The log as a reader sees it: add-mask commands are how secrets get masked, so they are left out. */
export function unmaskedLog(result: ActionRun): string {
  return result.log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}

/** Everything a workflow or a reader of the log can see. */
export function visible(result: ActionRun): string {
  return [unmaskedLog(result), result.summary, ...Object.values(result.outputs)].join('\n')
}

/** `service:operation` of every successful write in the log, sorted: the order of parallel steps varies. */
export function sortedWrites(log: CallLog, service?: string): string[] {
  return log
    .writes(service)
    .map((w) => `${w.service}:${w.operation}`)
    .sort()
}

export function planSteps(result: ActionRun): PlanDocumentStep[] {
  return JSON.parse(result.outputs['plan'] ?? '{}').steps as PlanDocumentStep[]
}

export function planStep(result: ActionRun, id: string): PlanDocumentStep | undefined {
  return planSteps(result).find((s) => s.id === id)
}

export function verificationChecks(result: ActionRun): VerificationDocumentCheck[] {
  return JSON.parse(result.outputs['verification'] ?? '{}').checks as VerificationDocumentCheck[]
}

/** The data-plane path checks of a run, one per port (path:<port>). */
export function pathChecks(result: ActionRun): VerificationDocumentCheck[] {
  return verificationChecks(result).filter((c) => c.id.startsWith('path'))
}

/** A green run that wrote nothing. */
export function expectNothingWritten(result: ActionRun, writes: string[]): void {
  expectSuccess(result)
  expect(writes).toEqual([])
}

/** A plan on a fresh world: green, no writes, and these steps among the changes it lists. */
export function expectFreshPlan(result: ActionRun, writes: string[], planned: string[]): void {
  expectNothingWritten(result, writes)
  expect(result.outputs['has-changes']).toBe('true')
  expect(planSteps(result).map((s) => `${s.action} ${s.id}`)).toEqual(expect.arrayContaining(planned))
  expect(result.outputs['verified']).toBe('false')
}

/** A run on a world that already matches: green, no writes, nothing to change, the link verified. */
function expectConverged(result: ActionRun, writes: string[]): void {
  expectNothingWritten(result, writes)
  expect(result.outputs['has-changes']).toBe('false')
  expect(result.outputs['verified']).toBe('true')
}

/** Applies on a fresh world, then runs again in `mode`, which must find the world converged. */
async function convergedAfterApply(run: RunWith, log: CallLog, mode: 'apply' | 'plan'): Promise<ActionRun> {
  expectSuccess(await run({ mode: 'apply' }))
  log.clear()
  const again = await run({ mode })
  expectConverged(again, sortedWrites(log))
  return again
}

/** A second apply writes nothing and keeps every step. */
export async function expectReapplyKeepsEverything(run: RunWith, log: CallLog): Promise<void> {
  const again = await convergedAfterApply(run, log, 'apply')
  expect(planSteps(again).every((s) => s.action === 'keep')).toBe(true)
}

/** A plan after an apply writes nothing and reports no changes. */
export async function expectPlanAfterApplyConverged(run: RunWith, log: CallLog): Promise<void> {
  await convergedAfterApply(run, log, 'plan')
}

/** A green apply that made exactly the `expected` writes and verified the link. */
export function expectVerifiedApply(result: ActionRun, writes: string[], expected: string[]): void {
  expectSuccess(result)
  expect(writes).toEqual(expected)
  expect(result.outputs['verified']).toBe('true')
}

/** An apply that makes exactly the `expected` writes, then one more that makes none. */
export async function expectApplyCorrects(run: RunWith, log: CallLog, expected: string[]): Promise<void> {
  log.clear()
  expectSuccess(await run({ mode: 'apply' }))
  expect(sortedWrites(log)).toEqual(expected)
  log.clear()
  expectSuccess(await run({ mode: 'apply' }))
  expect(sortedWrites(log)).toEqual([])
}

/** Zilliz refuses the registration once, after the cloud side was made: the apply fails on that step. */
export async function expectRegistrationRefused(run: RunWith, switches: Switches): Promise<void> {
  switches.inject({ service: 'zilliz', operation: 'CreatePrivateEndpoint', status: 400, code: '96900', message: 'Injected refusal', times: 1 })
  const failed = await run({ mode: 'apply' })
  expect(failed.exitCode).toBe(1)
  expect(failed.log).toContain('zilliz-registration')
}

/** The run failed and its error line names the input to fix as `input: ` along with the fragment. */
export function expectNamedError(result: ActionRun, input: string, fragment: string): void {
  expect(result.exitCode).toBe(1)
  const error = errorLine(result)
  expect(error).toContain(`${input}: `)
  expect(error).toContain(fragment)
}

/** A bad input fails by name, with an example of a good value, before any call and without outputs. */
export function expectNamedInputError(result: ActionRun, input: string, fragment: string, calls: CallRecord[]): void {
  expectNamedError(result, input, fragment)
  expect(errorLine(result)).toContain('Example')
  expect(calls).toEqual([])
  expect(result.outputs).toEqual({})
}

/** No secret is visible in any of the runs, and the API key was masked before anything else was logged. */
export function expectSecretsHidden(results: ActionRun[], secrets: string[], apiKey: string): void {
  for (const result of results) {
    const text = visible(result)
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(result.log.indexOf(`::add-mask::${apiKey}`)).toBe(0)
  }
}

/** Without an OIDC token an apply fails and names the usual causes. */
export function expectNoOidcToken(result: ActionRun): void {
  expect(result.exitCode).toBe(1)
  expect(result.log).toContain('id-token: write')
  expect(result.log).toContain('Dependabot')
}

/** Zilliz accepts too late for a short wait-timeout: the log says what the apply waited for and which input sets the limit. */
export async function expectWaitTimedOut(run: RunWith, zilliz: ZillizEmulator, waitedFor: RegExp): Promise<void> {
  zilliz.settings.acceptanceDelayMs = 60_000
  const result = await run({ mode: 'apply', 'wait-timeout': '3s' })
  expect(result.exitCode).toBe(1)
  expect(result.log).toMatch(waitedFor)
  expect(result.log).toContain('wait-timeout')
}
