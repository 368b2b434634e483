// Resource identifiers and name patterns shared by the AWS emulators.
import { createHash } from 'node:crypto'

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'

/**
 * Ids that look like AWS ids but repeat from run to run, so demo output and logs stay stable.
 * The namespace (e.g. account + region) keeps two emulators in one World from minting the same id.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>()

  constructor(private readonly namespace: string) {}

  /** `prefix` + lowercase hex, e.g. `vpce-0a1b…` (17 hex digits like current EC2 ids). */
  hex(prefix: string, length = 17): string {
    return prefix + this.digest(prefix).toString('hex').slice(0, length)
  }

  /** `prefix` + uppercase letters and digits, e.g. Route 53 `Z…` zone ids. */
  upper(prefix: string, length: number): string {
    return prefix + this.alphabet(prefix, length, UPPER_ALNUM)
  }

  /** `prefix` + lowercase letters and digits, e.g. the random label in a VPC endpoint DNS name. */
  lower(prefix: string, length: number): string {
    return prefix + this.alphabet(prefix, length, LOWER_ALNUM)
  }

  private alphabet(prefix: string, length: number, chars: string): string {
    const bytes = this.digest(prefix)
    let out = ''
    for (let i = 0; i < length; i++) out += chars[bytes[i % bytes.length]! % chars.length]
    return out
  }

  private digest(kind: string): Buffer {
    const n = (this.counters.get(kind) ?? 0) + 1
    this.counters.set(kind, n)
    return createHash('sha256').update(`${this.namespace}:${kind}:${n}`).digest()
  }
}

/** Glob-style match used by EC2 filter values and IAM trust conditions: `*` any run, `?` one char. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`, 's').test(value)
}
