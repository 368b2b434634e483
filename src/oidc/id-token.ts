// Fetches GitHub OIDC ID tokens: one fresh token per cloud exchange, never cached across attempts.
import * as core from '@actions/core'
import type { Logger } from '../base/log.js'
import { secrets } from '../base/secrets.js'
import { decodeClaims, formatClaims, type ShownClaims } from './claims.js'
import { hasOidcEnvironment } from './environment.js'

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

export interface IdTokenSource {
  /** A fresh token for the audience (masked in the log by @actions/core) */
  get(audience: string): Promise<string>
  /** Claims of the most recent token, for error messages */
  lastClaims(): ShownClaims | undefined
}

/** Token source backed by @actions/core; logs the decoded claims of the first token in a group. */
export function githubIdTokens(log: Logger, needFor: string): IdTokenSource {
  let claims: ShownClaims | undefined
  return {
    async get(audience) {
      if (!hasOidcEnvironment()) throw new OidcUnavailableError(needFor)
      const token = await core.getIDToken(audience)
      secrets.add(token)
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
