// Google's Security Token Service (POST /v1/token, RFC 8693 token exchange) for workload identity
// federation with the GitHub OIDC emulator as the identity provider. It checks the ID token's signature,
// lifetime, issuer and audience, then the provider's attribute condition, and issues a federated
// access token whose principal carries the mapped attributes. Errors are OAuth JSON, as Google sends them.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import { IdTokenError, type IdTokenClaims, type OidcEmulator } from '../oidc.js'
import type { AccessTokens } from './access-tokens.js'
import { compileCondition, mapAttribute, type Condition } from './attribute-condition.js'
import { json } from './google-wire.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

export interface WorkloadIdentityProviderConfig {
  /** projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  name: string
  /** Empty: the default audience https://iam.googleapis.com/<name> */
  allowedAudiences?: string[]
  /** CEL; see attribute-condition.ts for the supported subset */
  attributeCondition?: string
  /** google.subject and attribute.* → `assertion.<claim>` */
  attributeMapping?: Record<string, string>
  disabled?: boolean
}

interface Provider {
  config: WorkloadIdentityProviderConfig
  condition?: Condition
  mapping: Record<string, string>
}

/** One exchange attempt, kept so tests can assert a fresh ID token per attempt. */
export interface PresentedSubjectToken {
  token: string
  audience: string
  accepted: boolean
  error?: string
}

const DEFAULT_MAPPING = {
  'google.subject': 'assertion.sub',
  'attribute.repository': 'assertion.repository',
  'attribute.repository_owner': 'assertion.repository_owner'
}

class OAuthError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

const INVALID_TARGET =
  'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.'

export class GoogleStsEmulator implements Service {
  readonly name = 'gcp-sts'
  readonly presented: PresentedSubjectToken[] = []
  private readonly providers = new Map<string, Provider>()

  constructor(
    private readonly oidc: OidcEmulator,
    private readonly tokens: AccessTokens,
    providers: WorkloadIdentityProviderConfig[] = []
  ) {
    for (const provider of providers) this.setProvider(provider)
  }

  /** Adds or replaces a provider (e.g. another attribute condition for one test). */
  setProvider(config: WorkloadIdentityProviderConfig): void {
    this.providers.set(config.name, {
      config,
      ...(config.attributeCondition ? { condition: compileCondition(config.attributeCondition) } : {}),
      mapping: config.attributeMapping ?? DEFAULT_MAPPING
    })
  }

  classify(req: EmulatorRequest): Classified {
    return { operation: req.url.pathname === '/v1/token' ? 'token' : 'unknown', write: false }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    if (req.method !== 'POST' || req.url.pathname !== '/v1/token') return this.errorResponse(404, 'not_found', `No route for ${req.method} ${req.url.pathname}`)
    const form = new URLSearchParams(req.body)
    const attempt: PresentedSubjectToken = { token: form.get('subject_token') ?? '', audience: form.get('audience') ?? '', accepted: false }
    this.presented.push(attempt)
    try {
      const answer = json(200, this.exchange(form))
      attempt.accepted = true
      return answer
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      attempt.error = error.code
      return this.errorResponse(400, error.code, error.message)
    }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return json(status, { error: code, error_description: message })
  }

  private exchange(form: URLSearchParams) {
    if (form.get('grant_type') !== TOKEN_EXCHANGE_GRANT) throw new OAuthError('unsupported_grant_type', `Unsupported grant type: ${form.get('grant_type') ?? ''}`)
    if (form.get('subject_token_type') !== JWT_TOKEN_TYPE) throw new OAuthError('invalid_request', 'Invalid value for "subject_token_type".')
    if ((form.get('requested_token_type') ?? ACCESS_TOKEN_TYPE) !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', 'Invalid value for "requested_token_type".')
    const audience = form.get('audience') ?? ''
    const provider = this.providers.get(audience.replace(/^\/\/iam\.googleapis\.com\//, ''))
    if (!audience.startsWith('//iam.googleapis.com/') || !provider || provider.config.disabled) throw new OAuthError('invalid_target', INVALID_TARGET)
    const claims = this.verify(form.get('subject_token') ?? '', provider)
    if (provider.condition && !provider.condition(claims)) throw new OAuthError('unauthorized_client', 'The given credential is rejected by the attribute condition.')

    const attributes = Object.fromEntries(Object.entries(provider.mapping).map(([target, expression]) => [target, mapAttribute(expression, claims)]))
    const subject = attributes['google.subject'] ?? ''
    if (!subject) throw new OAuthError('invalid_request', 'The mapped attribute google.subject is empty.')
    const pool = provider.config.name.replace(/\/providers\/[^/]+$/, '')
    const issued = this.tokens.issue({ id: `principal://iam.googleapis.com/${pool}/subject/${subject}`, kind: 'federated', attributes }, 3600)
    return { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: 3600 }
  }

  private verify(token: string, provider: Provider): IdTokenClaims {
    const audiences = provider.config.allowedAudiences?.length ? provider.config.allowedAudiences : [`https://iam.googleapis.com/${provider.config.name}`]
    let lastError: IdTokenError | undefined
    for (const audience of audiences) {
      try {
        const claims = this.oidc.verify(token, audience)
        if (claims.iss !== this.oidc.issuer) throw new OAuthError('invalid_grant', `The issuer in ID Token ${String(claims.iss)} does not match the expected ones.`)
        return claims
      } catch (error) {
        if (!(error instanceof IdTokenError)) throw error
        lastError = error
        if (error.reason !== 'audience') break
      }
    }
    if (lastError?.reason === 'audience') throw new OAuthError('invalid_grant', `The audience in ID Token does not match the expected audience ${audiences.join(', ')}.`)
    throw new OAuthError('invalid_grant', `Invalid ID Token: ${lastError?.message ?? 'unknown'}`)
  }
}
