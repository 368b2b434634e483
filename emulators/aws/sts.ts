// STS (Query protocol, Version=2011-06-15): web-identity federation with the GitHub OIDC emulator as
// the identity provider, and GetCallerIdentity. Credentials it issues are registered in the World so
// EC2 and Route 53 accept them until they expire.
import { createHash, randomBytes } from 'node:crypto'
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { IssuedCredentials, World } from '../core/world.js'
import { IdTokenError, type IdTokenClaims, type OidcEmulator } from '../oidc.js'
import { STS_AUTH_ERRORS, authenticate } from './auth.js'
import { wildcardMatch } from './names.js'
import { AwsError, QueryParams, STS_NAMESPACE, answerOrError, awsErrorResponse, queryResponse, type XmlFields } from './xml.js'

export const STS_AUDIENCE = 'sts.amazonaws.com'

export interface StsOptions {
  /** roleArn → the `sub` its trust policy allows (`*` wildcards), e.g. `repo:octo-org/octo-repo:*` */
  trust?: Record<string, string>
  now?: () => number
}

/** One AssumeRoleWithWebIdentity attempt, kept so tests can assert a fresh ID token per attempt. */
export interface PresentedToken {
  token: string
  roleArn: string
  accepted: boolean
  subject?: string
  at: number
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const randomUpper = (length: number): string =>
  Array.from(randomBytes(length), (b) => UPPER[b % UPPER.length]).join('')

export class StsEmulator implements Service {
  readonly name = 'sts'
  readonly trust = new Map<string, string>()
  readonly presented: PresentedToken[] = []
  private readonly now: () => number

  constructor(
    private readonly world: World,
    private readonly oidc: OidcEmulator,
    options: StsOptions = {}
  ) {
    for (const [roleArn, subject] of Object.entries(options.trust ?? {})) this.trust.set(roleArn, subject)
    this.now = options.now ?? Date.now
  }

  /** Lets `roleArn` be assumed by tokens whose `sub` matches `subjectPattern`. */
  allowRole(roleArn: string, subjectPattern: string): void {
    this.trust.set(roleArn, subjectPattern)
  }

  get tokensPresented(): number {
    return this.presented.length
  }

  classify(req: EmulatorRequest): Classified {
    return { operation: QueryParams.parse(req.body).get('Action') ?? 'unknown', write: false }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answerOrError(() => this.dispatch(req), (s, c, m) => this.errorResponse(s, c, m))
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return awsErrorResponse(STS_NAMESPACE, status, code, message)
  }

  private dispatch(req: EmulatorRequest): EmulatorResponse {
    const params = QueryParams.parse(req.body)
    const action = params.get('Action') ?? ''
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return queryResponse(action, STS_NAMESPACE, this.assumeRoleWithWebIdentity(params))
      case 'GetCallerIdentity':
        return queryResponse(action, STS_NAMESPACE, this.getCallerIdentity(req))
      default:
        throw new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`)
    }
  }

  private assumeRoleWithWebIdentity(params: QueryParams): XmlFields {
    const roleArn = required(params, 'RoleArn', 'roleArn')
    const sessionName = required(params, 'RoleSessionName', 'roleSessionName')
    const token = required(params, 'WebIdentityToken', 'webIdentityToken')
    const attempt: PresentedToken = { token, roleArn, accepted: false, at: this.now() }
    this.presented.push(attempt)

    validate(/^[\w+=,.@-]{2,64}$/.test(sessionName), sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*')
    const duration = params.int('DurationSeconds') ?? 3600
    validate(duration >= 900, String(duration), 'durationSeconds', 'Member must have value greater than or equal to 900')
    validate(duration <= 43200, String(duration), 'durationSeconds', 'Member must have value less than or equal to 43200')
    const role = parseRoleArn(roleArn)

    const claims = this.verifiedClaims(token)
    attempt.subject = claims.sub
    const allowedSubject = this.trust.get(roleArn)
    if (allowedSubject === undefined || !wildcardMatch(allowedSubject, claims.sub)) {
      throw new AwsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
    }

    const assumedRoleArn = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${randomUpper(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
      expiresAt: this.now() + duration * 1000,
      principal: assumedRoleArn
    }
    this.world.issue(credentials)
    attempt.accepted = true

    return {
      Audience: STS_AUDIENCE,
      SubjectFromWebIdentityToken: claims.sub,
      AssumedRoleUser: { AssumedRoleId: `${roleId(roleArn)}:${sessionName}`, Arn: assumedRoleArn },
      Provider: `arn:aws:iam::${role.account}:oidc-provider/${this.oidc.issuer.replace(/^https:\/\//, '')}`,
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: new Date(credentials.expiresAt)
      }
    }
  }

  private verifiedClaims(token: string): IdTokenClaims {
    let claims: IdTokenClaims
    try {
      claims = this.oidc.verify(token, STS_AUDIENCE)
    } catch (error) {
      if (error instanceof IdTokenError) throw new AwsError(400, 'InvalidIdentityToken', error.message)
      throw error
    }
    // The account trusts one identity provider: the issuer the OIDC emulator signs as.
    if (claims.iss !== this.oidc.issuer) {
      throw new AwsError(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${String(claims.iss)}`)
    }
    return claims
  }

  private getCallerIdentity(req: EmulatorRequest): XmlFields {
    const { credentials } = authenticate(this.world, req.headers, STS_AUTH_ERRORS, this.now())
    return describePrincipal(credentials.principal, this.world.awsAccountId)
  }
}

/** Arn, UserId and Account as GetCallerIdentity reports them for a principal ARN. */
export function describePrincipal(principal: string, fallbackAccount: string): { Arn: string; UserId: string; Account: string } {
  const account = /^arn:aws:(?:sts|iam)::(\d{12}):/.exec(principal)?.[1] ?? fallbackAccount
  const assumed = /^arn:aws:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/.exec(principal)
  const userId = assumed
    ? `${roleId(`arn:aws:iam::${account}:role/${assumed[1]}`)}:${assumed[2]}`
    : `AIDA${stableUpper(principal, 17)}`
  return { Arn: principal, UserId: userId, Account: account }
}

/** Role ids are stable per role, like IAM's `AROA…` unique ids. */
function roleId(roleArn: string): string {
  return `AROA${stableUpper(roleArn, 17)}`
}

function stableUpper(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest()
  return Array.from(digest.subarray(0, length), (b) => UPPER[b % UPPER.length]).join('')
}

function parseRoleArn(roleArn: string): { account: string; name: string } {
  const match = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn)
  if (!match) throw new AwsError(400, 'ValidationError', `${roleArn} is invalid`)
  return { account: match[1]!, name: match[2]! }
}

function required(params: QueryParams, name: string, member: string): string {
  const value = params.get(name)
  if (value === undefined) {
    throw new AwsError(400, 'ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`)
  }
  return value
}

function validate(ok: boolean, value: string, member: string, constraint: string): void {
  if (!ok) {
    throw new AwsError(400, 'ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`)
  }
}
