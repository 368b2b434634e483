// Everything knowable before the first write is checked before it: each check fails the run with a named
// cause and the run writes nothing (no cloud write, no Zilliz write).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { errorLine, sortedWrites } from './support/expectations.js'
import { awsCloud, type CloudUnderTest } from './support/lifecycle.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const runOn = (cloud: CloudUnderTest, overrides: Record<string, string>) => runAction({ ...emulators.env, ...cloud.inputs(emulators, { mode: 'apply', ...overrides }) })

async function expectRefusedBeforeWriting(cloud: CloudUnderTest, overrides: Record<string, string>, error: RegExp): Promise<void> {
  const result = await runOn(cloud, overrides)
  expect(result.exitCode).toBe(1)
  expect(errorLine(result)).toMatch(error)
  expect(sortedWrites(emulators.log)).toEqual([])
}

describe('before the first write', () => {
  it('refuses a cluster of another project, even when the key can see it', async () => {
    emulators.zilliz.state.projects.find((p) => p.projectId === ZILLIZ_SEED.otherProjectId)!.apiKeys.push(ZILLIZ_SEED.apiKey)
    await expectRefusedBeforeWriting(awsCloud, { 'cluster-ids': ZILLIZ_SEED.clusters.otherProject }, /cluster-ids: in01-5f60718293a4b5c belongs to project proj-9f8e7d6c5b4a3928170615, not proj-/)
  })

  it('refuses a cluster that is not running, instead of waiting until the deadline for its address', async () => {
    emulators.zilliz.state.clusters.find((c) => c.clusterId === ZILLIZ_SEED.clusters.aws[0])!.status = 'SUSPENDED'
    await expectRefusedBeforeWriting(awsCloud, {}, /cluster-ids: in01-0a1b2c3d4e5f607 is SUSPENDED, so Zilliz allocates it no private link address/)
  })

  it('refuses a new endpoint when the project already has 10', async () => {
    for (let i = 0; i < 10; i++) emulators.zilliz.addRegistration({ projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.gcp, endpointId: `other-endpoint-${i}`, gcpProjectId: 'elsewhere' })
    await expectRefusedBeforeWriting(awsCloud, {}, /already has 10 private endpoints, the most a project can have \(10\)/)
  })

  it('refuses a security group that would exceed the inbound rule quota (AWS)', async () => {
    const cidrs = Array.from({ length: 31 }, (_, i) => `10.${i}.0.0/16`).join(',')
    await expectRefusedBeforeWriting(awsCloud, { 'allowed-cidrs': cidrs }, /needs 62 inbound rules \(one per port and CIDR\) in the managed security group, over the limit of 60/)
  })

  // On GCP the managed rule is an EGRESS allow to the endpoint's address with no source ranges (the
  // allowed ranges only scope the egress evaluation), so no per-rule range limit applies there.

  it('fails at once when a cluster stops running during the wait for its address', async () => {
    // The cluster is suspended right after the registration: its address will never come.
    const cluster = emulators.zilliz.state.clusters.find((c) => c.clusterId === ZILLIZ_SEED.clusters.aws[0])!
    emulators.zilliz.settings.acceptanceDelayMs = 200
    let watching = true
    const watch = (async () => {
      while (watching && !emulators.log.writes('zilliz').length) await new Promise((resolve) => setTimeout(resolve, 5))
      cluster.status = 'SUSPENDED'
    })()
    const result = await runOn(awsCloud, { 'wait-timeout': '30m' })
    watching = false
    await watch
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toMatch(/in01-0a1b2c3d4e5f607 is SUSPENDED; resume it and re-run/)
    expect(errorLine(result)).not.toMatch(/Timed out/)
  })
})
