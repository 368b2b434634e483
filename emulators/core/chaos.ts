// Seeded transient faults across every emulated service: a share of calls fails before it is handled
// (5xx, and 429/503 from Zilliz), is handled but its answer is lost (the connection drops after the
// change landed), or starts a long-running operation that ends with a retryable error. The same seed
// draws the same sequence, so a failing run can be replayed (call order between parallel steps aside).

export type ChaosFault =
  | { kind: 'error'; status: number; code: string }
  | { kind: 'lost' }

export interface ChaosOptions {
  seed: number
  /** Share of calls (and of long-running operations) that fail, 0..1 */
  rate: number
  /** Services that never fail (e.g. the data plane); default none */
  exempt?: string[]
}

export interface ChaosCounts {
  error: number
  lost: number
  operation: number
}

/** mulberry32: a small, fast PRNG whose whole state is one 32-bit number. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// What each service answers when it fails transiently, as its real counterpart does.
const TRANSIENT_ERRORS: Record<string, { status: number; code: string }[]> = {
  zilliz: [
    { status: 429, code: '429' },
    { status: 503, code: '503' }
  ],
  ec2: [
    { status: 503, code: 'Unavailable' },
    { status: 500, code: 'InternalError' }
  ],
  route53: [
    { status: 503, code: 'ServiceUnavailable' },
    { status: 500, code: 'InternalFailure' }
  ],
  sts: [{ status: 503, code: 'ServiceUnavailable' }],
  arm: [
    { status: 503, code: 'ServiceUnavailable' },
    { status: 500, code: 'InternalServerError' }
  ],
  'gcp-compute': [
    { status: 503, code: 'backendError' },
    { status: 500, code: 'internalError' }
  ]
}
const DEFAULT_ERRORS = [
  { status: 503, code: 'ServiceUnavailable' },
  { status: 500, code: 'InternalError' }
]

export class Chaos {
  readonly counts: ChaosCounts = { error: 0, lost: 0, operation: 0 }
  private readonly random: () => number
  private readonly exempt: Set<string>

  constructor(readonly options: ChaosOptions) {
    this.random = seededRandom(options.seed)
    this.exempt = new Set(options.exempt ?? [])
  }

  /** The fault for one call, if it draws one: half of them lose the answer, half answer an error. */
  callFault(service: string): ChaosFault | undefined {
    if (this.exempt.has(service) || this.random() >= this.options.rate) return undefined
    if (this.random() < 0.5) {
      this.counts.lost++
      return { kind: 'lost' }
    }
    const choices = TRANSIENT_ERRORS[service] ?? DEFAULT_ERRORS
    const chosen = choices[Math.floor(this.random() * choices.length)] ?? DEFAULT_ERRORS[0]
    this.counts.error++
    return { kind: 'error', status: chosen?.status ?? 503, code: chosen?.code ?? 'ServiceUnavailable' }
  }

  /** Whether a long-running operation that is starting will end with a retryable error. */
  operationFails(service: string): boolean {
    if (this.exempt.has(service) || this.random() >= this.options.rate) return false
    this.counts.operation++
    return true
  }
}
