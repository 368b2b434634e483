// The plan and verification outputs match their published JSON schemas, in every kind of run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { runAction, type ActionRun } from './support/run-action.js'

const ajv = new Ajv({ allErrors: true, strict: true })
const validatePlan = ajv.compile(JSON.parse(readFileSync('docs/schema/plan.v1.schema.json', 'utf8')))
const validateVerification = ajv.compile(JSON.parse(readFileSync('docs/schema/verification.v1.schema.json', 'utf8')))

let emulators: Emulators
beforeAll(async () => {
  emulators = await startEmulators()
})
afterAll(async () => {
  await emulators.close()
})

function expectValid(result: ActionRun): void {
  const plan = JSON.parse(result.outputs['plan'] ?? 'null')
  const verification = JSON.parse(result.outputs['verification'] ?? 'null')
  expect(validatePlan(plan) ? [] : validatePlan.errors).toEqual([])
  expect(validateVerification(verification) ? [] : validateVerification.errors).toEqual([])
}

describe('output schemas', () => {
  it('hold for a plan, an apply, a re-apply, a failed run and an offline plan', async () => {
    const runs = [
      await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'plan' }) }),
      await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply' }) }),
      await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply' }) }),
      await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply', 'aws-subnet-ids': 'subnet-0e55555555555555e' }) }),
      await runAction({ ...emulators.env, ...awsInputs(emulators, {}), ACTIONS_ID_TOKEN_REQUEST_URL: '', GITHUB_EVENT_NAME: 'pull_request', GITHUB_ACTOR: 'dependabot[bot]' })
    ]
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0, 1, 0])
    runs.forEach(expectValid)
  })

  it('rejects a document that breaks the schema (the validator is not vacuous)', () => {
    expect(validatePlan({ schemaVersion: 2 })).toBe(false)
    expect(validateVerification({ schemaVersion: 1, verified: 'yes', checks: [] })).toBe(false)
  })
})
