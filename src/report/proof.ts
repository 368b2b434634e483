// The proof level reached per host and data-plane check (live, analysis, none, and who reached it), built
// once from the checks for the summary, the verification JSON and the proof-levels output.
import type { Check, CheckStatus, ProofLevel } from '../base/checks.js'
import { sortedLinks } from './links.js'
import type { RunResult } from './model.js'

/** The checks a client meets, in order; other data-plane kinds (a path analysis, say) follow them. */
export const DATA_PLANE_KINDS = ['dns', 'tcp', 'tls', 'https'] as const

export interface ProofCell {
  /** dns, tcp, tls, https, or another data-plane kind: the check id before its ':' */
  kind: string
  level: ProofLevel
  /** Who reached it, e.g. 'this runner', 'analysis of vpc-0abc DNS settings' */
  source?: string
  /** The check's status; absent when no check of this kind ran for the host */
  status?: CheckStatus
}

export interface HostProof {
  clusterId: string
  host: string
  checks: ProofCell[]
}

const kindOf = (check: Check) => check.id.split(':')[0] ?? check.id
const STRENGTH: Record<ProofLevel, number> = { none: 0, analysis: 1, live: 2 }
const SEVERITY: Record<CheckStatus, number> = { pass: 0, skip: 1, fail: 2 }

/** Several checks of one kind for a host (one per port, say): the weakest proof and the worst status speak for all. */
function combine(kind: string, checks: Check[]): ProofCell {
  const level = checks.map((c) => c.proof ?? 'none').reduce((a, b) => (STRENGTH[b] < STRENGTH[a] ? b : a))
  const status = checks.map((c) => c.status).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a))
  const sources = [...new Set(checks.map((c) => c.proofSource).filter((s): s is string => Boolean(s)))]
  return { kind, level, status, ...(sources.length ? { source: sources.join('; ') } : {}) }
}

/** Per host, per data-plane kind: the proof reached. Undefined when no check of this run carries a proof. */
export function proofByHost(result: RunResult): HostProof[] | undefined {
  const proven = result.checks.filter((c) => c.proof)
  if (!proven.length) return undefined
  const extra = [...new Set(proven.filter((c) => c.host).map(kindOf))].filter((k) => !(DATA_PLANE_KINDS as readonly string[]).includes(k))
  const kinds = [...DATA_PLANE_KINDS, ...extra]
  return sortedLinks(result).map((link) => ({
    clusterId: link.clusterId,
    host: link.host,
    checks: kinds.map((kind) => {
      const own = proven.filter((c) => c.host === link.host && kindOf(c) === kind)
      // Nothing of this kind ran for the host: nothing proved it.
      return own.length ? combine(kind, own) : { kind, level: 'none' as const }
    })
  }))
}

/** The proof-levels output: host → kind → level. */
export function proofLevels(proof: HostProof[] | undefined): Record<string, Record<string, ProofLevel>> {
  return Object.fromEntries((proof ?? []).map((h) => [h.host, Object.fromEntries(h.checks.map((c) => [c.kind, c.level]))]))
}
