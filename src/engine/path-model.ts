// What a path analysis answers, the same on every cloud: per port reachable, blocked (with what blocks it
// and the fix) or unknown, and what proves it. Providers implement PathAnalyzer; path-analysis.ts turns
// verdicts into checks.
import type { EphemeralScope } from './ephemeral.js'

/** Something on the path that drops the traffic, named so the user can find it, with the change that lets it through. */
export interface Blocker {
  /** e.g. 'security group sg-0abc (app-clients), outbound' or 'network ACL acl-0abc rule 90 (deny)' */
  component: string
  /** Why it drops the traffic, e.g. 'no outbound rule admits tcp/19530 to 10.0.1.12' */
  why: string
  fix: string
}

export interface PortVerdict {
  port: number
  /** undefined: the analysis could not say (failed, timed out, a component it cannot model) */
  reachable: boolean | undefined
  /** What proves it: the analysis id, the connectivity test's name, 'effective rules of subnet …' */
  proofSource: string
  blockers: Blocker[]
  /** What was observed beyond the blockers, e.g. the path's hops or why the analysis could not say */
  detail?: string
}

export interface PathAnalysisRun {
  ports: number[]
  scope: EphemeralScope
  /** Epoch ms after which no wait may continue */
  deadline: number
  signal?: AbortSignal
}

/** A cloud's way of analysing the path; it creates what it needs through the scope, which deletes it. */
export interface PathAnalyzer {
  /** Where the path starts, said in every check, e.g. 'subnet-0abc with sg-0def (the VPC's default group)' */
  origin(): Promise<string>
  analyse(run: PathAnalysisRun): Promise<PortVerdict[]>
}

