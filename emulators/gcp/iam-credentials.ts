// IAM Service Account Credentials: generateAccessToken, the impersonation step after the STS exchange.
// The caller must hold a token the emulators issued and be a member of the service account's
// roles/iam.workloadIdentityUser binding (principal://…/subject/… or principalSet://…/attribute.x/value).
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { AccessTokens, GcpPrincipal } from './access-tokens.js'
import { GoogleError, answer, findRoute, googleErrorResponse, invalid, json, jsonBody, type Route } from './google-wire.js'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

export interface ServiceAccountConfig {
  email: string
  /** Members of roles/iam.workloadIdentityUser on the service account */
  members: string[]
}

/** Whether a binding member names the principal (an exact subject, a whole pool, or an attribute value). */
export function memberMatches(member: string, principal: GcpPrincipal): boolean {
  if (principal.kind !== 'federated') return member === `serviceAccount:${principal.id}`
  if (member === principal.id) return true
  const set = /^principalSet:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+)\/(.+)$/.exec(member)
  if (!set) return false
  const [, pool = '', rest = ''] = set
  if (!principal.id.startsWith(`principal://iam.googleapis.com/${pool}/subject/`)) return false
  if (rest === '*') return true
  const attribute = /^attribute\.([^/]+)\/(.+)$/.exec(rest)
  return Boolean(attribute && principal.attributes[`attribute.${attribute[1]}`] === attribute[2])
}

export class IamCredentialsEmulator implements Service {
  readonly name = 'gcp-iam'
  readonly serviceAccounts = new Map<string, ServiceAccountConfig>()
  private readonly routes: Route<(params: string[], req: EmulatorRequest) => EmulatorResponse>[] = [
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/,
      operation: 'generateAccessToken',
      write: false,
      handler: ([email = ''], req) => this.generateAccessToken(email, req)
    }
  ]

  constructor(
    private readonly tokens: AccessTokens,
    serviceAccounts: ServiceAccountConfig[] = [],
    private readonly now: () => number = Date.now
  ) {
    for (const account of serviceAccounts) this.serviceAccounts.set(account.email, account)
  }

  classify(req: EmulatorRequest): Classified {
    const found = findRoute(this.routes, req)
    return { operation: found?.route.operation ?? 'unknown', write: false }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      return found.route.handler(found.params, req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  private generateAccessToken(email: string, req: EmulatorRequest): EmulatorResponse {
    const caller = this.tokens.authenticate(req)
    const body = jsonBody(req)
    const scopes = Array.isArray(body['scope']) ? (body['scope'] as unknown[]) : []
    if (!scopes.length) throw invalid('Scope required.')
    const lifetime = /^(\d+)s$/.exec(String(body['lifetime'] ?? '3600s'))
    const seconds = Number(lifetime?.[1] ?? NaN)
    if (!(seconds > 0 && seconds <= 3600)) throw invalid('The lifetime must be between 1s and 3600s.')
    const account = this.serviceAccounts.get(email)
    // IAM does not reveal whether the account exists: a missing one is refused like a forbidden one.
    if (!account || !account.members.some((m) => memberMatches(m, caller.principal))) {
      throw new GoogleError(403, 'IAM_PERMISSION_DENIED', "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).")
    }
    const issued = this.tokens.issue({ id: email, kind: 'service-account', attributes: {} }, seconds)
    return json(200, { accessToken: issued.token, expireTime: new Date(Math.min(issued.expiresAt, this.now() + seconds * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z') })
  }
}
