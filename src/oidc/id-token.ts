// Fetches GitHub OIDC ID tokens: one fresh token per cloud exchange, never cached across attempts.
import * as core from '@actions/core'
import type { Logger } from '../base/log.js'
import { secrets } from '../base/secrets.js'
import { decodeClaims, formatClaims, type ShownClaims } from './claims.js'
import { hasOidcEnvironment } from './environment.js'
import { OidcUnavailableError, prefetchIdToken, requestIdTokenWithRetry, type PrefetchedIdToken } from './id-token-fetch.js'

export {
  GithubIdTokenError,
  ID_TOKEN_RETRY,
  idTokenFailureStatus,
  isIdTokenFailure,
  isTransientIdTokenFailure,
  OidcUnavailableError
} from './id-token-fetch.js'

/** Masked in the log as @actions/core's getIDToken masks it, and registered as a secret. */
function taken(token: string): string {
  core.setSecret(token)
  secrets.add(token)
  return token
}

/** One ID token from GitHub's OIDC endpoint, retried on transient failures, masked and registered. */
export async function fetchIdToken(audience: string | undefined, log?: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return taken(await requestIdTokenWithRetry(audience, log, env))
}

export interface IdTokenSource {
  /** A fresh token for the audience (masked in the log) */
  get(audience: string): Promise<string>
  /** Claims of the most recent token, for error messages */
  lastClaims(): ShownClaims | undefined
}

/**
 * Token source backed by GitHub's OIDC endpoint; logs the decoded claims of the first token in a group. With
 * `prefetch` (an audience, or a token already asked for), the first token for that audience travels while the
 * cloud's code loads; the first get() for the audience takes it, every later one fetches a fresh token as before.
 */
export function githubIdTokens(log: Logger, needFor: string, prefetch?: string | PrefetchedIdToken): IdTokenSource {
  let claims: ShownClaims | undefined
  let prefetched = typeof prefetch === 'string' ? (hasOidcEnvironment() ? prefetchIdToken(prefetch) : undefined) : prefetch
  const fetchFor = async (audience: string): Promise<string> => {
    if (!prefetched || prefetched.audience !== audience) return fetchIdToken(audience, log)
    const { token, log: held } = prefetched
    prefetched = undefined
    try {
      return taken(await token)
    } finally {
      // The warnings of its retries, if it needed any, in the order they happened.
      await held.tell(log)
    }
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
