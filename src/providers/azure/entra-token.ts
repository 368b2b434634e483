// Microsoft Entra's token endpoint for a federated credential: OAuth 2.0 client credentials whose client
// assertion is the GitHub ID token (Microsoft identity platform, "client credentials flow", the third case:
// client_assertion with client_assertion_type jwt-bearer). One form POST and a JSON answer over node:http,
// so it needs no MSAL: it can go out while the SDKs load (head-start.ts), and a run that signs in this way
// never loads @azure/identity. A refusal keeps Entra's own description, whose AADSTS code auth.ts judges.
import type { Agent } from 'node:http'
import { exchangeAhead, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { excerpt, exchange, jsonObject } from '../../base/http-exchange.js'
import { TOKEN_EXCHANGE_TIMEOUT_MS } from '../../base/retry.js'
import { outboundAgents } from '../../net/outbound.js'
import { USER_AGENT } from '../../version.js'
import { AZURE_ENDPOINTS_ENV, parseEndpointOverrides, redirect } from './endpoint-overrides.js'

/** The public cloud's login; AZURE_AUTHORITY_HOST names a national cloud's, as it does for @azure/identity. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com'
export const ARM_SCOPE = 'https://management.azure.com/.default'

export interface EntraToken {
  token: string
  expiresOnTimestamp: number
}

/** Entra answered with an error: `message` is its error_description (AADSTS code first), else the error. */
export class EntraTokenError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly error?: string
  ) {
    super(message)
    this.name = 'AuthenticationError'
  }
}

export interface ClientAssertionRequest {
  tenantId: string
  clientId: string
  scopes: string[]
  /** The GitHub ID token */
  assertion: string
  /** A claims challenge from ARM, passed on as Entra's `claims` parameter */
  claims?: string
  env?: NodeJS.ProcessEnv
  agentFor?: (url: URL) => Agent | undefined
}

/** Where the token request goes: the authority host's tenant endpoint, through ZILLIZ_PL_AZURE_ENDPOINTS. */
export function tokenEndpoint(tenantId: string, env: NodeJS.ProcessEnv = process.env): URL {
  const authority = (env['AZURE_AUTHORITY_HOST'] || DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '')
  const url = `${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`
  return redirect(url, parseEndpointOverrides(env[AZURE_ENDPOINTS_ENV])) ?? new URL(url)
}

export async function requestEntraToken(request: ClientAssertionRequest): Promise<EntraToken> {
  const form = new URLSearchParams({
    client_id: request.clientId,
    scope: request.scopes.join(' '),
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: request.assertion
  })
  if (request.claims) form.set('claims', request.claims)
  const answer = await exchange({
    method: 'POST',
    url: tokenEndpoint(request.tenantId, request.env),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': USER_AGENT },
    body: form.toString(),
    timeoutMs: TOKEN_EXCHANGE_TIMEOUT_MS,
    agentFor: request.agentFor
  })
  const body = jsonObject(answer.body)
  const text = (key: string) => (typeof body?.[key] === 'string' ? (body[key] as string) : undefined)
  if (answer.status < 200 || answer.status > 299) {
    const error = text('error')
    throw new EntraTokenError(text('error_description') || error || `HTTP ${answer.status}: ${excerpt(answer.body, 300) || answer.statusText}`, answer.status, error)
  }
  const token = text('access_token')
  const expiresIn = Number(body?.['expires_in'])
  if (!token || !Number.isFinite(expiresIn)) throw new EntraTokenError('Entra returned no access token', answer.status)
  return { token, expiresOnTimestamp: Date.now() + expiresIn * 1000 }
}

/** Asks Entra for the ARM token as soon as the first ID token is there (head-start.ts); auth.ts takes the outcome. */
export function signInAhead(tenantId: string, clientId: string, token: Promise<string>, env: NodeJS.ProcessEnv = process.env): ExchangeAhead<EntraToken> {
  return exchangeAhead(token, (assertion) => requestEntraToken({ tenantId, clientId, scopes: [ARM_SCOPE], assertion, env, agentFor: outboundAgents(env)?.for }))
}
