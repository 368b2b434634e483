// Fetches GitHub OIDC ID tokens: one fresh token per cloud exchange, never cached across attempts.
import * as core from '@actions/core'
import type { Logger } from '../base/log.js'
import { retry, type RetryBudget } from '../base/retry.js'
import { secrets } from '../base/secrets.js'
import { early } from '../base/settle.js'
import { decodeClaims, formatClaims, type ShownClaims } from './claims.js'
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
 * is configured; masked in the log as @actions/core's getIDToken masks it, and registered as a secret.
 */
export async function fetchIdToken(audience: string | undefined, log?: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!hasOidcEnvironment(env)) throw new OidcUnavailableError('the GitHub ID token')
  const request = {
    url: env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '',
    requestToken: env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '',
    audience,
    agentFor: outboundAgents(env)?.for
  }
  const token = await retry(() => requestIdToken(request), {
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
  core.setSecret(token)
  secrets.add(token)
  return token
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

export interface IdTokenSource {
  /** A fresh token for the audience (masked in the log) */
  get(audience: string): Promise<string>
  /** Claims of the most recent token, for error messages */
  lastClaims(): ShownClaims | undefined
}

/**
 * Token source backed by GitHub's OIDC endpoint; logs the decoded claims of the first token in a group. With
 * `prefetch`, the first token for that audience is requested at once, so it travels while the cloud's code
 * loads; the first get() for the audience takes it, every later one fetches a fresh token as before.
 */
export function githubIdTokens(log: Logger, needFor: string, prefetch?: string): IdTokenSource {
  let claims: ShownClaims | undefined
  // A failure is the first get()'s to report; until then it must not count as unhandled.
  let prefetched = prefetch && hasOidcEnvironment() ? { audience: prefetch, token: early(fetchIdToken(prefetch, log)) } : undefined
  const fetchFor = (audience: string): Promise<string> => {
    if (!prefetched || prefetched.audience !== audience) return fetchIdToken(audience, log)
    const { token } = prefetched
    prefetched = undefined
    return token
  }
  return {
    async get(audience) {
      if (!hasOidcEnvironment()) throw new OidcUnavailableError(needFor)
      const token = await fetchFor(audience)
      const first = claims === undefined
      claims = decodeClaims(token)
      if (first) {
        const lines = formatClaims(claims)
        await log.group('GitHub OIDC token claims', async () => lines.forEach((l) => log.info(l)))
      }
      return token
    },
    lastClaims: () => claims
  }
}
