// Which pull request this run belongs to, read from the event payload the runner writes to disk.
import { readFileSync } from 'node:fs'

export interface PullRequestRef {
  owner: string
  repo: string
  number: number
  /** The commit the plan was made for, when the payload names it */
  headSha?: string
}

interface PullRequestPayload {
  pull_request?: { number?: unknown; head?: { sha?: unknown } }
  repository?: { full_name?: unknown }
}

/**
 * The pull request of a pull_request or pull_request_target run (any payload with a pull_request),
 * or undefined for every other event and for runs outside GitHub Actions.
 */
export function pullRequestOf(env: NodeJS.ProcessEnv): PullRequestRef | undefined {
  const payload = readPayload(env['GITHUB_EVENT_PATH'])
  const number = payload?.pull_request?.number
  if (typeof number !== 'number') return undefined
  // Comments belong to the base repository, which is the one the workflow runs in.
  const fullName = env['GITHUB_REPOSITORY'] || payload?.repository?.full_name
  if (typeof fullName !== 'string' || !fullName.includes('/')) return undefined
  const [owner, repo] = fullName.split('/') as [string, string]
  const headSha = payload?.pull_request?.head?.sha
  return { owner, repo, number, ...(typeof headSha === 'string' ? { headSha } : {}) }
}

function readPayload(path: string | undefined): PullRequestPayload | undefined {
  if (!path) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullRequestPayload
  } catch {
    // A missing or unreadable payload means a local run: there is no pull request to comment on.
    return undefined
  }
}
