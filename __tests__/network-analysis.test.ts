import { describe, expect, it } from '@jest/globals'
import { networkAnalysisDecision } from '../src/engine/network-analysis.js'
import type { Config } from '../src/config/types.js'

const config = (over: Partial<Config> = {}) => ({ networkAnalysis: 'auto', verify: 'auto', ...over }) as Config

describe('when the paid path analysis runs', () => {
  it.each([
    ['apply on push', config(), { mode: 'apply', eventName: 'push' }, true],
    ['scheduled verification plan', config(), { mode: 'plan', eventName: 'schedule' }, true],
    ['dispatched plan', config(), { mode: 'plan', eventName: 'workflow_dispatch' }, true],
    ['pull request plan', config(), { mode: 'plan', eventName: 'pull_request' }, false],
    ['merge queue plan', config(), { mode: 'plan', eventName: 'merge_group' }, false],
    ['off', config({ networkAnalysis: 'off' }), { mode: 'apply', eventName: 'push' }, false],
    ['verify control-plane', config({ verify: 'control-plane' }), { mode: 'apply', eventName: 'push' }, false],
    ['destroy', config(), { mode: 'apply', eventName: 'workflow_dispatch', destroy: true }, false]
  ] as const)('%s', (_name, cfg, run, expected) => {
    const decision = networkAnalysisDecision(cfg, run)
    expect(decision.run).toBe(expected)
    expect(decision.reason).toMatch(/network-analysis|verify|destroy/)
  })
})
