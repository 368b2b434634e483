// Workload identity federation's two calls over node:http: Google STS exchanges the GitHub ID token for a
// federated token (RFC 8693, a form POST), and IAM Credentials' generateAccessToken turns that into the
// service account's access token. These are the calls google-auth-library's external account client makes;
// spoken here they can go while the SDKs load (head-start.ts). The client then starts from the token, and
// asks for the next one itself. Failures take that library's shape (status, config.url, its message), so
// auth.ts judges both alike.
import type { Agent } from 'node:http'
import { exchangeAhead, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { excerpt, exchange, jsonObject } from '../../base/http-exchange.js'
import { TOKEN_EXCHANGE_TIMEOUT_MS } from '../../base/retry.js'
import { outboundAgents } from '../../net/outbound.js'
import { USER_AGENT } from '../../version.js'
import { gcpEndpoints } from './endpoints.js'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

/** The access token as google-auth-library's clients hold one; `federated` is STS's token, when impersonating. */
export interface GoogleAccessToken {
  access_token: string
  expiry_date: number
  federated?: string
}

/**
 * Google refused or failed: `status` is the HTTP status, `config.url` where, as in google-auth-library's
 * errors. `federated` is STS's token when generateAccessToken failed: a secret the taker registers, since
 * a service may echo the request, bearer token and all, in its error.
 */
export class GoogleTokenError extends Error {
  readonly config: { url: string }
  constructor(
    message: string,
    readonly status: number,
    url: string,
    readonly federated?: string
  ) {
    super(message)
    this.name = 'GoogleTokenError'
    this.config = { url }
  }
}

export interface FederationRequest {
  /** projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  provider: string
  /** Impersonated when given */
  serviceAccount?: string
  /** The GitHub ID token */
  subjectToken: string
  env?: NodeJS.ProcessEnv
  agentFor?: (url: URL) => Agent | undefined
}

async function post(url: string, body: string, headers: Record<string, string>, agentFor: FederationRequest['agentFor']) {
  const answer = await exchange({ method: 'POST', url, headers: { Accept: 'application/json', 'User-Agent': USER_AGENT, ...headers }, body, timeoutMs: TOKEN_EXCHANGE_TIMEOUT_MS, agentFor }).catch((error: unknown) => {
    // No answer (a dropped connection, a timeout): still say where, as the library's errors do.
    throw Object.assign(error as Error, { config: { url } })
  })
  return { answer, body: jsonObject(answer.body) }
}

export async function federatedAccessToken(request: FederationRequest): Promise<GoogleAccessToken> {
  const endpoints = gcpEndpoints(request.env)
  const stsUrl = `${endpoints.sts}/v1/token`
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: `//iam.googleapis.com/${request.provider}`,
    scope: CLOUD_PLATFORM_SCOPE,
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: request.subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt'
  })
  const sts = await post(stsUrl, form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' }, request.agentFor)
  const field = (body: Record<string, unknown> | undefined, key: string) => (typeof body?.[key] === 'string' ? (body[key] as string) : undefined)
  if (sts.answer.status < 200 || sts.answer.status > 299) {
    // google-auth-library's wording of an OAuth error answer.
    const code = field(sts.body, 'error')
    const description = field(sts.body, 'error_description')
    const message = code ? `Error code ${code}${description !== undefined ? `: ${description}` : ''}` : `Request failed with status code ${sts.answer.status}: ${excerpt(sts.answer.body, 300)}`
    throw new GoogleTokenError(message, sts.answer.status, stsUrl)
  }
  const federated = field(sts.body, 'access_token')
  if (!federated) throw new GoogleTokenError('Google STS returned no access token', sts.answer.status, stsUrl)
  if (!request.serviceAccount) return { access_token: federated, expiry_date: Date.now() + Number(sts.body?.['expires_in'] ?? 3600) * 1000 }

  const iamUrl = `${endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${request.serviceAccount}:generateAccessToken`
  const iam = await post(iamUrl, JSON.stringify({ scope: [CLOUD_PLATFORM_SCOPE], lifetime: '3600s' }), { 'Content-Type': 'application/json', Authorization: `Bearer ${federated}` }, request.agentFor)
  if (iam.answer.status < 200 || iam.answer.status > 299) {
    const error = iam.body?.['error'] as { message?: unknown } | undefined
    const message = typeof error?.message === 'string' ? error.message : `Request failed with status code ${iam.answer.status}`
    throw new GoogleTokenError(message, iam.answer.status, iamUrl, federated)
  }
  const accessToken = field(iam.body, 'accessToken')
  const expireTime = field(iam.body, 'expireTime')
  if (!accessToken || !expireTime) throw new GoogleTokenError('generateAccessToken returned no access token', iam.answer.status, iamUrl, federated)
  return { access_token: accessToken, expiry_date: new Date(expireTime).getTime(), federated }
}

/** Federates as soon as the first ID token is there (head-start.ts); auth.ts takes the outcome. */
export function federateAhead(provider: string, serviceAccount: string | undefined, token: Promise<string>, env: NodeJS.ProcessEnv = process.env): ExchangeAhead<GoogleAccessToken> {
  return exchangeAhead(token, (subjectToken) => federatedAccessToken({ provider, serviceAccount, subjectToken, env, agentFor: outboundAgents(env)?.for }))
}
