// The seeded fault suite, a handful of seeds per cloud (npm run faults runs many): with one call in five
// failing transiently (cloud errors, failed operations, lost answers, Zilliz 429/503, GitHub's token endpoint, STS and Entra 5xx),
// the first apply converges, nothing is duplicated or orphaned, and the next apply writes nothing.
import { describe, expect, it } from '@jest/globals'
import { CLOUDS, describeShortfall, faultRun } from './support/fault-suite.js'

const SEEDS = [1, 2, 3]

describe.each(CLOUDS)('%s with 20% transient faults', (cloud) => {
  it.each(SEEDS)('seed %i converges in the first run, without duplicates or orphans, and the next apply writes nothing', async (seed) => {
    const run = await faultRun(cloud, seed)
    expect(describeShortfall(run)).toBeUndefined()
    expect(run.faults.error + run.faults.lost + run.faults.operation).toBeGreaterThan(0)
  }, 240_000)
})
