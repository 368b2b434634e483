// Access tokens the Google STS and IAM Credentials emulators issued, and the check every Google API
// emulator makes: the bearer token must be one of them and not expired.
import { randomBytes } from 'node:crypto'
import type { EmulatorRequest } from '../core/service.js'
import { GoogleError, bearer } from './google-wire.js'

export interface GcpPrincipal {
  /** principal://…/subject/<sub> for a federated identity, the email for a service account */
  id: string
  kind: 'federated' | 'service-account'
  /** Mapped attributes of a federated identity (attribute.repository → value, …) */
  attributes: Record<string, string>
}

export interface IssuedAccessToken {
  token: string
  principal: GcpPrincipal
  /** Epoch ms */
  expiresAt: number
}

const UNAUTHENTICATED =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

export class AccessTokens {
  readonly issued: IssuedAccessToken[] = []

  constructor(private readonly now: () => number = Date.now) {}

  issue(principal: GcpPrincipal, lifetimeSeconds: number): IssuedAccessToken {
    // Federated tokens and service account tokens look different on the wire, as they do at Google.
    const prefix = principal.kind === 'federated' ? 'ya29.d.' : 'ya29.c.'
    const issued = { token: `${prefix}${randomBytes(48).toString('base64url')}`, principal, expiresAt: this.now() + lifetimeSeconds * 1000 }
    this.issued.push(issued)
    return issued
  }

  /** The caller behind `Authorization: Bearer …`, or Google's 401. */
  authenticate(req: EmulatorRequest): IssuedAccessToken {
    const token = bearer(req)
    const found = token ? this.issued.find((t) => t.token === token) : undefined
    if (!found || found.expiresAt <= this.now()) throw new GoogleError(401, 'authError', UNAUTHENTICATED)
    return found
  }

  /** Makes every token issued so far expire (to test refresh and failures). */
  expireAll(): void {
    for (const t of this.issued) t.expiresAt = 0
  }
}
