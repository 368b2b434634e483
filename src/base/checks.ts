// The verification model: every check passes, fails or is skipped, with evidence and, on failure, a fix.
export type CheckStatus = 'pass' | 'fail' | 'skip'

/**
 * How a data-plane fact was established: `live` by a client that ran in the network (this runner or a probe
 * in the subnet), `analysis` by reading the configuration that decides it, `none` when nothing proved it.
 * Control-plane checks carry none of this: they read the cloud directly.
 */
export type ProofLevel = 'live' | 'analysis' | 'none'

export interface Check {
  id: string
  title: string
  status: CheckStatus
  /** What was observed, e.g. 'state=available' */
  evidence: string
  cause?: string
  fix?: string
  /** Data-plane checks: the proof level reached */
  proof?: ProofLevel
  /** Where the proof came from, e.g. 'this runner', 'Lambda probe in subnet-0abc', 'Reachability Analyzer nip-…' */
  proofSource?: string
  /** The private-link host the check is about, when it is about one */
  host?: string
}

export function check(id: string, title: string, ok: boolean, evidence: string, onFail: { cause: string; fix: string }): Check {
  return ok ? { id, title, status: 'pass', evidence } : { id, title, status: 'fail', evidence, ...onFail }
}

export function skipped(id: string, title: string, reason: string): Check {
  return { id, title, status: 'skip', evidence: reason }
}
