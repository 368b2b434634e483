// Whether GitHub withholds credentials (secrets, an OIDC token) from this run by design: a pull request
// from a fork, or a Dependabot run. Only these runs may plan offline; anywhere else a missing token or key
// is a configuration mistake and fails. Imports only node:fs: main.ts calls it before anything loads.
import { readFileSync } from 'node:fs'

export type WithheldKind = 'fork' | 'dependabot'

export interface Withheld {
  kind: WithheldKind
  /** What the run is, for messages, e.g. 'a pull request from the fork octo/repo' */
  description: string
}

const DEPENDABOT = 'dependabot[bot]'
/** Events whose runs from a fork get no secrets and no ID token (pull_request_target does get them). */
const FORK_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])

interface RepoRef {
  id?: unknown
  full_name?: unknown
  fork?: unknown
}

export interface EventPayload {
  pull_request?: { head?: { repo?: RepoRef | null }; base?: { repo?: RepoRef | null } }
  sender?: { login?: unknown }
}

/** The head repository of a pull request, when it is not the base repository. */
function forkOf(payload: EventPayload): string | undefined {
  const pr = payload.pull_request
  if (!pr) return undefined
  const head = pr.head?.repo
  // GitHub sends head.repo null when the fork was deleted: it was still a fork.
  if (head === null) return 'a deleted fork'
  const base = pr.base?.repo
  if (typeof head?.full_name === 'string' && typeof base?.full_name === 'string') {
    const same = head.full_name.toLowerCase() === base.full_name.toLowerCase() || (head.id !== undefined && head.id === base.id)
    return same ? undefined : head.full_name
  }
  // Without both names only the flag is left; a repository that is itself a fork also sets it.
  return head?.fork === true && typeof head.full_name === 'string' ? head.full_name : undefined
}

/** The decision, from the event name, the actor and the event payload. */
export function credentialsWithheld(eventName: string | undefined, actor: string | undefined, payload: EventPayload | undefined): Withheld | undefined {
  const sender = payload?.sender?.login
  if (actor === DEPENDABOT || sender === DEPENDABOT) return { kind: 'dependabot', description: 'a Dependabot run' }
  if (eventName && FORK_EVENTS.has(eventName) && payload) {
    const fork = forkOf(payload)
    if (fork) return { kind: 'fork', description: `a pull request from ${fork === 'a deleted fork' ? fork : `the fork ${fork}`}` }
  }
  return undefined
}

function readPayload(path: string | undefined): EventPayload | undefined {
  if (!path) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload
  } catch {
    return undefined
  }
}

/** The decision for this run, from GITHUB_EVENT_NAME, GITHUB_ACTOR and the payload at GITHUB_EVENT_PATH. */
export function withheldFromRun(env: NodeJS.ProcessEnv = process.env): Withheld | undefined {
  return credentialsWithheld(env['GITHUB_EVENT_NAME'], env['GITHUB_ACTOR'], readPayload(env['GITHUB_EVENT_PATH']))
}
