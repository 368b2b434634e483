// GitHub Actions' OIDC token endpoint: what `core.getIDToken(audience)` calls. Tokens are real RS256
// JWTs signed by a key generated at start, so relying parties (the STS, Entra and GCP emulators)
// verify them the way the real services do: signature, audience, lifetime.
import { generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto'
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from './core/service.js'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface IdTokenClaims {
  iss: string
  sub: string
  aud: string | string[]
  iat: number
  nbf: number
  exp: number
  jti: string
  repository: string
  repository_owner: string
  ref: string
  job_workflow_ref: string
  event_name: string
  [claim: string]: unknown
}

export interface OidcOptions {
  issuer?: string
  subject?: string
  repository?: string
  ref?: string
  jobWorkflowRef?: string
  eventName?: string
  /** Token lifetime; GitHub's tokens live five minutes. */
  lifetimeSeconds?: number
  /** The value the runner puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken?: string
  now?: () => number
}

/** Why a presented token was refused; relying parties map this onto their own error codes. */
export class IdTokenError extends Error {
  constructor(
    readonly reason: 'malformed' | 'signature' | 'audience' | 'expired' | 'not-yet-valid',
    message: string
  ) {
    super(message)
    this.name = 'IdTokenError'
  }
}

const json = (status: number, body: unknown): EmulatorResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body)
})

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

export class OidcEmulator implements Service {
  readonly name = 'oidc'
  readonly issuer: string
  readonly requestToken: string
  readonly keyId: string
  /** Number of ID tokens handed out so far. */
  issued = 0
  /** Every ID token handed out, for tests that look for leaks. */
  readonly tokens: string[] = []

  private readonly privateKey: KeyObject
  private readonly publicKey: KeyObject
  private readonly defaults: Omit<IdTokenClaims, 'aud' | 'iat' | 'nbf' | 'exp' | 'jti'>
  private overrides: Partial<IdTokenClaims> = {}
  private malformed: Array<'no-value' | 'not-json'> = []
  private readonly lifetimeSeconds: number
  private readonly now: () => number

  constructor(options: OidcOptions = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    this.privateKey = privateKey
    this.publicKey = publicKey
    this.keyId = base64url(randomBytes(12))
    this.issuer = options.issuer ?? GITHUB_ISSUER
    this.requestToken = options.requestToken ?? base64url(randomBytes(24))
    this.lifetimeSeconds = options.lifetimeSeconds ?? 300
    this.now = options.now ?? Date.now
    const repository = options.repository ?? 'octo-org/octo-repo'
    const ref = options.ref ?? 'refs/heads/main'
    this.defaults = {
      iss: this.issuer,
      sub: options.subject ?? `repo:${repository}:ref:${ref}`,
      repository,
      repository_owner: repository.split('/')[0]!,
      repository_visibility: 'private',
      ref,
      ref_type: 'branch',
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      workflow: 'private-link',
      workflow_ref: `${repository}/.github/workflows/private-link.yml@${ref}`,
      job_workflow_ref: options.jobWorkflowRef ?? `${repository}/.github/workflows/private-link.yml@${ref}`,
      event_name: options.eventName ?? 'push',
      actor: 'octocat',
      run_id: '4242424242',
      run_number: '42',
      run_attempt: '1',
      runner_environment: 'github-hosted'
    }
  }

  /** Claims to put in every later token (e.g. another `sub`, or an `exp` in the past). */
  overrideClaims(claims: Partial<IdTokenClaims>): void {
    this.overrides = { ...this.overrides, ...claims }
  }

  resetClaims(): void {
    this.overrides = {}
    this.malformed = []
  }

  /**
   * The next `times` token requests get a 200 without a token: JSON without `value`, or a page that is not
   * JSON (what a captive portal or a broken edge answers).
   */
  answerWithoutToken(kind: 'no-value' | 'not-json', times = 1): void {
    this.malformed.push(...Array<typeof kind>(times).fill(kind))
  }

  /** Signs a token directly, as the endpoint would; extra claims win over defaults and overrides. */
  mint(audience: string, extra: Partial<IdTokenClaims> = {}): string {
    const iat = Math.floor(this.now() / 1000)
    const claims = {
      ...this.defaults,
      jti: randomUUID(),
      aud: audience,
      // GitHub backdates nbf by ten minutes to absorb clock skew.
      nbf: iat - 600,
      iat,
      exp: iat + this.lifetimeSeconds,
      ...this.overrides,
      ...extra
    } as IdTokenClaims
    const header = { typ: 'JWT', alg: 'RS256', kid: this.keyId }
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey)
    return `${signingInput}.${base64url(signature)}`
  }

  /** Checks a token as a relying party would and returns its claims, or throws IdTokenError. */
  verify(token: string, expectedAudience: string): IdTokenClaims {
    const parts = token.split('.')
    if (parts.length !== 3) throw new IdTokenError('malformed', 'The ID token is not a well-formed JWT')
    const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string]
    const header = decodeJson(encodedHeader) as { alg?: string; kid?: string }
    if (header.alg !== 'RS256') throw new IdTokenError('signature', `Unsupported signing algorithm '${String(header.alg)}'`)
    if (header.kid !== this.keyId) {
      throw new IdTokenError('signature', `No signing key with kid '${String(header.kid)}' in ${this.issuer}/.well-known/jwks`)
    }
    const signed = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedClaims}`),
      this.publicKey,
      Buffer.from(encodedSignature, 'base64url')
    )
    if (!signed) throw new IdTokenError('signature', 'The ID token signature is invalid')
    const claims = decodeJson(encodedClaims) as IdTokenClaims
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audiences.includes(expectedAudience)) {
      throw new IdTokenError('audience', `Incorrect token audience: expected '${expectedAudience}', got '${audiences.join(', ')}'`)
    }
    const nowSeconds = Math.floor(this.now() / 1000)
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
      throw new IdTokenError(
        'expired',
        `Token expired: current date/time ${isoSeconds(nowSeconds)} must be before the expiration date/time ${isoSeconds(Number(claims.exp))}`
      )
    }
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) {
      throw new IdTokenError('not-yet-valid', `Token is not valid before ${isoSeconds(claims.nbf)}`)
    }
    return claims
  }

  /** The public key set, as served at /.well-known/jwks. */
  jwks(): { keys: Array<Record<string, unknown>> } {
    const jwk = this.publicKey.export({ format: 'jwk' })
    return { keys: [{ ...jwk, kid: this.keyId, alg: 'RS256', use: 'sig' }] }
  }

  classify(req: EmulatorRequest): Classified {
    const path = req.url.pathname
    const operation =
      path === '/token'
        ? 'GetIDToken'
        : path === '/.well-known/openid-configuration'
          ? 'GetOpenIdConfiguration'
          : path === '/.well-known/jwks'
            ? 'GetJwks'
            : 'unknown'
    return { operation, write: false }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    if (req.method !== 'GET') return this.errorResponse(405, 'MethodNotAllowed', `${req.method} is not allowed`)
    switch (this.classify(req).operation) {
      case 'GetIDToken':
        return this.issueToken(req)
      case 'GetOpenIdConfiguration':
        return json(200, this.openIdConfiguration(req))
      case 'GetJwks':
        return json(200, this.jwks())
      default:
        return this.errorResponse(404, 'NotFound', `No route for ${req.url.pathname}`)
    }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return json(status, { message, code })
  }

  private issueToken(req: EmulatorRequest): EmulatorResponse {
    if (req.headers.authorization !== `Bearer ${this.requestToken}`) {
      return this.errorResponse(401, 'Unauthorized', 'Bad credentials: the request token is missing or wrong')
    }
    const malformed = this.malformed.shift()
    if (malformed === 'no-value') return json(200, { count: 0 })
    if (malformed === 'not-json') return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Service temporarily unavailable</body></html>' }
    // GitHub's default audience is the URL of the repository owner.
    const audience = req.url.searchParams.get('audience') ?? `https://github.com/${String(this.defaults.repository_owner)}`
    const value = this.mint(audience)
    this.issued += 1
    this.tokens.push(value)
    return json(200, { count: value.length, value })
  }

  private openIdConfiguration(req: EmulatorRequest): Record<string, unknown> {
    const self = `http://${req.headers.host ?? '127.0.0.1'}`
    return {
      issuer: this.issuer,
      jwks_uri: `${self}/.well-known/jwks`,
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository', 'job_workflow_ref', 'event_name'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid']
    }
  }
}

function decodeJson(segment: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== 'object' || parsed === null) throw new IdTokenError('malformed', 'The ID token is not a well-formed JWT')
  return parsed as Record<string, unknown>
}

const isoSeconds = (seconds: number): string =>
  Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : String(seconds)
