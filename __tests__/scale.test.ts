// Many clusters under the clouds' documented rate limits, each tightened below the action's own pacing so
// that throttling really happens: the apply still converges (the action backs off and retries the real
// throttling errors), writes exactly one set of per-cluster resources, and a re-apply reads a bounded
// number of times per cluster and writes nothing. The benchmark runs 1, 10 and 50 clusters.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { seedDedicatedClusters, ZILLIZ_SEED } from '../emulators/zilliz.js'
import { PLAN_MARKDOWN_MAX_CHARS } from '../src/report/summary.js'
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
    // Route 53 reads grow by a fixed number per cluster (each zone's ownership proof and tags and its record,
    // read by the plan, the inventory of owned resources and verification), never with anything else.
    const reads = emulators.log.calls('route53').filter((c) => !c.throttled)
    expect(reads.filter((c) => c.operation === 'ListHostedZonesByVPC').length).toBeLessThanOrEqual(3)
    expect(reads.length).toBeLessThanOrEqual(3 + 7 * CLUSTERS)
    // The Zilliz side costs the same whatever the number of clusters.
    expect(emulators.log.calls('zilliz').length).toBeLessThanOrEqual(5)
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
