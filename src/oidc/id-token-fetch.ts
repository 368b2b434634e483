// GitHub OIDC ID tokens asked for with retries, and the errors that say why none came. No toolkit here: the
// first token is asked for from the entry (head-start.ts), before @actions/core loads.
import type { HeldLogger, Logger } from '../base/log.js'
import { heldLogger } from '../base/log.js'
import { retry, type RetryBudget } from '../base/retry.js'
import { early } from '../base/settle.js'
import { hasOidcEnvironment } from './environment.js'
import { isIdTokenRequestError, requestIdToken } from './token-request.js'
import { outboundAgents } from '../net/outbound.js'

export class OidcUnavailableError extends Error {
  constructor(needFor: string) {
    super(
      `No GitHub OIDC token can be had here, but ${needFor} needs one. The usual causes: ` +
        '(1) the job lacks `permissions: id-token: write`; ' +
        '(2) the run is a pull request from a fork, which never gets an ID token; ' +
        '(3) the actor is Dependabot, whose runs get no ID token. ' +
        'Add the permission, or use mode: plan for such runs.'
    )
    this.name = 'OidcUnavailableError'
  }
}

/** GitHub's token endpoint failed for good: a refusal, or transient failures that outlasted the retries. */
export class GithubIdTokenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GithubIdTokenError'
  }
}

/**
 * GitHub's token endpoint is retried apart from the cloud exchange that uses the token, so a hiccup there
 * never costs an STS attempt. A dropped connection, a timeout, a 429, a 5xx and a 2xx without a token pass,
 * so six tries leave about 6e-5 of failure at one call in five failing.
 */
export const ID_TOKEN_RETRY: RetryBudget = { attempts: 6, baseMs: 250, maxMs: 4000 }

/** The HTTP status of a failed answer ("HTTP 500"); undefined when no answer came or a 2xx had no token. */
export function idTokenFailureStatus(error: unknown): number | undefined {
  return isIdTokenRequestError(error) ? error.status : undefined
}

/** A dropped connection, a timeout, 429 and 5xx pass; 401, 403 and 404 are GitHub refusing the request. */
export function isTransientIdTokenFailure(error: unknown): boolean {
  const status = idTokenFailureStatus(error)
  return status === undefined || status === 429 || status >= 500
}

/**
 * One ID token from GitHub's OIDC endpoint, retried on transient failures, through the run's proxy when one
 * is configured. Not yet masked or registered: whoever takes it does (id-token.ts).
 */
export async function requestIdTokenWithRetry(audience: string | undefined, log?: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!hasOidcEnvironment(env)) throw new OidcUnavailableError('the GitHub ID token')
  const request = {
    url: env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '',
    requestToken: env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '',
    audience,
    agentFor: outboundAgents(env)?.for
  }
  return retry(() => requestIdToken(request), {
    ...ID_TOKEN_RETRY,
    isRetryable: isTransientIdTokenFailure,
    onRetry: (error, attempt, delay) =>
      log?.warning(`Getting a GitHub ID token failed (attempt ${attempt}, ${describeIdTokenFailure(error)}); retrying in ${delay} ms`)
  }).catch((error: unknown) => {
    const status = idTokenFailureStatus(error)
    const refused = status !== undefined && !isTransientIdTokenFailure(error)
    const outcome = refused ? 'refused the request' : isIdTokenRequestError(error) && error.kind === 'no-token' ? 'gave no token' : 'did not answer'
    throw new GithubIdTokenError(
      `GitHub's OIDC token endpoint ${outcome} (${describeIdTokenFailure(error)}).` +
        (refused
          ? ' The job\'s ACTIONS_ID_TOKEN_REQUEST_TOKEN was not accepted: check that the job has `permissions: id-token: write`.'
          : ` It was tried ${ID_TOKEN_RETRY.attempts} times; re-run the job, and see githubstatus.com if it persists.`) +
        (isIdTokenRequestError(error) && error.said ? ` GitHub said: ${error.said}` : '')
    )
  })
}

/** "HTTP 500", "no HTTP answer: …", or "HTTP 200, but the answer is not JSON". */
function describeIdTokenFailure(error: unknown): string {
  return isIdTokenRequestError(error) ? error.message : `no HTTP answer: ${(error as Error)?.message ?? String(error)}`
}

/** The ID token could not be had: the cloud exchange never ran, so neither a retry of it nor its hints apply. */
export function isIdTokenFailure(error: unknown): boolean {
  const name = (error as Error | undefined)?.name
  return name === 'OidcUnavailableError' || name === 'GithubIdTokenError'
}

/** A first token asked for ahead of its use; its retries' warnings are held until it is taken. */
export interface PrefetchedIdToken {
  audience: string
  token: Promise<string>
  log: HeldLogger
}

/** Asks for the first token now; a failure is the taker's to report, so it does not count as unhandled meanwhile. */
export function prefetchIdToken(audience: string, env: NodeJS.ProcessEnv = process.env): PrefetchedIdToken {
  const log = heldLogger()
  return { audience, token: early(requestIdTokenWithRetry(audience, log, env)), log }
}
