// Azure credentials: an Entra client assertion that is a fresh GitHub ID token on every token request (so a
// long apply never presents an expired assertion), or the ambient DefaultAzureCredential chain (so the
// action composes with azure/login). Access tokens are masked as soon as they exist.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth'
import type { HttpClient } from '@azure/core-rest-pipeline'
import type { AzureSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { Identity } from '../../engine/provider.js'
import { retry, TOKEN_EXCHANGE_RETRY } from '../../base/retry.js'
import { secrets } from '../../base/secrets.js'
import { formatClaims } from '../../oidc/claims.js'
import { AZURE_AUDIENCE } from '../../oidc/audiences.js'
import { isIdTokenFailure, type IdTokenSource } from '../../oidc/id-token.js'
import { outboundAgents } from '../../net/outbound.js'
import { USER_AGENT } from '../../version.js'
import { FirstExchange, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { ARM_SCOPE, requestEntraToken, type EntraToken } from './entra-token.js'

export { ARM_SCOPE } from './entra-token.js'
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export class AzureAuthError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AzureAuthError'
  }
}

export interface AzureSession {
  credential: TokenCredential
  identity(): Promise<Identity>
}

// Entra's own words on which errors go away by asking again (Microsoft Entra authentication and authorization
// error codes, https://learn.microsoft.com/entra/identity-platform/reference-error-codes): 90024
// RequestBudgetExceededError and 90033 MsodsServiceUnavailable ("a transient error has occurred, try again"),
// 90006 ExternalServerRetryableError, 90055 TenantThrottlingError. And 700024, an assertion outside its valid
// time range: every attempt presents a freshly fetched GitHub ID token, so a slow runner gets a new one.
const TRANSIENT_AADSTS = new Set([90006, 90024, 90033, 90055, 700024])
// Refusals the federated credential explains: no record matches the assertion's issuer, audience or subject.
const FEDERATION_REFUSALS = new Set([70021, 700211, 700212, 700213])
// Refusals that name the wrong tenant or client.
const UNKNOWN_TENANT = new Set([90002, 900023])
const UNKNOWN_CLIENT = new Set([700016])

/** The AADSTS code in an Entra error, if it has one. */
export function aadstsCode(error: unknown): number | undefined {
  const match = /AADSTS(\d+)/.exec((error as Error)?.message ?? '')
  return match ? Number(match[1]) : undefined
}

/**
 * Throttling, server errors, timeouts, dropped connections and Entra's transient codes are retried; any other
 * AADSTS answer is a refusal that asking again cannot change, and a missing ID token stays missing.
 */
export function isRetryableAuth(error: unknown): boolean {
  const e = error as Error
  if (isIdTokenFailure(e) || ['CredentialUnavailableError', 'AzureAuthError'].includes(e.name)) return false
  const code = aadstsCode(error)
  return code === undefined || TRANSIENT_AADSTS.has(code)
}

function federationHint(settings: AzureSettings, tokens: IdTokenSource): string {
  const claims = tokens.lastClaims()
  if (!claims) return ''
  return (
    ` The token carried: ${formatClaims(claims).join('; ')}.` +
    ` The app ${settings.clientId} needs a federated credential with issuer ${claims.iss ?? GITHUB_ISSUER},` +
    ` audience ${AZURE_AUDIENCE} and subject "${claims.sub ?? 'the sub above'}" exactly (Entra compares it character by character).`
  )
}

/** Hints only for the refusals whose cause is known: the federated credential, the tenant, the client. */
function refusalHint(error: unknown, settings: AzureSettings, tokens: IdTokenSource): string {
  const code = aadstsCode(error)
  if (code === undefined) return ''
  if (FEDERATION_REFUSALS.has(code)) return federationHint(settings, tokens)
  if (UNKNOWN_TENANT.has(code)) return ` Check azure-tenant-id: ${settings.tenantId} is not a tenant Entra knows.`
  if (UNKNOWN_CLIENT.has(code)) return ` Check azure-client-id: ${settings.clientId} is not an application or managed identity of tenant ${settings.tenantId}.`
  return ''
}

/** First line of an Entra error without MSAL's trace and correlation lines. */
function entraMessage(error: Error): string {
  return (error.message ?? String(error)).split(/\r?\n|\s+Trace ID:/)[0]?.trim() ?? ''
}

/** Decoded claims of an access token, for the identity line; the token itself is never shown. */
function accessTokenClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** Renew this long before expiry, so no ARM call goes out with a token about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000

interface SharedOptions {
  /** A new credential; a retry gets a new one because MSAL remembers a 429/5xx and refuses to ask again for 60 s */
  create(): TokenCredential
  isRetryable(error: unknown): boolean
  /** Turns the final failure into the error the run reports */
  explain(error: unknown): Error
  log: Logger
}

/**
 * The credential every client shares: one token per scope until it nears expiry (the network and DNS
 * clients would otherwise each ask Entra, and concurrent asks share one request), retried on a new
 * credential, and masked in the log.
 */
function shared(options: SharedOptions): TokenCredential {
  const cache = new Map<string, AccessToken>()
  const asking = new Map<string, Promise<AccessToken>>()
  let credential = options.create()
  const request = async (key: string, scopes: string | string[], getOptions?: GetTokenOptions): Promise<AccessToken> => {
    const token = await retry(
      async (attempt) => {
        if (attempt > 1) credential = options.create()
        const got = await credential.getToken(scopes, getOptions)
        if (!got) throw new AzureAuthError('Entra returned no access token')
        return got
      },
      {
        ...TOKEN_EXCHANGE_RETRY,
        isRetryable: options.isRetryable,
        onRetry: (error, attempt, delay) =>
          options.log.warning(`Entra token request ${attempt} failed (${entraMessage(error as Error)}); retrying in ${delay} ms with a fresh ID token`)
      }
    ).catch((error: unknown) => {
      throw options.explain(error)
    })
    secrets.add(token.token)
    cache.set(key, token)
    return token
  }
  return {
    getToken(scopes: string | string[], getOptions?: GetTokenOptions): Promise<AccessToken> {
      const key = [scopes].flat().join(' ')
      // A claims challenge asks for a token of its own.
      if (getOptions?.claims) return request(key, scopes, getOptions)
      const cached = cache.get(key)
      if (cached && cached.expiresOnTimestamp - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(cached)
      const known = asking.get(key)
      if (known) return known
      const asked = request(key, scopes, getOptions).finally(() => asking.delete(key))
      asking.set(key, asked)
      return asked
    }
  }
}

/**
 * The client assertion flow over node:http (entra-token.ts): each attempt presents a fresh GitHub ID token.
 * The first attempt takes the head start's outcome, success or refusal, when it asked for the ARM token
 * with the very token that attempt presents.
 */
function federatedSession(settings: AzureSettings, tokens: IdTokenSource, log: Logger, ahead?: ExchangeAhead<EntraToken>): AzureSession {
  const tenantId = settings.tenantId as string
  const clientId = settings.clientId as string
  // Kept to report as it is: a token that could not be had is not Entra's refusal.
  let oidcFailure: Error | undefined
  const assertion = async () => {
    try {
      return await tokens.get(AZURE_AUDIENCE)
    } catch (error) {
      oidcFailure = error as Error
      throw error
    }
  }
  // Only the plain ARM token was asked for ahead.
  const first = new FirstExchange(ahead)
  const signIn = async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> => {
    const wanted = [scopes].flat()
    const token = await assertion()
    const started = !options?.claims && wanted.join(' ') === ARM_SCOPE ? await first.take(token) : undefined
    return (
      started ??
      requestEntraToken({ tenantId, clientId, scopes: wanted, assertion: token, claims: options?.claims, agentFor: outboundAgents()?.for })
    )
  }
  const credential = shared({
    create: () => ({ getToken: signIn }),
    isRetryable: (error) => !oidcFailure && isRetryableAuth(error),
    explain: (error) =>
      oidcFailure ??
      new AzureAuthError(
        `Could not sign in to Entra tenant ${tenantId} as client ${clientId} with the GitHub ID token: ${entraMessage(error as Error)}.${refusalHint(error, settings, tokens)}`
      ),
    log
  })
  return {
    credential,
    async identity() {
      const claims = accessTokenClaims((await credential.getToken(ARM_SCOPE))?.token ?? '')
      const objectId = typeof claims['oid'] === 'string' ? `, object ${claims['oid']}` : ''
      return {
        principal: `client ${clientId} (tenant ${tenantId}${objectId})`,
        account: settings.subscriptionId,
        method: 'GitHub OIDC → Entra federated credential (client assertion)'
      }
    }
  }
}

function ambientSession(settings: AzureSettings, log: Logger, httpClient: HttpClient): AzureSession {
  // @azure/identity (with MSAL, half the Azure code) is loaded only for ambient credentials.
  const load = import('@azure/identity')
  load.catch(() => undefined)
  const credential = shared({
    create: () => lazyCredential(load.then(({ DefaultAzureCredential }) => new DefaultAzureCredential({ httpClient, userAgentOptions: { userAgentPrefix: USER_AGENT } }))),
    // The chain already tried every source it knows; asking it again only repeats the same answers.
    isRetryable: (error) => isRetryableAuth(error) && (error as Error).name !== 'AggregateAuthenticationError',
    explain: (error) =>
      new AzureAuthError(
        `No usable Azure credentials: ${entraMessage(error as Error)}. Set azure-tenant-id and azure-client-id to sign in with GitHub OIDC, or run azure/login before this step.`
      ),
    log
  })
  return {
    credential,
    async identity() {
      const claims = accessTokenClaims((await credential.getToken(ARM_SCOPE))?.token ?? '')
      const who = [claims['upn'], claims['unique_name'], claims['appid'], claims['oid']].find((v): v is string => typeof v === 'string')
      return {
        principal: who ?? 'the ambient Azure identity',
        account: settings.subscriptionId,
        method: 'ambient Azure credentials (DefaultAzureCredential; no azure-client-id)'
      }
    }
  }
}

/** A credential whose implementation is still loading. */
function lazyCredential(made: Promise<TokenCredential>): TokenCredential {
  return { getToken: async (scopes, options) => (await made).getToken(scopes, options) }
}

export function azureSession(settings: AzureSettings, tokens: IdTokenSource, log: Logger, httpClient: HttpClient, ahead?: ExchangeAhead<EntraToken>): AzureSession {
  return settings.tenantId && settings.clientId ? federatedSession(settings, tokens, log, ahead) : ambientSession(settings, log, httpClient)
}
