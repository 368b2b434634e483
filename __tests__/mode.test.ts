// The mode decision: every event, with and without each credential, in runs GitHub gives credentials and
// in runs it withholds them from (fork pull requests, Dependabot).
import { describe, expect, it } from '@jest/globals'
import { resolveMode, type ModeContext } from '../src/engine/mode.js'
import type { ModeInput } from '../src/config/types.js'
import type { Withheld } from '../src/github/withheld.js'

const EVENTS = ['pull_request', 'pull_request_target', 'merge_group', 'schedule', 'push', 'workflow_dispatch', 'release', undefined] as const
const APPLYING = new Set(['push', 'workflow_dispatch'])
const FORK: Withheld = { kind: 'fork', description: 'a pull request from the fork someone/octo-repo' }
const DEPENDABOT: Withheld = { kind: 'dependabot', description: 'a Dependabot run' }

function decide(input: ModeInput, eventName: string | undefined, oidcAvailable: boolean, extra: Partial<ModeContext> = {}) {
  return resolveMode(input, { eventName, oidcAvailable, oidcInput: 'aws-role-arn', apiKeyMissing: false, ...extra })
}

describe('mode: auto', () => {
  const rows = EVENTS.flatMap((event) => [true, false].map((oidc) => [event ?? '(none)', oidc] as const))
  it.each(rows)('on %s with OIDC %s', (event, oidc) => {
    const eventName = event === '(none)' ? undefined : event
    const decision = decide('auto', eventName, oidc)
    const applies = APPLYING.has(event)
    expect(decision.mode).toBe(applies ? 'apply' : 'plan')
    expect(decision.reason).toContain(eventName ?? 'outside GitHub Actions')
    // GitHub gives these runs credentials: a missing token is a mistake, never an offline plan.
    expect(decision.offline).toBeUndefined()
    expect(Boolean(decision.missing)).toBe(!oidc)
  })

  it('only plans in runs GitHub gives no credentials, even on push', () => {
    expect(decide('auto', 'push', false, { withheld: DEPENDABOT })).toMatchObject({ mode: 'plan', reason: expect.stringContaining('Dependabot') })
  })
})

describe('explicit modes', () => {
  it.each(EVENTS.map((e) => [e ?? '(none)']))('plan on %s plans; without a token it fails, naming the permission', (event) => {
    const eventName = event === '(none)' ? undefined : event
    expect(decide('plan', eventName, true)).toEqual({ mode: 'plan', reason: 'mode input is plan' })
    const missing = decide('plan', eventName, false)
    expect(missing.offline).toBeUndefined()
    expect(missing.missing).toContain('id-token: write')
    expect(missing.missing).toContain('aws-role-arn')
  })

  it.each(EVENTS.map((e) => [e ?? '(none)']))('apply on %s applies, never offline', (event) => {
    const eventName = event === '(none)' ? undefined : event
    expect(decide('apply', eventName, true)).toEqual({ mode: 'apply', reason: 'mode input is apply' })
    expect(decide('apply', eventName, false, { withheld: FORK })).toMatchObject({ mode: 'apply', missing: expect.stringContaining('cannot apply') })
  })
})

describe('credentials', () => {
  it('needs no token when the config uses ambient credentials', () => {
    expect(decide('plan', 'schedule', false, { oidcInput: undefined })).toEqual({ mode: 'plan', reason: 'mode input is plan' })
  })

  it('goes offline in a fork pull request, saying what could not be read', () => {
    const both = decide('auto', 'pull_request', false, { apiKeyMissing: true, withheld: FORK })
    expect(both.missing).toBeUndefined()
    expect(both.offline).toContain('someone/octo-repo')
    expect(both.offline).toContain('no GitHub OIDC token')
    expect(both.offline).toContain('no zilliz-api-key')
  })

  it('fails a same-repository plan without the key, naming the secret', () => {
    const decision = decide('auto', 'pull_request', true, { apiKeyMissing: true })
    expect(decision.offline).toBeUndefined()
    expect(decision.missing).toContain('ZILLIZ_API_KEY')
  })
})
