// One comment per marker on an issue or pull request: created the first time, edited in place after.
import type { getOctokit } from '@actions/github'
import type { PullRequestRef } from './pull-request.js'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface StickyComment {
  action: 'created' | 'updated'
  id: number
  url: string
}

/**
 * Finds the comment that starts with the marker and replaces its body, or creates one.
 * A comment that only quotes the marker (a reply starts with "> ") is never taken for ours.
 */
export async function upsertStickyComment(
  github: GitHubClient,
  pullRequest: PullRequestRef,
  marker: string,
  body: string,
  signal?: AbortSignal
): Promise<StickyComment> {
  const issue = { owner: pullRequest.owner, repo: pullRequest.repo, issue_number: pullRequest.number }
  const request = signal ? { signal } : {}
  const existing = await findComment(github, issue, marker, request)
  if (existing) {
    const { data } = await github.rest.issues.updateComment({ owner: issue.owner, repo: issue.repo, comment_id: existing, body, request })
    return { action: 'updated', id: data.id, url: data.html_url }
  }
  const { data } = await github.rest.issues.createComment({ ...issue, body, request })
  return { action: 'created', id: data.id, url: data.html_url }
}

type IssueParams = { owner: string; repo: string; issue_number: number }

/** GitHub's largest page of comments. */
const PAGE_SIZE = 100

/**
 * Pages through the comments, oldest first, and stops at the page that has ours. A loop of its own
 * rather than octokit.paginate, which does not pass the abort signal on to its requests.
 */
async function findComment(github: GitHubClient, issue: IssueParams, marker: string, request: { signal?: AbortSignal }): Promise<number | undefined> {
  for (let page = 1; ; page++) {
    const { data } = await github.rest.issues.listComments({ ...issue, per_page: PAGE_SIZE, page, request })
    const match = data.find((comment) => comment.body?.startsWith(marker))
    if (match) return match.id
    if (data.length < PAGE_SIZE) return undefined
  }
}
