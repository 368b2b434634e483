// Fork and Dependabot pull requests: no OIDC token, often no secrets. The run stays green with an
// offline plan and a notice, and touches no cloud.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeAll(async () => {
  emulators = await startEmulators()
})
afterAll(async () => {
  await emulators.close()
})
beforeEach(() => emulators.log.clear())

// GITHUB_ACTOR makes it a Dependabot run, one of the two kinds GitHub gives no credentials (e2e-gates covers forks).
const NO_OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '', GITHUB_EVENT_NAME: 'pull_request', GITHUB_ACTOR: 'dependabot[bot]' }
const run = (overrides: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ ...emulators.env, ...awsInputs(emulators, overrides), ...NO_OIDC, ...env })

describe('a Dependabot pull request (no OIDC token, no secrets)', () => {
  it('ends green with an offline plan from the inputs alone and a notice, making no call at all', async () => {
    const result = await run({ 'zilliz-api-key': '', 'cluster-ids': ZILLIZ_SEED.clusters.aws[0] })
    expect(result.exitCode).toBe(0)
    expect(emulators.log.calls()).toEqual([])
    expect(result.log).toMatch(/::notice::Offline plan: this is a Dependabot run, .*no GitHub OIDC token.*no zilliz-api-key/)
    expect(result.outputs['mode']).toBe('plan')
    const plan = JSON.parse(result.outputs['plan'] ?? '{}')
    expect(plan.offline).toContain('Offline plan')
    expect(plan.steps.every((s: { action: string }) => s.action === 'unknown')).toBe(true)
    expect(plan.steps.map((s: { id: string }) => s.id)).toContain(`dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`)
    expect(result.outputs['private-link']).toBe(`${ZILLIZ_SEED.clusters.aws[0]}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`)
    expect(result.summary).toContain('Offline plan')
  })

  it('uses the Zilliz API when a key is there (Dependabot secrets) and still no cloud call', async () => {
    const result = await run({})
    expect(result.exitCode).toBe(0)
    expect(emulators.log.calls().filter((c) => c.service !== 'zilliz')).toEqual([])
    expect(emulators.log.writes()).toEqual([])
    expect(Object.keys(JSON.parse(result.outputs['private-links'] ?? '{}'))).toEqual([...ZILLIZ_SEED.clusters.aws])
  })

  it('still fails an explicit apply, with the exact cause', async () => {
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('a Dependabot run, which GitHub gives no secrets and no OIDC token, so it cannot apply')
    expect(emulators.log.calls()).toEqual([])
  })

  it('still requires the API key outside pull requests', async () => {
    const result = await run({ 'zilliz-api-key': '' }, { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'octocat' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('zilliz-api-key')
  })
})
