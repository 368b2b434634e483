// The verification model: every check passes, fails or is skipped, with evidence and, on failure, a fix.
export type CheckStatus = 'pass' | 'fail' | 'skip'

export interface Check {
  id: string
  title: string
  status: CheckStatus
  /** What was observed, e.g. 'state=available' */
  evidence: string
  cause?: string
  fix?: string
}

export function check(id: string, title: string, ok: boolean, evidence: string, onFail: { cause: string; fix: string }): Check {
  return ok ? { id, title, status: 'pass', evidence } : { id, title, status: 'fail', evidence, ...onFail }
}

export function skipped(id: string, title: string, reason: string): Check {
  return { id, title, status: 'skip', evidence: reason }
}
