// The access tokens the Entra emulator issued, shared with the ARM emulator, which accepts only those and
// only until they expire. Tokens are JWT-shaped like Entra's, so clients can read their claims.
import { randomBytes } from 'node:crypto'

export const ARM_RESOURCE = 'https://management.azure.com'

export interface AccessGrant {
  tenantId: string
  /** The application (client) id the token was issued to: ARM's principal for role checks */
  clientId: string
  objectId: string
  resource: string
  /** Epoch ms */
  expiresAt: number
}

export type TokenCheck = { grant: AccessGrant } | { problem: 'invalid' | 'expired' }

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export class AccessTokens {
  private readonly grants = new Map<string, AccessGrant>()

  constructor(private readonly now: () => number = Date.now) {}

  issue(grant: Omit<AccessGrant, 'expiresAt'>, lifetimeSeconds: number): { token: string; grant: AccessGrant } {
    const iat = Math.floor(this.now() / 1000)
    const full: AccessGrant = { ...grant, expiresAt: (iat + lifetimeSeconds) * 1000 }
    const claims = {
      aud: grant.resource,
      iss: `https://sts.windows.net/${grant.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + lifetimeSeconds,
      appid: grant.clientId,
      oid: grant.objectId,
      sub: grant.objectId,
      tid: grant.tenantId,
      idtyp: 'app',
      uti: randomBytes(8).toString('base64url')
    }
    const token = `${base64url({ typ: 'JWT', alg: 'RS256', kid: 'emulator' })}.${base64url(claims)}.${randomBytes(32).toString('base64url')}`
    this.grants.set(token, full)
    return { token, grant: full }
  }

  check(token: string): TokenCheck {
    const grant = this.grants.get(token)
    if (!grant) return { problem: 'invalid' }
    return grant.expiresAt > this.now() ? { grant } : { problem: 'expired' }
  }

  /** Every token issued so far, for tests that look for leaks. */
  all(): string[] {
    return [...this.grants.keys()]
  }
}
