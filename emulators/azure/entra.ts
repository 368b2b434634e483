// Microsoft Entra ID's v2 token endpoint for the client credentials grant: a client assertion (a GitHub ID
// token checked against the app's federated credentials and the OIDC emulator's key) or a client secret.
// Errors carry Entra's AADSTS codes in OAuth error bodies, as MSAL expects them.
import { randomUUID } from 'node:crypto'
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import { IdTokenError, type OidcEmulator } from '../oidc.js'
import { ARM_RESOURCE, type AccessTokens } from './access-tokens.js'

export const ASSERTION_AUDIENCE = 'api://AzureADTokenExchange'
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** The host MSAL is given; links in discovery documents point at it so clients stay on real URLs. */
export const LOGIN_HOST = 'login.microsoftonline.com'

const ARM_SCOPES = new Set([`${ARM_RESOURCE}/.default`, `${ARM_RESOURCE}//.default`, 'https://management.core.windows.net//.default'])

export interface FederatedCredential {
  issuer: string
  subject: string
  audiences: string[]
}

export interface EntraApp {
  tenantId: string
  clientId: string
  /** Object id of the app's service principal: what role assignments name */
  objectId: string
  displayName: string
  federatedCredentials: FederatedCredential[]
  secrets: string[]
}

export interface EntraOptions {
  /** Lifetime of issued access tokens (Entra: about an hour) */
  accessTokenLifetimeSeconds?: number
}

/** One token request as received, for tests: which client, and the assertion it presented. */
export interface PresentedAssertion {
  clientId: string
  assertion: string
  accepted: boolean
}

class EntraFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    message: string
  ) {
    super(message)
  }
}

const json = (status: number, body: unknown): EmulatorResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID() },
  body: JSON.stringify(body)
})

function decodeClaims(assertion: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    throw new EntraFailure(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.')
  }
}

const audiencesOf = (claims: Record<string, unknown>) => (Array.isArray(claims['aud']) ? (claims['aud'] as string[]) : [String(claims['aud'])])
const NO_MATCH = 'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation'

export class EntraEmulator implements Service {
  readonly name = 'entra'
  readonly apps = new Map<string, EntraApp>()
  readonly presented: PresentedAssertion[] = []
  accessTokenLifetimeSeconds: number
  /** Retry-After on 429 and 5xx answers */
  retryAfterSeconds = 1

  constructor(
    private readonly oidc: OidcEmulator,
    private readonly tokens: AccessTokens,
    options: EntraOptions = {}
  ) {
    this.accessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 3599
  }

  addApp(app: EntraApp): void {
    this.apps.set(app.clientId.toLowerCase(), app)
  }

  /** Replaces the subject of the app's federated credentials (e.g. to make the workflow's sub not match). */
  setFederatedSubject(clientId: string, subject: string): void {
    const app = this.apps.get(clientId.toLowerCase())
    if (!app) throw new Error(`no app ${clientId}`)
    app.federatedCredentials = app.federatedCredentials.map((c) => ({ ...c, subject }))
  }

  classify(req: EmulatorRequest): Classified {
    const path = req.url.pathname
    if (req.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return { operation: 'GetToken', write: false }
    if (/^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(path)) return { operation: 'GetOpenIdConfiguration', write: false }
    if (path === '/common/discovery/instance') return { operation: 'InstanceDiscovery', write: false }
    return { operation: 'unknown', write: false }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    const tenant = req.url.pathname.split('/')[1] ?? ''
    try {
      switch (this.classify(req).operation) {
        case 'GetToken':
          return this.token(tenant, new URLSearchParams(req.body))
        case 'GetOpenIdConfiguration':
          this.tenantOrFail(tenant)
          return json(200, this.openIdConfiguration(tenant))
        case 'InstanceDiscovery':
          return json(200, this.instanceDiscovery(req))
        default:
          return this.errorResponse(404, 'not_found', `No route for ${req.method} ${req.url.pathname}`)
      }
    } catch (error) {
      if (error instanceof EntraFailure) return this.failure(error)
      throw error
    }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    const response = json(status, { error: code, error_description: message, error_codes: [], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() })
    // MSAL stops asking for as long as Retry-After says (60 s without one), so throttling answers carry a short one.
    if (status === 429 || status >= 500) response.headers = { ...response.headers, 'retry-after': String(this.retryAfterSeconds) }
    return response
  }

  private failure(f: EntraFailure): EmulatorResponse {
    const traceId = randomUUID()
    const correlationId = randomUUID()
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
    return json(f.status, {
      error: f.error,
      error_description: `AADSTS${f.aadsts}: ${f.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [f.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://${LOGIN_HOST}/error?code=${f.aadsts}`
    })
  }

  private tenantOrFail(tenant: string): void {
    if (![...this.apps.values()].some((a) => a.tenantId === tenant.toLowerCase()))
      throw new EntraFailure(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`)
  }

  private token(tenant: string, form: URLSearchParams): EmulatorResponse {
    this.tenantOrFail(tenant)
    const clientId = (form.get('client_id') ?? '').toLowerCase()
    const app = this.apps.get(clientId)
    if (!app || app.tenantId !== tenant.toLowerCase())
      throw new EntraFailure(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`)
    if (form.get('grant_type') !== 'client_credentials')
      throw new EntraFailure(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.`)
    const scope = form.get('scope') ?? ''
    const resourceScope = scope.split(' ').find((s) => s.endsWith('/.default'))
    if (!resourceScope || !ARM_SCOPES.has(resourceScope))
      throw new EntraFailure(400, 'invalid_scope', 500011, `The resource principal named ${scope} was not found in the tenant named ${tenant}.`)
    const assertion = form.get('client_assertion')
    if (assertion) this.checkAssertion(app, assertion, form.get('client_assertion_type'))
    else if (!app.secrets.includes(form.get('client_secret') ?? ''))
      throw new EntraFailure(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`)
    const { token } = this.tokens.issue({ tenantId: app.tenantId, clientId: app.clientId, objectId: app.objectId, resource: ARM_RESOURCE }, this.accessTokenLifetimeSeconds)
    return json(200, { token_type: 'Bearer', expires_in: this.accessTokenLifetimeSeconds, ext_expires_in: this.accessTokenLifetimeSeconds, access_token: token })
  }

  private checkAssertion(app: EntraApp, assertion: string, type: string | null): void {
    const record = { clientId: app.clientId, assertion, accepted: false }
    this.presented.push(record)
    if (type !== ASSERTION_TYPE) throw new EntraFailure(400, 'invalid_request', 50012, `Invalid client_assertion_type '${type ?? ''}'; expected '${ASSERTION_TYPE}'.`)
    const claims = decodeClaims(assertion)
    const byIssuer = app.federatedCredentials.filter((c) => c.issuer === claims['iss'])
    if (!byIssuer.length)
      throw new EntraFailure(400, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${String(claims['iss'])}'. ${NO_MATCH}`)
    const audiences = audiencesOf(claims)
    const byAudience = byIssuer.filter((c) => c.audiences.some((a) => audiences.includes(a)))
    if (!byAudience.length)
      throw new EntraFailure(400, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. ${NO_MATCH}`)
    const match = byAudience.find((c) => c.subject === claims['sub'])
    if (!match)
      throw new EntraFailure(
        400,
        'invalid_client',
        700213,
        `No matching federated identity record found for presented assertion subject '${String(claims['sub'])}'. ${NO_MATCH}`
      )
    try {
      this.oidc.verify(assertion, match.audiences.find((a) => audiences.includes(a)) as string)
    } catch (error) {
      if (!(error instanceof IdTokenError)) throw error
      if (error.reason === 'expired' || error.reason === 'not-yet-valid')
        throw new EntraFailure(400, 'invalid_client', 700024, `Client assertion is not within its valid time range. ${error.message}.`)
      if (error.reason === 'signature') throw new EntraFailure(400, 'invalid_client', 700027, `Client assertion failed signature validation. ${error.message}.`)
      throw new EntraFailure(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.')
    }
    record.accepted = true
  }

  private openIdConfiguration(tenant: string): Record<string, unknown> {
    const base = `https://${LOGIN_HOST}/${tenant}`
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com'
    }
  }

  private instanceDiscovery(req: EmulatorRequest): Record<string, unknown> {
    const authorize = req.url.searchParams.get('authorization_endpoint') ?? `https://${LOGIN_HOST}/common/oauth2/v2.0/authorize`
    const tenant = new URL(authorize).pathname.split('/')[1] ?? 'common'
    return {
      tenant_discovery_endpoint: `https://${LOGIN_HOST}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: LOGIN_HOST, preferred_cache: 'login.windows.net', aliases: [LOGIN_HOST, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }]
    }
  }
}
