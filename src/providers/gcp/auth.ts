// Google credentials. With gcp-workload-identity-provider: GitHub OIDC → Google STS token exchange →
// optional generateAccessToken as gcp-service-account, through google-auth-library's external account
// client, whose subject token supplier asks for a fresh GitHub ID token on every exchange. Without it:
// Application Default Credentials, so the action composes with google-github-actions/auth.
import { GoogleAuth, IdentityPoolClient, type AuthClient } from 'google-auth-library'
import type { GcpSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { Identity } from '../../engine/provider.js'
import { retry, TOKEN_EXCHANGE_RETRY } from '../../base/retry.js'
import { secrets } from '../../base/secrets.js'
import { isHttpExchangeError } from '../../base/http-exchange.js'
import { outboundAgents } from '../../net/outbound.js'
import { formatClaims, type ShownClaims } from '../../oidc/claims.js'
import { gcpAudience } from '../../oidc/audiences.js'
import { isIdTokenFailure, type IdTokenSource } from '../../oidc/id-token.js'
import type { GcpEndpoints } from './endpoints.js'
import { FirstExchange, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { CLOUD_PLATFORM_SCOPE, type GoogleAccessToken, type GoogleTokenError } from './token-exchange.js'

export { CLOUD_PLATFORM_SCOPE } from './token-exchange.js'
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

export class GcpAuthError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GcpAuthError'
  }
}

export interface GcpSession {
  client(): Promise<AuthClient>
  /** Obtains an access token (once) and says who the run acts as */
  identity(): Promise<Identity>
}

interface FailedCall {
  message: string
  name?: string
  status?: number
  code?: unknown
  config?: { url?: unknown }
}

// Only throttling, server errors and dropped connections can go away on their own.
export function isTransientGoogleFailure(error: unknown): boolean {
  const e = error as FailedCall
  if (isIdTokenFailure(e)) return false
  if (typeof e.status === 'number') return e.status === 429 || e.status >= 500
  // The exchanges sent ahead (token-exchange.ts) fail without an answer as the action's own HTTP does.
  if (isHttpExchangeError(error)) return error.timedOut || DROPPED.includes(String((error.cause as { code?: unknown } | undefined)?.code))
  return typeof e.code === 'string' && DROPPED.includes(e.code)
}
const DROPPED = ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']

/**
 * Every token the client obtains is registered before anything could print it: the access tokens it reports,
 * and any bearer token it sends, which includes the federated STS token that only travels to
 * generateAccessToken.
 */
function maskTokens(client: AuthClient): AuthClient {
  routeThroughProxy(client)
  client.on('tokens', (tokens) => secrets.add(tokens.access_token))
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      const authorization = config.headers?.get?.('authorization')
      if (authorization?.startsWith('Bearer ')) secrets.add(authorization.slice('Bearer '.length))
      return config
    }
  })
  return client
}

/**
 * With a proxy configured, every request of the client goes through the run's proxy-aware agents: its own
 * transport (Compute, Cloud DNS, generateAccessToken) and the separate one its STS exchange uses. An agent
 * given this way also stops gaxios from applying its own reading of the proxy variables.
 */
function routeThroughProxy(client: AuthClient): void {
  const agents = outboundAgents()
  if (!agents) return
  const agent = (url: URL) => agents.for(url)
  const sts = (client as unknown as { stsCredential?: { transporter?: AuthClient['transporter'] } }).stsCredential?.transporter
  for (const transporter of [client.transporter, sts]) if (transporter) transporter.defaults = { ...transporter.defaults, agent }
}

/** The parts of the provider resource name the hints need. */
function providerParts(provider: string): { number: string; pool: string } {
  const match = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\//.exec(provider)
  return { number: match?.[1] ?? 'PROJECT_NUMBER', pool: match?.[2] ?? 'POOL' }
}

/** A condition that would admit this token: the likely fix when the provider's condition rejected it. */
function likelyCondition(claims: ShownClaims): string {
  return claims.repository ? `assertion.repository == '${claims.repository}'` : `assertion.sub == '${claims.sub ?? ''}'`
}

function exchangeHint(provider: string, claims: ShownClaims | undefined): string {
  const audience = gcpAudience(provider)
  if (!claims) return ` Check that ${provider} exists and is enabled.`
  return (
    ` The token carried: ${formatClaims(claims).join('; ')}.` +
    ` The provider ${provider} must list ${audience} among its allowed audiences (the default when none are set),` +
    ` and its attribute condition must accept these claims, for example: ${likelyCondition(claims)}.`
  )
}

function impersonationHint(settings: GcpSettings, claims: ShownClaims | undefined): string {
  const { number, pool } = providerParts(settings.workloadIdentityProvider ?? '')
  const member = claims?.repository
    ? `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}/attribute.repository/${claims.repository}`
    : `principal://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}/subject/${claims?.sub ?? 'SUBJECT'}`
  return ` Grant roles/iam.workloadIdentityUser on ${settings.serviceAccount} to ${member} (the attribute must be mapped in the provider, e.g. attribute.repository=assertion.repository).`
}

/** The projects the run acts in, each with its part when a Shared VPC layout spreads them; else the one project. */
export function projectsOf(settings: GcpSettings): string {
  const parts: [string, string][] = [
    [settings.endpointProjectId, 'endpoint'],
    [settings.networkProjectId, 'network'],
    [settings.dnsProjectId, 'DNS']
  ]
  const projects = [...new Set(parts.map(([project]) => project))]
  if (projects.length === 1) return projects[0] ?? settings.projectId
  return projects.map((project) => `${project} (${parts.filter(([p]) => p === project).map(([, part]) => part).join(', ')})`).join('; ')
}

function workloadIdentitySession(settings: GcpSettings, tokens: IdTokenSource, log: Logger, endpoints: GcpEndpoints, ahead?: ExchangeAhead<GoogleAccessToken>): GcpSession {
  const provider = settings.workloadIdentityProvider as string
  const account = settings.serviceAccount
  const impersonationUrl = account ? `${endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${account}:generateAccessToken` : undefined
  // The ID token's audience is the provider's default allowed audience; STS takes the provider itself.
  const idTokenAudience = gcpAudience(provider)
  const client = maskTokens(
    new IdentityPoolClient({
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: `${endpoints.sts}/v1/token`,
      ...(impersonationUrl ? { service_account_impersonation_url: impersonationUrl } : {}),
      subject_token_supplier: { getSubjectToken: () => tokens.get(idTokenAudience) },
      scopes: [CLOUD_PLATFORM_SCOPE]
    })
  )

  const explain = (error: unknown): Error => {
    const e = error as FailedCall
    if (isIdTokenFailure(e)) return e as Error
    const claims = tokens.lastClaims()
    // gaxios keeps the URL as a string or a URL object.
    const failedAt = e.config?.url ? String(e.config.url) : ''
    if (impersonationUrl && failedAt.startsWith(endpoints.iamCredentials)) {
      return new GcpAuthError(`Google STS accepted the GitHub ID token, but impersonating ${account} failed: ${e.message.replace(/\.+$/, '')}.${impersonationHint(settings, claims)}`)
    }
    return new GcpAuthError(`Google STS refused the GitHub ID token for ${provider}: ${e.message.replace(/\.+$/, '')}.${exchangeHint(provider, claims)}`)
  }

  // The first attempt may take the head start's outcome; the client then starts from that access token and
  // federates again by itself.
  const first = new FirstExchange(ahead)
  const firstAttempt = async (): Promise<unknown> => {
    const got = await first.take(await tokens.get(idTokenAudience)).catch((error: unknown) => {
      secrets.add((error as GoogleTokenError).federated)
      throw error
    })
    if (!got) return client.getAccessToken()
    secrets.add(got.federated)
    secrets.add(got.access_token)
    client.setCredentials({ access_token: got.access_token, expiry_date: got.expiry_date })
    return got
  }
  let connected: Promise<Identity> | undefined
  const connect = async (): Promise<Identity> => {
    await retry(() => (first.pending ? firstAttempt() : client.getAccessToken()), {
      ...TOKEN_EXCHANGE_RETRY,
      isRetryable: isTransientGoogleFailure,
      onRetry: (error, attempt, delay) =>
        log.warning(`Google token exchange attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms with a fresh ID token`)
    }).catch((error: unknown) => {
      connected = undefined
      throw explain(error)
    })
    const { number, pool } = providerParts(provider)
    const subject = tokens.lastClaims()?.sub ?? ''
    return {
      principal: account ?? `principal://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}/subject/${subject}`,
      account: projectsOf(settings),
      method: account ? `GitHub OIDC → Google STS → generateAccessToken as ${account}` : 'GitHub OIDC → Google STS (direct workload identity federation)'
    }
  }

  return {
    client: async () => client,
    identity: () => (connected ??= connect())
  }
}

/** Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS (as google-github-actions/auth sets it), gcloud, or the metadata server. */
function applicationDefaultSession(settings: GcpSettings, log: Logger): GcpSession {
  // With the project given, the library does not look it up through Cloud Resource Manager.
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], projectId: settings.projectId })
  let client: Promise<AuthClient> | undefined
  const getClient = () => (client ??= auth.getClient().then((c) => maskTokens(c as AuthClient)))
  let connected: Promise<Identity> | undefined

  const connect = async (): Promise<Identity> => {
    try {
      const c = await getClient()
      await retry(() => c.getAccessToken(), {
        ...TOKEN_EXCHANGE_RETRY,
        isRetryable: isTransientGoogleFailure,
        onRetry: (error, attempt, delay) => log.warning(`Getting a Google access token failed (${(error as Error).message}); attempt ${attempt}, retrying in ${delay} ms`)
      })
    } catch (error) {
      client = undefined
      connected = undefined
      throw new GcpAuthError(
        `No usable Google credentials: ${(error as Error).message}. Set gcp-workload-identity-provider to use GitHub OIDC, or run google-github-actions/auth before this step.`
      )
    }
    const email = await auth.getCredentials().then(
      (c) => c.client_email,
      () => undefined
    )
    return { principal: email ?? 'Application Default Credentials', account: projectsOf(settings), method: 'Application Default Credentials (no gcp-workload-identity-provider)' }
  }

  return { client: getClient, identity: () => (connected ??= connect()) }
}

export function gcpSession(settings: GcpSettings, tokens: IdTokenSource, log: Logger, endpoints: GcpEndpoints, ahead?: ExchangeAhead<GoogleAccessToken>): GcpSession {
  return settings.workloadIdentityProvider ? workloadIdentitySession(settings, tokens, log, endpoints, ahead) : applicationDefaultSession(settings, log)
}
