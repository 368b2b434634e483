// Many clusters under the clouds' documented rate limits, each tightened below the action's own pacing so
// that throttling really happens: the apply still converges (the action backs off and retries the real
// throttling errors) and writes exactly one set of per-cluster resources; a re-apply writes nothing and
// stays within its call budget. The benchmark runs 1, 10 and 50 clusters.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { seedDedicatedClusters, ZILLIZ_SEED } from '../emulators/zilliz.js'
import type { PlanDocument } from '../src/report/outputs.js'
import { PLAN_MARKDOWN_MAX_CHARS } from '../src/report/summary.js'
import { managedResources } from '../scripts/bench/scale.js'
import { expectSuccess, sortedWrites } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const count = (writes: string[], op: string) => writes.filter((w) => w === op).length

describe('AWS with 12 clusters', () => {
  const CLUSTERS = 12
  const run = () => runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply' }) })

  it('converges through Route 53 throttling, folds per-cluster detail, and re-applies without writes', async () => {
    seedDedicatedClusters(emulators.zilliz.state, ZILLIZ_SEED.regions.aws, CLUSTERS)
    // The account bucket at 5/s with a burst of 5: slower than the 9/s the action paces itself at.
    emulators.switches.rateLimits.overrides.set(`route53:${emulators.aws.route53.accountId}`, { capacity: 5, refillPerSecond: 5 })

    const fresh = await run()
    expectSuccess(fresh)
    expect(fresh.outputs['verified']).toBe('true')
    const throttled = emulators.log.throttled('route53')
    expect(throttled.length).toBeGreaterThan(0)
    expect(new Set(throttled.map((c) => c.status))).toEqual(new Set([400]))
    const writes = sortedWrites(emulators.log)
    expect(count(writes, 'route53:CreateHostedZone')).toBe(CLUSTERS)
    expect(count(writes, 'route53:ChangeResourceRecordSets')).toBe(CLUSTERS)
    expect(count(writes, 'ec2:CreateVpcEndpoint')).toBe(1)
    expect(Object.keys(JSON.parse(fresh.outputs['private-links'] ?? '{}') as object)).toHaveLength(CLUSTERS)
    // Zilliz is polled with one listing, not a describe per cluster.
    expect(emulators.log.count('DescribeCluster', 'zilliz')).toBe(0)
    expect(fresh.summary).toContain(`All ${2 * CLUSTERS} per-cluster steps`)
    expect(fresh.summary).toContain('aws.route53-private-zone × 12: 12 create')
    expect((fresh.outputs['plan-markdown'] ?? '').length).toBeLessThan(PLAN_MARKDOWN_MAX_CHARS)

    emulators.log.clear()
    const again = await run()
    expectSuccess(again)
    expect(emulators.log.writes()).toEqual([])
    // The Zilliz side costs the same whatever the number of clusters.
    expect(emulators.log.calls('zilliz').length).toBeLessThanOrEqual(5)
  })
})

// A re-apply that changes nothing reads each resource once: plan, the inventory of owned resources and
// verification share one observation. Goal: at most (managed resources + 10) calls, every service counted
// (tokens, Zilliz, the cloud), with each run starting on full rate-limit buckets so no throttle is counted.
describe.each([
  ['AWS', ZILLIZ_SEED.regions.aws, () => awsInputs(emulators, { mode: 'apply' }), ['route53:ListResourceRecordSets']],
  ['Google Cloud', ZILLIZ_SEED.regions.gcp, () => gcpInputs(emulators.zillizUrl, { mode: 'apply' }), ['gcp-dns:resourceRecordSets.list']],
  ['Azure', ZILLIZ_SEED.regions.azure, () => azureInputs(emulators.zillizUrl, { mode: 'apply' }), ['arm:RecordSets_Get', 'arm:VirtualNetworkLinks_List']]
] as const)('%s re-apply with 12 clusters', (_cloud, region, inputs, perCluster) => {
  const CLUSTERS = 12
  it('makes no write and at most managed resources + 10 calls, one read per cluster resource', async () => {
    seedDedicatedClusters(emulators.zilliz.state, region, CLUSTERS)
    const run = async () => {
      emulators.log.clear()
      emulators.switches.rateLimits.reset()
      const result = await runAction({ ...emulators.env, ...inputs() })
      expectSuccess(result)
      return result
    }
    await run()
    const again = await run()
    expect(again.outputs['verified']).toBe('true')
    expect(emulators.log.writes()).toEqual([])
    const calls = emulators.log.calls()
    expect(calls.filter((c) => c.throttled)).toEqual([])
    const managed = managedResources(JSON.parse(again.outputs['plan'] ?? '{}') as PlanDocument)
    expect(managed).toBeGreaterThanOrEqual(2 * CLUSTERS)
    expect(calls.length).toBeLessThanOrEqual(managed + 10)
    // Each cluster's DNS is read once, whatever plan, inventory and verification need of it.
    for (const operation of perCluster) expect(calls.filter((c) => `${c.service}:${c.operation}` === operation)).toHaveLength(CLUSTERS)
  })
})

describe('Google Cloud with 4 clusters', () => {
  it('converges through Compute Engine rateLimitExceeded answers', async () => {
    seedDedicatedClusters(emulators.zilliz.state, ZILLIZ_SEED.regions.gcp, 4)
    // Each quota group allows 3 requests per 2-second window instead of 1,500 per minute.
    for (const group of ['default', 'read_requests', 'list_requests', 'operation_read_requests'])
      emulators.switches.rateLimits.overrides.set(`compute:${emulators.gcp.compute.state.project}:${group}`, { capacity: 3, windowMs: 2_000 })
    const fresh = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { mode: 'apply' }) })
    expectSuccess(fresh)
    const throttled = emulators.log.throttled('gcp-compute')
    expect(throttled.length).toBeGreaterThan(0)
    expect(new Set(throttled.map((c) => c.status))).toEqual(new Set([403]))
    expect(count(sortedWrites(emulators.log), 'gcp-compute:forwardingRules.insert')).toBe(1)
  })
})

describe('Azure with 4 clusters', () => {
  it('converges through ARM SubscriptionRequestsThrottled answers', async () => {
    seedDedicatedClusters(emulators.zilliz.state, ZILLIZ_SEED.regions.azure, 4)
    // Every write bucket of the subscription holds 2 tokens refilled at 2/s instead of 200 at 10/s.
    emulators.switches.rateLimits.overrides.set('arm:*:write', { capacity: 2, refillPerSecond: 2 })
    const fresh = await runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { mode: 'apply' }) })
    expectSuccess(fresh)
    const throttled = emulators.log.throttled('arm')
    expect(throttled.length).toBeGreaterThan(0)
    expect(new Set(throttled.map((c) => c.status))).toEqual(new Set([429]))
  })
})
