// The gates users rely on for safety, end to end against the emulators: offline plans only where GitHub
// withholds credentials, fail-on-changes on an unobserved cloud, the plan-id and expected-plan-id, and the
// protected-environment check read through the GitHub API emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { startGitHubApi, type GitHubApi } from '../emulators/github/index.js'
import { GITHUB_OPERATIONS } from '../emulators/github/index.js'
import { runAction, type ActionRun } from './support/run-action.js'

const REPO = 'octo-org/octo-repo'
const NO_OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }

let emulators: Emulators
let github: GitHubApi
let dir: string
beforeAll(async () => {
  emulators = await startEmulators()
  github = await startGitHubApi({ log: emulators.log, switches: emulators.switches })
  dir = await mkdtemp(join(tmpdir(), 'zpl-gates-'))
})
afterAll(async () => {
  await github.close()
  await emulators.close()
})
beforeEach(() => {
  emulators.log.clear()
  emulators.aws.oidc.resetClaims()
})

/** A run as GitHub would start it for an event: its name, actor and payload file. */
interface EventCase {
  name: string
  eventName: string
  actor: string
  payload: Record<string, unknown>
}

const pullRequest = (head: string) => ({
  pull_request: { number: 7, head: { sha: 'a'.repeat(40), repo: { full_name: head, fork: head !== REPO } }, base: { repo: { full_name: REPO, fork: false } } },
  sender: { login: head === REPO ? 'octocat' : 'someone' }
})

const EVENTS: EventCase[] = [
  { name: 'fork pull request', eventName: 'pull_request', actor: 'someone', payload: pullRequest('someone/octo-repo') },
  { name: 'Dependabot pull request', eventName: 'pull_request', actor: 'dependabot[bot]', payload: { ...pullRequest(REPO), sender: { login: 'dependabot[bot]' } } },
  { name: 'same-repository pull request', eventName: 'pull_request', actor: 'octocat', payload: pullRequest(REPO) },
  { name: 'schedule', eventName: 'schedule', actor: 'octocat', payload: { schedule: '17 3 * * *' } },
  { name: 'workflow_dispatch', eventName: 'workflow_dispatch', actor: 'octocat', payload: { inputs: {}, sender: { login: 'octocat' } } }
]

type Credentials = 'both' | 'no OIDC token' | 'no API key' | 'neither'
const CREDENTIALS: Credentials[] = ['both', 'no OIDC token', 'no API key', 'neither']

async function eventEnv(event: EventCase): Promise<Record<string, string>> {
  const path = join(dir, `${event.name.replace(/\W+/g, '-')}.json`)
  await writeFile(path, JSON.stringify(event.payload))
  return { GITHUB_EVENT_NAME: event.eventName, GITHUB_ACTOR: event.actor, GITHUB_EVENT_PATH: path }
}

async function runFor(event: EventCase, credentials: Credentials, overrides: Record<string, string> = {}): Promise<ActionRun> {
  const noKey = credentials === 'no API key' || credentials === 'neither'
  const noToken = credentials === 'no OIDC token' || credentials === 'neither'
  return runAction({
    ...emulators.env,
    ...awsInputs(emulators, { ...(noKey ? { 'zilliz-api-key': '' } : {}), ...overrides }),
    ...(noToken ? NO_OIDC : {}),
    ...(await eventEnv(event))
  })
}

type Decision = 'plan' | 'apply' | 'offline plan' | 'fail'

/** The offline rule as the docs state it (docs/forks-and-dependabot.md). */
function expected(event: EventCase, credentials: Credentials): Decision {
  const withheld = event.name === 'fork pull request' || event.name === 'Dependabot pull request'
  if (credentials === 'both') return event.eventName === 'workflow_dispatch' ? 'apply' : 'plan'
  return withheld ? 'offline plan' : 'fail'
}

describe('offline plans only where GitHub withholds credentials', () => {
  const rows = EVENTS.flatMap((event) => CREDENTIALS.map((credentials) => [event.name, credentials, expected(event, credentials)] as const))

  it.each(rows)('%s with %s: %s', async (name, credentials, decision) => {
    const event = EVENTS.find((e) => e.name === name)!
    // Apply with verify none and a fresh plan-id check that cannot match: the decision is proven without a write.
    const result = await runFor(event, credentials, decision === 'apply' ? { 'expected-plan-id': '0'.repeat(64) } : {})
    const cloudCalls = emulators.log.calls().filter((c) => c.service !== 'zilliz' && c.service !== 'github')
    switch (decision) {
      case 'offline plan':
        expect(result.exitCode).toBe(0)
        expect(result.log).toContain('::notice::Offline plan: this is a')
        expect(result.outputs['has-changes']).toBe('unknown')
        expect(result.outputs['plan-id']).toBe('')
        expect(JSON.parse(result.outputs['plan'] ?? '{}')).toMatchObject({ state: 'unknown', planId: '' })
        expect(cloudCalls).toEqual([])
        break
      case 'fail':
        expect(result.exitCode).toBe(1)
        expect(emulators.log.calls()).toEqual([])
        expect(result.log).toMatch(credentials === 'no OIDC token' ? /no GitHub OIDC token.*id-token: write/ : /zilliz-api-key: Is empty\..*ZILLIZ_API_KEY/)
        expect(result.log).not.toContain('Offline plan')
        break
      case 'plan':
        expect(result.exitCode).toBe(0)
        expect(result.outputs['mode']).toBe('plan')
        expect(result.outputs['has-changes']).toBe('true')
        expect(cloudCalls.length).toBeGreaterThan(0)
        break
      case 'apply':
        expect(result.outputs['mode']).toBe('apply')
        expect(result.log).toContain('The plan changed since it was reviewed')
        expect(emulators.log.writes()).toEqual([])
        expect(cloudCalls.length).toBeGreaterThan(0)
        break
    }
  })

  it('plans with auto on a Dependabot push instead of failing an apply it could never make', async () => {
    const push = { name: 'Dependabot push', eventName: 'push', actor: 'dependabot[bot]', payload: { sender: { login: 'dependabot[bot]' } } }
    const result = await runFor(push, 'neither')
    expect(result.exitCode).toBe(0)
    expect(result.outputs['mode']).toBe('plan')
    expect(result.outputs['has-changes']).toBe('unknown')
  })
})

describe('fail-on-changes', () => {
  it('fails an offline plan: an unobserved cloud is not "no drift"', async () => {
    const result = await runFor(EVENTS[1]!, 'no OIDC token', { 'fail-on-changes': 'true', mode: 'plan' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toMatch(/fail-on-changes is set and \d+ step\(s\) are unknown/)
    expect(result.outputs['has-changes']).toBe('unknown')
  })
})

describe('plan-id and expected-plan-id', () => {
  const dispatch = EVENTS[4]!

  it('is stable across two plans of the same world and differs after a change of inputs', async () => {
    const first = await runFor(dispatch, 'both', { mode: 'plan' })
    const second = await runFor(dispatch, 'both', { mode: 'plan' })
    expect(first.outputs['plan-id']).toMatch(/^[0-9a-f]{64}$/)
    expect(second.outputs['plan-id']).toBe(first.outputs['plan-id'])
    expect(JSON.parse(first.outputs['plan'] ?? '{}').planId).toBe(first.outputs['plan-id'])
    // The reviewer sees it where they read the plan: the comment and the job summary.
    expect(first.outputs['plan-markdown']).toContain(first.outputs['plan-id'])
    expect(first.summary).toContain(first.outputs['plan-id'])
    const otherPorts = await runFor(dispatch, 'both', { mode: 'plan', ports: '19531' })
    expect(otherPorts.outputs['plan-id']).toMatch(/^[0-9a-f]{64}$/)
    expect(otherPorts.outputs['plan-id']).not.toBe(first.outputs['plan-id'])
  })

  it('refuses an apply whose fresh plan is not the reviewed one, with zero writes and the changes named', async () => {
    const reviewed = await runFor(dispatch, 'both', { mode: 'plan' })
    emulators.log.clear()
    const refused = await runFor(dispatch, 'both', { mode: 'apply', ports: '19531', 'expected-plan-id': reviewed.outputs['plan-id']! })
    expect(refused.exitCode).toBe(1)
    expect(emulators.log.writes()).toEqual([])
    expect(refused.log).toContain(`expected-plan-id is ${reviewed.outputs['plan-id']}`)
    expect(refused.log).toMatch(/create aws\.security-group zilliz-pl-[0-9a-f]{12}/)
    expect(refused.outputs['plan-id']).not.toBe(reviewed.outputs['plan-id'])
  })

  it('applies the reviewed plan, after which the world has another plan-id', async () => {
    const reviewed = await runFor(dispatch, 'both', { mode: 'plan' })
    const applied = await runFor(dispatch, 'both', { mode: 'apply', 'expected-plan-id': reviewed.outputs['plan-id']! })
    expect(applied.exitCode).toBe(0)
    expect(applied.outputs['plan-id']).toBe(reviewed.outputs['plan-id'])
    expect(emulators.log.writes().length).toBeGreaterThan(0)
    const after = await runFor(dispatch, 'both', { mode: 'plan' })
    expect(after.outputs['has-changes']).toBe('false')
    expect(after.outputs['plan-id']).toMatch(/^[0-9a-f]{64}$/)
    expect(after.outputs['plan-id']).not.toBe(reviewed.outputs['plan-id'])
  })
})

describe('require-protected-environment', () => {
  const dispatch = EVENTS[4]!
  const apply = (environment: string | undefined, actions: 'read' | 'none' = 'read') => {
    const token = `ghs_env_${actions}_${environment ?? 'none'}`
    github.api.grant(token, { actions })
    if (environment) emulators.aws.oidc.overrideClaims({ environment })
    return (async () =>
      runAction({
        ...emulators.env,
        ...awsInputs(emulators, { mode: 'apply', 'require-protected-environment': 'true', 'github-token': token }),
        ...(await eventEnv(dispatch)),
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com'
      }))()
  }
  const environmentReads = () => emulators.log.calls().filter((c) => c.operation === GITHUB_OPERATIONS.getEnvironment)
  const cloudCalls = () => emulators.log.calls().filter((c) => c.service !== 'github' && c.service !== 'oidc')

  it('lets the apply run when the environment has required reviewers', async () => {
    github.api.setEnvironment(REPO, 'zilliz-production', { reviewers: ['octocat'], branchPolicy: true })
    const result = await apply('zilliz-production')
    expect(result.exitCode).toBe(0)
    expect(environmentReads()).toHaveLength(1)
    expect(result.log).toContain('environment zilliz-production has required reviewers (rules: required_reviewers, branch_policy)')
    expect(cloudCalls().length).toBeGreaterThan(0)
  })

  it('fails before any call to the cloud or Zilliz when the environment has no required reviewers', async () => {
    github.api.setEnvironment(REPO, 'created-on-first-use', { waitTimer: 5 })
    const result = await apply('created-on-first-use')
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('environment created-on-first-use has no required reviewers (rules: wait_timer)')
    expect(result.log).toContain(`https://github.com/${REPO}/settings/environments`)
    expect(cloudCalls()).toEqual([])
    expect(emulators.log.writes()).toEqual([])
  })

  it('fails when the job references no environment at all', async () => {
    const result = await apply(undefined)
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('references no GitHub environment')
    expect(environmentReads()).toEqual([])
    expect(cloudCalls()).toEqual([])
  })

  it('warns, naming actions: read, when the token may not read the environment, and goes on', async () => {
    github.api.setEnvironment(REPO, 'zilliz-production', { reviewers: ['octocat'] })
    const result = await apply('zilliz-production', 'none')
    expect(result.exitCode).toBe(0)
    expect(result.log).toMatch(/::warning title=Environment not checked::.*403 Resource not accessible by integration.*actions: read/)
    expect(cloudCalls().length).toBeGreaterThan(0)
  })
})
