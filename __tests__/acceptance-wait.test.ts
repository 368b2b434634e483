// The wait for Zilliz reads the registration and the clusters in the same poll, so the poll that sees the
// endpoint accepted also sees the privateLinkAddress, and no round trip follows the acceptance.
import { describe, expect, it } from '@jest/globals'
import { awsInputs } from '../emulators/index.js'
import { expectSuccess } from './support/expectations.js'
import { runAction } from './support/run-action.js'
import { sharedEmulators } from './support/shared-emulators.js'

const world = sharedEmulators()

describe('the wait for Zilliz\'s acceptance', () => {
  it('polls the registration and the clusters together, and ends on the poll that sees both ready', async () => {
    // Accepted after the first poll, before the second.
    world().zilliz.settings.acceptanceDelayMs = 250
    try {
      const result = await runAction({ ...world().env, ...awsInputs(world(), { mode: 'apply' }) })
      expectSuccess(result)
    } finally {
      world().zilliz.settings.acceptanceDelayMs = 0
    }
    const calls = world().log.calls('zilliz')
    const registeredAt = calls.findIndex((c) => c.operation === 'CreatePrivateEndpoint')
    const after = calls.slice(registeredAt + 1).map((c) => c.operation)
    const polls = after.filter((op) => op === 'ListPrivateEndpoints').length
    // At least two polls (pending, then accepted), each with its cluster read; then the verification's pair.
    expect(polls).toBeGreaterThanOrEqual(3)
    // One cluster is described, several are listed: one read a poll either way.
    expect(after.filter((op) => op === 'DescribeCluster' || op === 'ListClusters')).toHaveLength(polls)
  })
})
