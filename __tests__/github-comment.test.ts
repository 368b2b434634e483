// comment-on-pr through @actions/github against the loopback GitHub API emulator: one sticky comment per
// target, created once and then edited in place, cut to GitHub's size limit, and never a failed run.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubApi, GITHUB_OPERATIONS, MAX_COMMENT_CHARS, type GitHubApi } from '../emulators/github/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { COMMENT_MAX_CHARS, commentBody, commentMarker } from '../src/github/comment-body.js'
import { commentOnPullRequest } from '../src/github/pr-comment.js'
import type { ReportedStep, RunResult } from '../src/report/model.js'
import { captureStdout, runAction } from './support/run-action.js'

const REPOSITORY = 'octo-org/octo-repo'
const PR = 7
const HEAD_SHA = '0123456789abcdef0123456789abcdef01234567'
const WRITE_TOKEN = 'ghs_write0000000000000000000000000000'
const READ_TOKEN = 'ghs_read00000000000000000000000000000'

let github: GitHubApi
let eventDir: string
beforeEach(async () => {
  github = await startGitHubApi()
  github.api.grant(WRITE_TOKEN)
  github.api.grant(READ_TOKEN, { permission: 'read' })
  github.api.openPullRequest(REPOSITORY, PR)
  eventDir = await mkdtemp(join(tmpdir(), 'zpl-event-'))
})
afterEach(async () => {
  await github.close()
})

/** The event payload file the runner writes, and the variables that point at it and at the API. */
async function eventEnv(eventName: string, payload: object): Promise<Record<string, string>> {
  const path = join(eventDir, `${eventName}.json`)
  await writeFile(path, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242'
  }
}

const pullRequestEvent = () => eventEnv('pull_request', { pull_request: { number: PR, head: { sha: HEAD_SHA } }, repository: { full_name: REPOSITORY } })
const commentCalls = () => github.log.calls('github').map((call) => call.operation)
const ourComments = () => github.api.commentsOn(REPOSITORY, PR).filter((comment) => comment.login === 'github-actions[bot]')

describe('the whole action on a pull request', () => {
  let emulators: Emulators
  beforeEach(async () => {
    emulators = await startEmulators()
  })
  afterEach(async () => {
    await emulators.close()
  })

  const run = async (env: Record<string, string>, inputs: Record<string, string> = {}) =>
    runAction({ ...emulators.env, ...awsInputs(emulators, { 'comment-on-pr': 'true', 'github-token': WRITE_TOKEN, ...inputs }), ...env })

  it('creates the plan comment once and updates it in place on the next run', async () => {
    const env = await pullRequestEvent()
    const first = await run(env)
    expect(first.exitCode).toBe(0)
    expect(first.log).toContain(`created the plan comment on pull request #${PR}`)
    const second = await run(env)
    expect(second.exitCode).toBe(0)
    expect(second.log).toContain(`updated the plan comment on pull request #${PR}`)

    expect(commentCalls()).toEqual([
      GITHUB_OPERATIONS.listComments,
      GITHUB_OPERATIONS.createComment,
      GITHUB_OPERATIONS.listComments,
      GITHUB_OPERATIONS.updateComment
    ])
    const comments = ourComments()
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body
    expect(body.startsWith(`<!-- zilliz-private-link:aws:${ZILLIZ_SEED.projectId}:${ZILLIZ_SEED.regions.aws} -->\n`)).toBe(true)
    expect(body).toContain('`PLAN`')
    expect(body).toContain(first.outputs['plan-markdown']!.split('\n')[0])
    expect(body).toContain(`plan for ${HEAD_SHA.slice(0, 7)} · [workflow run](https://github.com/${REPOSITORY}/actions/runs/4242)`)
  })

  it('stays green with a notice on a fork pull request: no ID token, no API key, a read-only token', async () => {
    const forkEvent = { pull_request: { number: PR, head: { sha: HEAD_SHA, repo: { full_name: 'someone/fork' } }, base: { repo: { full_name: REPOSITORY } } }, repository: { full_name: REPOSITORY } }
    const forkRun = { ...(await eventEnv('pull_request', forkEvent)), ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }
    const result = await run(forkRun, { 'zilliz-api-key': '', 'github-token': READ_TOKEN })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['mode']).toBe('plan')
    expect(result.log).toMatch(/::notice title=No pull request comment::comment-on-pr: GitHub refused the comment .*403 Resource not accessible by integration/)
    expect(result.log).toContain('pull-requests: write')
    expect(commentCalls()).toEqual([GITHUB_OPERATIONS.listComments, GITHUB_OPERATIONS.createComment])
    expect(github.api.comments).toHaveLength(0)
  })

  it('makes no GitHub call when the run is not for a pull request', async () => {
    const result = await run(await eventEnv('schedule', { schedule: '0 3 * * *' }))
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain('comment-on-pr: schedule is not a pull request event, so no comment is posted.')
    expect(github.log.calls('github')).toEqual([])
  })
})

function step(index: number, reason: string): ReportedStep {
  return { id: `step-${index}`, kind: 'aws.route53-private-zone', name: `zone-${index}`, action: 'create', reason, dependsOn: [], status: 'planned' }
}

function planResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    schemaVersion: 1,
    mode: 'plan',
    modeReason: 'mode auto only plans on pull_request',
    provider: 'aws',
    target: { projectId: ZILLIZ_SEED.projectId, regionId: 'aws-us-west-2', network: 'vpc-0a1b2c3d (us-west-2)' },
    steps: [step(1, 'not found')],
    checks: [],
    links: [],
    durationMs: 1200,
    ...overrides
  }
}

// Returns the log: the comment reports its notices and warnings there as workflow commands.
const comment = async (result: RunResult, token = WRITE_TOKEN, options: { timeoutMs?: number; env?: Record<string, string> } = {}) => {
  const env = options.env ?? (await pullRequestEvent())
  return captureStdout(() => commentOnPullRequest(result, token, { env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) }))
}

describe('the sticky comment', () => {
  it('keeps one comment per target: another region gets its own', async () => {
    await comment(planResult())
    await comment(planResult({ target: { projectId: ZILLIZ_SEED.projectId, regionId: 'aws-eu-central-1', network: 'vpc-0f (eu-central-1)' } }))
    await comment(planResult())
    const markers = ourComments().map((c) => c.body.split('\n')[0])
    expect(markers).toEqual([
      `<!-- zilliz-private-link:aws:${ZILLIZ_SEED.projectId}:aws-us-west-2 -->`,
      `<!-- zilliz-private-link:aws:${ZILLIZ_SEED.projectId}:aws-eu-central-1 -->`
    ])
    expect(github.log.count(GITHUB_OPERATIONS.updateComment)).toBe(1)
  })

  it('finds its comment past the first page, and ignores a reply that quotes it', async () => {
    const marker = commentMarker(planResult())
    for (let i = 0; i < 130; i++) github.api.addComment(REPOSITORY, PR, `review note ${i}`)
    github.api.addComment(REPOSITORY, PR, `> ${marker}\n> quoted plan\n\nWhy two zones?`)
    const ours = github.api.addComment(REPOSITORY, PR, `${marker}\nold plan`, 'github-actions[bot]')
    for (let i = 0; i < 100; i++) github.api.addComment(REPOSITORY, PR, `later note ${i}`)

    await comment(planResult())
    expect(github.log.count(GITHUB_OPERATIONS.listComments)).toBe(2)
    expect(github.log.count(GITHUB_OPERATIONS.createComment)).toBe(0)
    expect(ours.body).toContain('`PLAN`')
    expect(ours.body).not.toContain('old plan')
  })

  it(`cuts a long plan to ${COMMENT_MAX_CHARS} characters with a note, and GitHub accepts it`, async () => {
    const steps = Array.from({ length: 3000 }, (_, i) => step(i, `reason ${'x'.repeat(60)} ${i}`))
    await comment(planResult({ steps }))
    const [posted] = ourComments()
    expect(posted).toBeDefined()
    expect(posted!.body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS)
    expect(posted!.body.length).toBeGreaterThan(COMMENT_MAX_CHARS - 1_000)
    expect(posted!.body).toContain("Truncated to fit GitHub's comment size limit")
    expect(posted!.body).toMatch(/\[workflow run\]\(https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/4242\)<\/sub>$/)
  })

  it('leaves a body within the limit as it is', () => {
    const body = commentBody('<!-- m -->', '### Plan\n\nshort', { runUrl: 'https://github.com/o/r/actions/runs/1' })
    expect(body).toBe('<!-- m -->\n### Plan\n\nshort\n\n<sub>[workflow run](https://github.com/o/r/actions/runs/1)</sub>')
  })
})

describe('when the comment cannot be posted', () => {
  it('logs a notice, not an error, without pull-requests: write', async () => {
    const log = await comment(planResult(), READ_TOKEN)
    expect(log).toMatch(/^::notice title=No pull request comment::.*403 Resource not accessible by integration.*Add `pull-requests: write`/m)
    expect(log).not.toMatch(/::(error|warning)/)
    expect(github.api.comments).toHaveLength(0)
  })

  it('logs a notice when the token cannot see the repository', async () => {
    github.api.grant('ghs_other', { repositories: ['someone/else'] })
    const log = await comment(planResult(), 'ghs_other')
    expect(log).toMatch(/^::notice title=No pull request comment::comment-on-pr: pull request #7 of octo-org\/octo-repo is not visible to the github-token \(404 Not Found\)/m)
  })

  it('warns on any other error and carries on', async () => {
    github.switches.inject({ service: 'github', operation: GITHUB_OPERATIONS.createComment, status: 502, code: 'BadGateway', message: 'Server Error', times: 1 })
    const log = await comment(planResult())
    expect(log).toMatch(/^::warning::comment-on-pr: could not post the plan comment on pull request #7 of octo-org\/octo-repo: 502 Server Error/m)
  })

  it('gives up when GitHub does not answer in time', async () => {
    github.switches.latency['github'] = 1_000
    const log = await comment(planResult(), WRITE_TOKEN, { timeoutMs: 100 })
    expect(log).toMatch(/^::warning::comment-on-pr: could not post the plan comment on pull request #7 of octo-org\/octo-repo: GitHub did not answer within 0.1 s/m)
  })
})

describe('the GitHub API emulator', () => {
  it('serves GitHub Enterprise Server paths under /api/v3, which GITHUB_API_URL carries', async () => {
    const enterprise = await startGitHubApi({ basePath: '/api/v3' })
    try {
      enterprise.api.grant(WRITE_TOKEN)
      enterprise.api.openPullRequest(REPOSITORY, PR)
      const env = { ...(await pullRequestEvent()), GITHUB_API_URL: enterprise.url }
      await comment(planResult(), WRITE_TOKEN, { env })
      expect(enterprise.url).toMatch(/\/api\/v3$/)
      expect(enterprise.api.commentsOn(REPOSITORY, PR)).toHaveLength(1)
    } finally {
      await enterprise.close()
    }
  })

  it("rejects a body over GitHub's limit and an unknown token, as GitHub does", async () => {
    const client = getOctokit(WRITE_TOKEN, { baseUrl: github.url })
    const [owner, repo] = REPOSITORY.split('/') as [string, string]
    await expect(client.rest.issues.createComment({ owner, repo, issue_number: PR, body: 'x'.repeat(MAX_COMMENT_CHARS + 1) })).rejects.toMatchObject({ status: 422 })
    const stranger = getOctokit('ghs_unknown', { baseUrl: github.url })
    await expect(stranger.rest.issues.listComments({ owner, repo, issue_number: PR })).rejects.toMatchObject({ status: 401 })
  })
})
