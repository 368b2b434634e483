// Accounts and roles: which account a caller acts in, and which IAM actions its role's permission policy
// allows. A role with no policy set may do anything (the tests that do not care about permissions); a role
// given one is held to it, so a run can be made with exactly the actions of a file in docs/policies.
// Denials carry the services' own codes and the "User: … is not authorized to perform: …" sentence.
import { AwsError } from './xml.js'

/** The account a principal ARN (assumed role, role or user) belongs to. */
export function accountOf(principal: string, fallback: string): string {
  return /^arn:aws[-a-z]*:(?:sts|iam)::(\d{12}):/.exec(principal)?.[1] ?? fallback
}

/** arn:aws:sts::A:assumed-role/NAME/session → arn:aws:iam::A:role/NAME (the emulated roles have no path). */
export function roleOf(principal: string): string {
  const assumed = /^arn:(aws[-a-z]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal)
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : principal
}

export interface Denial {
  status: number
  code: string
  /** The service's wording before "User: …", when it has one */
  preamble?: string
}

/** EC2 answers UnauthorizedOperation with an encoded message; Route 53 and STS AccessDenied. */
export const EC2_DENIAL: Denial = { status: 403, code: 'UnauthorizedOperation', preamble: 'You are not authorized to perform this operation.' }
export const ROUTE53_DENIAL: Denial = { status: 403, code: 'AccessDenied' }

export class IamPolicies {
  /** role ARN → the actions its permission policy allows */
  private readonly allowed = new Map<string, Set<string>>()

  /** Holds the role to exactly these actions from now on. */
  allowOnly(roleArn: string, actions: Iterable<string>): void {
    this.allowed.set(roleArn, new Set(actions))
  }

  /** Takes one action away from a role (from "everything" when it had no policy, which `all` lists). */
  deny(roleArn: string, action: string, all: Iterable<string> = []): void {
    const current = this.allowed.get(roleArn) ?? new Set(all)
    current.delete(action)
    this.allowed.set(roleArn, current)
  }

  allows(principal: string, action: string): boolean {
    const policy = this.allowed.get(roleOf(principal))
    return !policy || policy.has(action)
  }

  /** Throws the service's denial for the first action the principal may not perform. */
  check(principal: string, actions: string[], resource: string, denial: Denial): void {
    const refused = actions.find((action) => !this.allows(principal, action))
    if (!refused) return
    const sentence = `User: ${principal} is not authorized to perform: ${refused} on resource: ${resource} because no identity-based policy allows the ${refused} action`
    throw new AwsError(denial.status, denial.code, denial.preamble ? `${denial.preamble} ${sentence}` : sentence)
  }
}
