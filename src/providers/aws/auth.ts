// AWS credentials: GitHub OIDC → AssumeRoleWithWebIdentity with a fresh ID token per attempt, or the
// SDK's ambient chain (so the action composes with aws-actions/configure-aws-credentials).
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import type { AwsSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { Identity } from '../../engine/provider.js'
import { retry, TOKEN_EXCHANGE_RETRY } from '../../base/retry.js'
import { secrets } from '../../base/secrets.js'
import { formatClaims } from '../../oidc/claims.js'
import { AWS_AUDIENCE } from '../../oidc/audiences.js'
import { isIdTokenFailure, type IdTokenSource } from '../../oidc/id-token.js'
import { outboundAgents } from '../../net/outbound.js'
import { USER_AGENT } from '../../version.js'
import { awsRequestHandler } from './request-handler.js'
import { FirstExchange, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { assumeRoleWithWebIdentity, type RoleSession } from './web-identity.js'


// What STS says may go away by asking again (AssumeRoleWithWebIdentity, Errors): IDPCommunicationError, and
// InvalidIdentityToken when STS could not fetch the provider's signing keys; besides throttling and 5xx.
const TRANSIENT_STS_CODES = new Set(['IDPCommunicationError', 'IDPCommunicationErrorException', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'ServiceUnavailable', 'InternalFailure', 'InternalError'])
const VERIFICATION_KEY_UNAVAILABLE = /couldn't retrieve verification key/i

export class AwsAuthError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AwsAuthError'
  }
}

export interface AwsSession {
  credentials?: AwsCredentialIdentityProvider
  identity(): Promise<Identity>
  /** Whom AWS evaluates calls for (the assumed role's session ARN), once known */
  principal(): string | undefined
}

/**
 * Retried: STS's transient codes, any 5xx, and failures that never reached STS (a dropped connection, a
 * GitHub token endpoint hiccup). Never retried: a missing ID token and every refusal (AccessDenied, a token
 * whose audience or subject the role does not trust, IDPRejectedClaim, ExpiredToken, ValidationError).
 */
export function isRetryableSts(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const name = e.name ?? ''
  if (isIdTokenFailure(error) || name === 'AwsAuthError') return false
  if (TRANSIENT_STS_CODES.has(name)) return true
  if (name.startsWith('InvalidIdentityToken')) return VERIFICATION_KEY_UNAVAILABLE.test(e.message ?? '')
  const status = e.$metadata?.httpStatusCode
  if (status === undefined) return true
  return status >= 500 || status === 429
}

function trustHint(roleArn: string, tokens: IdTokenSource): string {
  const claims = tokens.lastClaims()
  if (!claims) return ''
  return (
    ` The token carried: ${formatClaims(claims).join('; ')}.` +
    ` The trust policy of ${roleArn} must allow ${AWS_AUDIENCE} as "token.actions.githubusercontent.com:aud"` +
    ` and match "token.actions.githubusercontent.com:sub" against ${claims.sub ?? 'the sub above'}.`
  )
}

/** Web-identity session: one STS exchange shared by every client, renewed when near expiry. */
function webIdentitySession(settings: AwsSettings, roleArn: string, tokens: IdTokenSource, log: Logger, ahead?: ExchangeAhead<RoleSession>): AwsSession {
  let current: Promise<AwsCredentialIdentity & { principal: string }> | undefined
  let expiresAt = 0
  let principal: string | undefined

  // The first attempt may take the head start's outcome; every other attempt asks STS itself.
  const first = new FirstExchange(ahead)
  const exchange = async (token: string): Promise<RoleSession> =>
    (await first.take(token)) ??
    assumeRoleWithWebIdentity({ region: settings.region, roleArn, sessionName: settings.roleSessionName, durationSeconds: settings.roleDurationSeconds, token, agentFor: outboundAgents()?.for })

  const assume = () =>
    retry(
      async () => {
        const c = await exchange(await tokens.get(AWS_AUDIENCE))
        secrets.add(c.secretAccessKey)
        secrets.add(c.sessionToken)
        principal = c.principal ?? roleArn
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration, principal }
      },
      {
        ...TOKEN_EXCHANGE_RETRY,
        isRetryable: isRetryableSts,
        onRetry: (error, attempt, delay) =>
          log.warning(`AssumeRoleWithWebIdentity attempt ${attempt} failed (${(error as Error).name}); retrying in ${delay} ms with a fresh ID token`)
      }
    ).catch((error: unknown) => {
      current = undefined
      const e = error as Error
      if (e instanceof AwsAuthError || isIdTokenFailure(e)) throw e
      throw new AwsAuthError(`Could not assume ${roleArn} with the GitHub ID token: sts:AssumeRoleWithWebIdentity failed (${e.name}): ${e.message}.${trustHint(roleArn, tokens)}`)
    })

  const fresh = () => {
    // Renew five minutes before expiry so no call is made with credentials about to lapse.
    if (!current || Date.now() > expiresAt - 5 * 60_000) {
      current = assume()
      current.then((c) => (expiresAt = c.expiration?.getTime() ?? Infinity)).catch(() => undefined)
    }
    return current
  }

  return {
    credentials: async () => {
      const { principal: _principal, ...creds } = await fresh()
      return creds
    },
    async identity() {
      const c = await fresh()
      return { principal: c.principal, account: c.principal.split(':')[4] ?? '', method: 'GitHub OIDC → sts:AssumeRoleWithWebIdentity' }
    },
    principal: () => principal
  }
}

/** Ambient session: whatever the SDK's default chain finds; the identity comes from GetCallerIdentity. */
function ambientSession(settings: AwsSettings): AwsSession {
  let principal: string | undefined
  return {
    principal: () => principal,
    async identity() {
      // Loaded only here: runs that assume a role with the GitHub ID token speak to STS without the SDK.
      const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts')
      const sts = new STSClient({ region: settings.region, customUserAgent: USER_AGENT, ...awsRequestHandler() })
      try {
        const me = await sts.send(new GetCallerIdentityCommand({}))
        principal = me.Arn
        return { principal: me.Arn ?? '', account: me.Account ?? '', method: 'ambient AWS credentials (no aws-role-arn)' }
      } catch (error) {
        const e = error as Error
        throw new AwsAuthError(
          `No usable AWS credentials: ${e.name}: ${e.message}. Set aws-role-arn to use GitHub OIDC, or run aws-actions/configure-aws-credentials before this step.`
        )
      }
    }
  }
}

export function awsSession(settings: AwsSettings, tokens: IdTokenSource, log: Logger, ahead?: ExchangeAhead<RoleSession>): AwsSession {
  return settings.roleArn ? webIdentitySession(settings, settings.roleArn, tokens, log, ahead) : ambientSession(settings)
}

/** The session of the role that holds the zones (aws-dns-role-arn), always through the GitHub OIDC token. */
export function awsDnsSession(settings: AwsSettings, roleArn: string, tokens: IdTokenSource, log: Logger): AwsSession {
  return webIdentitySession(settings, roleArn, tokens, log)
}

/**
 * Two exchanges, one GitHub ID token: the first request of each source gets the same token (STS accepts a
 * token until it expires, and GitHub is asked once instead of twice); every later request, a retry or a
 * renewal, fetches a fresh one as before.
 */
export function shareFirstIdToken(tokens: IdTokenSource): [IdTokenSource, IdTokenSource] {
  let first: { audience: string; token: Promise<string> } | undefined
  const source = (): IdTokenSource => {
    let used = false
    return {
      get(audience) {
        if (used) return tokens.get(audience)
        used = true
        if (!first || first.audience !== audience) first = { audience, token: tokens.get(audience) }
        const mine = first.token
        // A failed first fetch is not shared: the other source asks GitHub itself.
        mine.catch(() => (first = undefined))
        return mine
      },
      lastClaims: () => tokens.lastClaims()
    }
  }
  return [source(), source()]
}
