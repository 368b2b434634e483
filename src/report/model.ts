// The one result model every report (outputs, job summary, PR comment) is rendered from.
import type { DnsMode, Mode, ProviderName } from '../config/types.js'
import type { Check } from '../base/checks.js'
import type { PlannedStep } from '../engine/plan.js'
import type { Identity, ProviderReport } from '../engine/provider.js'
import type { Sweep } from '../engine/ephemeral.js'

export type StepStatus = 'planned' | 'done' | 'failed' | 'skipped'

/** A plan step as reported: the PlannedStep without its function, plus how apply went. */
export interface ReportedStep extends Omit<PlannedStep, 'run'> {
  status: StepStatus
  /** Offset from the start of apply, ms; with durationMs it shows what ran in parallel */
  startMs?: number
  durationMs?: number
  error?: string
}

export interface ReportedLink {
  clusterId: string
  host: string
  port: number
  /** https://host:port */
  url: string
  /** True when Zilliz's privateLinkAddress confirmed host and port */
  confirmed: boolean
}

export interface RunResult {
  /** Bumped when the shape of the plan/verification JSON outputs changes */
  schemaVersion: 1
  mode: Mode
  /** Why this mode, e.g. 'mode input is apply' or 'pull_request events plan' */
  modeReason: string
  provider: ProviderName
  /** Set when dns is not managed: existing-zone writes into the user's zones, none writes no DNS */
  dnsMode?: Exclude<DnsMode, 'managed'>
  target: {
    projectId: string
    regionId: string
    /** e.g. vpc-0abc (us-west-2) */
    network: string
    endpointService?: string
  }
  identity?: Identity
  steps: ReportedStep[]
  checks: Check[]
  links: ReportedLink[]
  resources?: ProviderReport
  /** Set for an offline plan: why the cloud or Zilliz could not be read */
  offline?: string
  /** destroy or destroy-plan: the steps remove what the action manages */
  destroy?: true
  /** The run was cancelled (SIGINT/SIGTERM): steps show what was done and what was not */
  cancelled?: true
  /** Managed DNS of clusters no longer in scope, left in place because prune is off */
  outOfScope?: { kind: string; name: string; host: string }[]
  /** Proof resources of ours whose expiry had passed, deleted at the start of the run */
  expiredProof?: Sweep
  /** What the plan found that works but has a cost the user should know of (e.g. a DNS zone that hides names) */
  warnings?: string[]
  /** Set when the run failed; a message safe to show (no secrets) */
  error?: string
  /** Set when the run failed in a known way: what to do about it */
  hint?: string
  durationMs: number
}
