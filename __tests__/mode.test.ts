// The mode decision: every event, with and without an OIDC token, for each mode input.
import { describe, expect, it } from '@jest/globals'
import { resolveMode, type ModeContext } from '../src/engine/mode.js'
import type { ModeInput } from '../src/config/types.js'

const EVENTS = ['pull_request', 'pull_request_target', 'merge_group', 'schedule', 'push', 'workflow_dispatch', 'release', undefined] as const
const APPLYING = new Set(['push', 'workflow_dispatch'])

function decide(input: ModeInput, eventName: string | undefined, oidcAvailable: boolean, extra: Partial<ModeContext> = {}) {
  return resolveMode(input, { eventName, oidcAvailable, oidcNeeded: true, apiKeyMissing: false, ...extra })
}

describe('mode: auto', () => {
  const rows = EVENTS.flatMap((event) => [true, false].map((oidc) => [event ?? '(none)', oidc] as const))
  it.each(rows)('on %s with OIDC %s', (event, oidc) => {
    const eventName = event === '(none)' ? undefined : event
    const decision = decide('auto', eventName, oidc)
    const applies = APPLYING.has(event)
    expect(decision.mode).toBe(applies ? 'apply' : 'plan')
    expect(decision.reason).toContain(eventName ?? 'outside GitHub Actions')
    // Only a plan without a token goes offline; an apply without one fails later, naming the cause.
    expect(Boolean(decision.offline)).toBe(!applies && !oidc)
  })
})

describe('explicit modes', () => {
  it.each(EVENTS.map((e) => [e ?? '(none)']))('plan on %s plans, offline only without a token', (event) => {
    const eventName = event === '(none)' ? undefined : event
    expect(decide('plan', eventName, true)).toEqual({ mode: 'plan', reason: 'mode input is plan' })
    expect(decide('plan', eventName, false).offline).toContain('no GitHub OIDC token')
  })

  it.each(EVENTS.map((e) => [e ?? '(none)']))('apply on %s applies, never offline', (event) => {
    const eventName = event === '(none)' ? undefined : event
    expect(decide('apply', eventName, false)).toEqual({ mode: 'apply', reason: 'mode input is apply' })
  })
})

describe('offline reasons', () => {
  it('needs no token when the config uses ambient credentials', () => {
    expect(decide('plan', 'pull_request', false, { oidcNeeded: false }).offline).toBeUndefined()
  })
  it('goes offline without an API key, and says both reasons when both are missing', () => {
    expect(decide('plan', 'pull_request', true, { apiKeyMissing: true }).offline).toContain('no zilliz-api-key')
    const both = decide('auto', 'pull_request', false, { apiKeyMissing: true }).offline ?? ''
    expect(both).toContain('no GitHub OIDC token')
    expect(both).toContain('no zilliz-api-key')
  })
})
