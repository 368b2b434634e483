// The Google Cloud path proof end to end: the action (real google-auth-library transport) against the
// Network Management emulator's Connectivity Tests, computed from the Compute emulator's own network.
// A correct link passes on every port; a firewall policy rule that drops a port fails, named, with the fix;
// no test is left behind after a run, a denial or a cancel; tests of a killed run whose expiry passed are removed by
// the next run and listed; destroy removes the rest.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { GCP_EAST_SUBNETWORK, GCP_SUBNETWORK } from '../emulators/gcp/index.js'
import { ephemeralTags } from '../src/engine/ephemeral.js'
import type { Config } from '../src/config/types.js'
import { toLabels } from '../src/providers/gcp/labels.js'
import { expectSuccess, pathChecks } from './support/expectations.js'
import { gcpCloud } from './support/lifecycle.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
  emulators.gcp.networkManagement.analysisDelayMs = 200
})
afterEach(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...gcpCloud.inputs(emulators, { 'network-analysis': 'auto', ...overrides }) })
const tests = () => [...emulators.gcp.networkManagement.tests.keys()]
const nmCalls = () => emulators.log.calls('gcp-networkmanagement').map((c) => c.operation)

describe('the Google Cloud path analysis', () => {
  it('passes a correct link on 443 and 19530, proven by Connectivity Tests, and leaves nothing behind', async () => {
    const started = performance.now()
    const result = await run({ mode: 'apply' })
    const ms = performance.now() - started
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status, c.proof])).toEqual([
      ['path:443', 'pass', 'analysis'],
      ['path:19530', 'pass', 'analysis']
    ])
    for (const c of checks) {
      expect(c.evidence).toMatch(/; proven by Connectivity Test [a-z][a-z0-9-]+-path-(443|19530)-[a-z0-9]+$/)
      expect(c.evidence).toContain(`10.10.0.2 in subnetwork ${GCP_SUBNETWORK} (the endpoint's, as client-subnet is not given)`)
      expect(c.evidence).toContain('not a VM')
    }
    expect(tests()).toEqual([])
    const calls = nmCalls()
    process.stdout.write(`GCP path analysis: ${calls.length} calls (${[...new Set(calls)].map((op) => `${op}×${calls.filter((o) => o === op).length}`).join(', ')}); whole apply ${Math.round(ms)} ms\n`)
  })

  it('fails the port a firewall policy rule denies, naming the policy and the rule, with the fix', async () => {
    emulators.gcp.compute.state.firewallPolicies.push({
      name: '123456789',
      shortName: 'org-egress',
      type: 'HIERARCHY',
      rules: [{ priority: 10, action: 'deny', direction: 'EGRESS', ruleName: 'no-milvus', match: { destIpRanges: ['10.0.0.0/8'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['19530'] }] } }]
    })
    const result = await run({ mode: 'apply' })
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['path:443', 'pass'],
      ['path:19530', 'fail']
    ])
    const blocked = checks[1]!
    expect(blocked.evidence).toContain('rule of firewall policy org-egress no-milvus (DENY EGRESS, priority 10)')
    expect(blocked.fix).toContain('In firewall policy org-egress, add an allow (or goto_next) rule for tcp/19530')
    expect(blocked.fix).toContain('priority number below 10')
    expect(result.outputs['verified']).toBe('false')
    expect(tests()).toEqual([])
  })

  it('starts from the client subnetwork it is given', async () => {
    const result = await run({ mode: 'apply', 'client-subnet': `projects/my-gcp-project/regions/us-east1/subnetworks/${GCP_EAST_SUBNETWORK}` })
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass'])
    expect(checks[0]?.evidence).toContain(`10.20.0.2 in subnetwork ${GCP_EAST_SUBNETWORK}, 10.20.0.0/20`)
  })

  it.each([
    ['connectivityTests.create', 'networkmanagement.connectivitytests.create'],
    ['operations.get', 'networkmanagement.operations.get']
  ])('says it could not prove the path when %s is denied, naming %s, and still cleans up', async (operation, permission) => {
    emulators.switches.inject({ service: 'gcp-networkmanagement', operation, status: 403, code: 'forbidden', message: 'Forbidden', times: 1 })
    const result = await run({ mode: 'apply' })
    const skipped = pathChecks(result).find((c) => c.id === 'path-analysis')!
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped.evidence).toContain(permission)
    expect(skipped.evidence).toContain('docs/policies/gcp-apply.json')
    expect(tests()).toEqual([])
  })

  it('does not run on pull request plans, and says so in a skipped check', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    emulators.log.clear()
    const result = await runAction({ ...emulators.env, ...gcpCloud.inputs(emulators, { 'network-analysis': 'auto', mode: 'plan' }), GITHUB_EVENT_NAME: 'pull_request' })
    expectSuccess(result)
    expect(pathChecks(result)).toEqual([expect.objectContaining({ id: 'path-analysis', status: 'skip', evidence: expect.stringContaining('pull_request plans') })])
    expect(emulators.log.calls('gcp-networkmanagement').filter((c) => c.write)).toEqual([])
  })
})

describe('Connectivity Tests of earlier runs', () => {
  const base = { zilliz: { projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.gcp }, tags: {} } as unknown as Config
  const leaveBehind = (cfg: Config, createdAt: number, testId: string) => {
    const nm = emulators.gcp.networkManagement
    const name = `projects/my-gcp-project/locations/global/connectivityTests/${testId}`
    const labels = toLabels(ephemeralTags(cfg, 'path-analysis', createdAt, 60 * 60 * 1000, { GITHUB_REPOSITORY: 'octo-org/octo-repo' }))
    nm.tests.set(testId, { name, testId, source: { ipAddress: '10.10.0.2' }, destination: { ipAddress: '10.10.0.3', port: 19530 }, protocol: 'TCP', description: '', labels, createTime: '', updateTime: '' })
  }

  it('are removed by the next run when their expiry passed, listed in the summary; fresh and foreign ones stay', async () => {
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000
    leaveBehind(base, twoHoursAgo, 'old-path-19530')
    leaveBehind(base, Date.now(), 'fresh-path-19530')
    leaveBehind({ ...base, zilliz: { ...base.zilliz, projectId: 'proj-someone-else' } } as Config, twoHoursAgo, 'foreign-path-19530')
    const result = await run({ mode: 'apply', 'network-analysis': 'off' })
    expectSuccess(result)
    expect(result.summary).toContain('**Expired proof resources:**')
    expect(result.summary).toContain('gcp.connectivity-test old-path-19530')
    expect(tests().sort()).toEqual(['foreign-path-19530', 'fresh-path-19530'])
  })

  it('are all removed by destroy, expired or not', async () => {
    expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
    leaveBehind(base, Date.now(), 'fresh-path-443')
    const result = await run({ mode: 'destroy' })
    expectSuccess(result)
    expect(tests()).toEqual([])
  })
})

it('a cancel while the Connectivity Tests run deletes them before the process exits', async () => {
  expectSuccess(await run({ mode: 'apply', 'network-analysis': 'off' }))
  emulators.gcp.networkManagement.analysisDelayMs = 60_000
  const action = await spawnAction({ ...emulators.env, ...gcpCloud.inputs(emulators, { mode: 'apply', 'network-analysis': 'auto' }) })
  // Both tests created and still running.
  while (tests().length < 2) {
    if (action.child.exitCode !== null) throw new Error(`the action ended before the tests ran:\n${action.log()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  action.child.kill('SIGTERM')
  expect(await action.exited).toBe(1)
  expect(tests()).toEqual([])
  const outputs = await action.outputs()
  expect(JSON.parse(outputs['plan'] ?? '{}')).toMatchObject({ cancelled: true })
  expect(action.log()).toMatch(/Deleted gcp\.connectivity-test [a-z][a-z0-9-]+-path-(443|19530)-/)
})
