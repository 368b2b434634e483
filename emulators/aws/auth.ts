// Who is calling: the SigV4 access key must be one the World knows (issued by STS or registered as
// ambient keys) and not expired. Signatures are not verified; the point is to catch wrong or stale
// credentials, not forged ones.
import type { IncomingHttpHeaders } from 'node:http'
import type { IssuedCredentials, World } from '../core/world.js'
import { AwsError } from './xml.js'

export interface AuthFailure {
  status: number
  code: string
  message: string
}

/** How one service words its authentication failures. */
export interface AuthErrors {
  unknownKey: AuthFailure
  expired: AuthFailure
}

const MISSING: AuthFailure = { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' }

export const EC2_AUTH_ERRORS: AuthErrors = {
  unknownKey: { status: 401, code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' },
  expired: { status: 400, code: 'ExpiredToken', message: 'The security token included in the request is expired' }
}

export const ROUTE53_AUTH_ERRORS: AuthErrors = {
  unknownKey: { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
  expired: { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }
}

export const STS_AUTH_ERRORS: AuthErrors = {
  unknownKey: { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
  expired: { status: 400, code: 'ExpiredToken', message: 'The security token included in the request is expired' }
}

export interface CredentialScope {
  accessKeyId: string
  date: string
  region: string
  service: string
}

/** Reads `Credential=AKID/<date>/<region>/<service>/aws4_request` from a SigV4 Authorization header. */
export function credentialScope(headers: IncomingHttpHeaders): CredentialScope | undefined {
  const authorization = headers.authorization
  if (!authorization?.startsWith('AWS4-HMAC-SHA256 ')) return undefined
  const match = /Credential=([^/\s,]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization)
  if (!match) return undefined
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]! }
}

export interface Caller {
  credentials: IssuedCredentials
  scope: CredentialScope
}

/** Returns the caller behind a signed request, or throws the service's own authentication error. */
export function authenticate(world: World, headers: IncomingHttpHeaders, errors: AuthErrors, now = Date.now()): Caller {
  const scope = credentialScope(headers)
  if (!scope) throw fail(MISSING)
  const credentials = world.credentials.get(scope.accessKeyId)
  if (!credentials) throw fail(errors.unknownKey)
  // Temporary keys are only valid together with their session token, long-term keys only without one.
  const presentedToken = headers['x-amz-security-token']
  if ((credentials.sessionToken ?? undefined) !== (presentedToken ?? undefined)) throw fail(errors.unknownKey)
  if (credentials.expiresAt <= now) throw fail(errors.expired)
  return { credentials, scope }
}

/** The principal behind a request's access key, without judging it (rate limits apply before authentication). */
export function principalOf(world: World, headers: IncomingHttpHeaders): string | undefined {
  const scope = credentialScope(headers)
  return scope ? world.credentials.get(scope.accessKeyId)?.principal : undefined
}

function fail(failure: AuthFailure): AwsError {
  return new AwsError(failure.status, failure.code, failure.message)
}
