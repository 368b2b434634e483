// comment-on-pr: the plan as one sticky comment per target on the pull request. A comment is a courtesy,
// never a reason to fail: without permission (fork and Dependabot pull requests, a read-only token) the
// run logs a notice with the fix; any other error is a warning.
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { secrets } from '../base/secrets.js'
import type { RunResult } from '../report/model.js'
import { renderPlanMarkdown } from '../report/summary.js'
import { USER_AGENT } from '../version.js'
import { commentBody, commentMarker, runUrlOf } from './comment-body.js'
import { pullRequestOf, type PullRequestRef } from './pull-request.js'
import { upsertStickyComment } from './sticky-comment.js'

const DEFAULT_API_URL = 'https://api.github.com'
/** A slow or hanging API must not hold the job: the comment gives up after this long. */
const DEFAULT_TIMEOUT_MS = 60_000

export interface CommentOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

export async function commentOnPullRequest(result: RunResult, token: string, options: CommentOptions = {}): Promise<void> {
  const env = options.env ?? process.env
  const pullRequest = pullRequestOf(env)
  if (!pullRequest) {
    core.info(`comment-on-pr: ${env['GITHUB_EVENT_NAME'] || 'this run'} is not a pull request event, so no comment is posted.`)
    return
  }
  // GITHUB_API_URL is how GitHub Enterprise Server (and the emulator) is reached.
  const github = getOctokit(token, { baseUrl: env['GITHUB_API_URL'] || DEFAULT_API_URL, userAgent: USER_AGENT })
  const marker = commentMarker(result)
  const body = secrets.redact(commentBody(marker, renderPlanMarkdown(secrets.redactDeep(result)), { runUrl: runUrlOf(env), headSha: pullRequest.headSha }))
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const comment = await upsertStickyComment(github, pullRequest, marker, body, signal)
    core.info(`comment-on-pr: ${comment.action} the plan comment on pull request #${pullRequest.number}: ${comment.url}`)
  } catch (error) {
    // An aborted request surfaces as an unhelpful status 500; say what happened instead.
    reportFailure(signal.aborted ? { message: `GitHub did not answer within ${timeoutMs / 1000} s` } : failureOf(error), pullRequest)
  }
}

interface Failure {
  status?: number
  message: string
}

function reportFailure({ status, message }: Failure, pullRequest: PullRequestRef): void {
  const where = `pull request #${pullRequest.number} of ${pullRequest.owner}/${pullRequest.repo}`
  const fallback = 'The plan is in the job summary and the plan-markdown output.'
  if (status === 403) {
    core.notice(
      `comment-on-pr: GitHub refused the comment on ${where} (403 ${message}): the github-token has no pull-requests: write. ` +
        'GitHub gives fork and Dependabot pull requests a read-only token, and a job gets the permission only when its permissions block grants it. ' +
        `Add \`pull-requests: write\` to the job's permissions for pull requests from this repository. ${fallback}`,
      { title: 'No pull request comment' }
    )
  } else if (status === 404) {
    core.notice(
      `comment-on-pr: ${where} is not visible to the github-token (404 ${message}). ` +
        `Use the job's own token (leave github-token at its default) or a token with access to this repository, and grant \`pull-requests: write\`. ${fallback}`,
      { title: 'No pull request comment' }
    )
  } else {
    core.warning(`comment-on-pr: could not post the plan comment on ${where}: ${status ? `${status} ` : ''}${message}. ${fallback}`)
  }
}

/** Octokit's RequestError carries the HTTP status and GitHub's message; anything else only a message. */
function failureOf(error: unknown): Failure {
  const failure = error as { status?: unknown; message?: unknown; response?: { data?: { message?: unknown } } }
  const status = typeof failure.status === 'number' ? failure.status : undefined
  const apiMessage = failure.response?.data?.message
  const message = typeof apiMessage === 'string' ? apiMessage : String(failure.message ?? error)
  return { ...(status ? { status } : {}), message }
}
