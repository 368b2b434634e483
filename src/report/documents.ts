// The versioned JSON documents behind the `plan` and `verification` outputs and the summary's plan JSON.
// Fields are copied one by one from the result model, so nothing outside the model can leak into them.
import type { DnsRecordSpec } from '../engine/dns-placement.js'
import type { Mode, ProviderName } from '../config/types.js'
import type { Check, CheckStatus, ProofLevel } from '../base/checks.js'
import { isChange, type StepAction } from '../engine/plan.js'
import { planId } from '../engine/plan-id.js'
import type { ReportedStep, RunResult, StepStatus } from './model.js'
import { proofByHost, type HostProof } from './proof.js'

/**
 * The `plan` output, schema version 1. Any change a consumer could notice (a field removed, renamed or
 * retyped) bumps schemaVersion; new optional fields do not. No identity fields: account ids may be
 * masked, and the runner drops an output that contains a masked value.
 */
export interface PlanDocument {
  schemaVersion: 1
  mode: Mode
  provider: ProviderName
  target: {
    projectId: string
    regionId: string
    network: string
    endpointService?: string
  }
  /** Any step creates or updates a resource; false also when nothing could be observed (see state) */
  hasChanges: boolean
  changesCount: number
  /** changes, no-changes, or unknown when the cloud or Zilliz could not be read (offline, failed before planning) */
  state: PlanState
  /** Digest of the changes (see the plan-id output); '' when state is unknown */
  planId: string
  /** Present for an offline plan (no cloud credentials): why; its steps are `unknown` */
  offline?: string
  /** Present for destroy and destroy-plan: the steps remove what the action manages */
  destroy?: true
  /** Present when the run was cancelled: step statuses say what was done and what was not */
  cancelled?: true
  /** Managed DNS of clusters no longer in scope, kept because prune is off */
  outOfScope?: { kind: string; name: string; host: string }[]
  /** What works but has a cost to know of, e.g. a DNS zone that hides public names */
  warnings?: string[]
  /** In plan order */
  steps: PlanDocumentStep[]
}

export interface PlanDocumentStep {
  id: string
  kind: string
  name: string
  action: StepAction
  reason: string
  dependsOn: string[]
  /** Desired attributes; {} when the step has none */
  attributes: Record<string, string>
  /** 'planned' in plan mode; done, failed or skipped after apply */
  status: StepStatus
  /** Offset from the start of apply, ms */
  startMs?: number
  durationMs?: number
  /** Failed: the error; skipped: why the step did not run */
  error?: string
}

/** The `verification` output, schema version 1 (same versioning rule as PlanDocument). */
export interface VerificationDocument {
  schemaVersion: 1
  /** No check failed and at least one passed */
  verified: boolean
  checks: VerificationDocumentCheck[]
  /** Per host, the proof level each data-plane check reached; present when data-plane checks ran */
  proof?: VerificationDocumentHostProof[]
}

export type VerificationDocumentHostProof = HostProof

export interface VerificationDocumentCheck {
  id: string
  title: string
  status: CheckStatus
  evidence: string
  cause?: string
  fix?: string
  /** Data-plane checks: live, analysis or none */
  proof?: ProofLevel
  /** Who reached the proof, e.g. 'this runner' */
  proofSource?: string
  /** The private-link host the check is about */
  host?: string
}

/** What the plan says about the world: only a plan made from observation can say "no changes". */
export type PlanState = 'changes' | 'no-changes' | 'unknown'

export function planState(result: RunResult): PlanState {
  if (changedSteps(result).length) return 'changes'
  const observed = !result.offline && !result.steps.some((step) => step.action === 'unknown') && !(result.error && result.steps.length === 0)
  return observed ? 'no-changes' : 'unknown'
}

/** The plan-id output: '' for a plan that could not observe, whose changes are not known. */
export function planIdOf(result: RunResult): string {
  return planState(result) === 'unknown' ? '' : planId({ provider: result.provider, ...result.target }, result.steps)
}

export function changedSteps(result: RunResult): ReportedStep[] {
  return result.steps.filter(isChange)
}

export { sortedLinks } from './links.js'

/** Verified means something was proven and nothing was disproven. */
export function isVerified(checks: Check[]): boolean {
  return checks.some((check) => check.status === 'pass') && !checks.some((check) => check.status === 'fail')
}

export function planDocument(result: RunResult): PlanDocument {
  const changes = changedSteps(result).length
  return {
    schemaVersion: 1,
    mode: result.mode,
    provider: result.provider,
    target: {
      projectId: result.target.projectId,
      regionId: result.target.regionId,
      network: result.target.network,
      endpointService: result.target.endpointService
    },
    hasChanges: changes > 0,
    changesCount: changes,
    state: planState(result),
    planId: planIdOf(result),
    ...(result.offline ? { offline: result.offline } : {}),
    ...(result.destroy ? { destroy: true as const } : {}),
    ...(result.cancelled ? { cancelled: true as const } : {}),
    ...(result.outOfScope?.length ? { outOfScope: result.outOfScope.map((r) => ({ kind: r.kind, name: r.name, host: r.host })) } : {}),
    ...(result.warnings?.length ? { warnings: [...result.warnings] } : {}),
    steps: result.steps.map((step) => ({
      id: step.id,
      kind: step.kind,
      name: step.name,
      action: step.action,
      reason: step.reason,
      dependsOn: [...step.dependsOn],
      attributes: { ...step.attributes },
      status: step.status,
      startMs: step.startMs,
      durationMs: step.durationMs,
      error: step.error
    }))
  }
}

/** The dns-records output (docs/schema/dns-records.v1.schema.json): each cluster's record, as DNS writes it. */
export function dnsRecordsDocument(result: RunResult): DnsRecordSpec[] {
  return [...(result.resources?.dnsRecords ?? [])]
    .sort((a, b) => a.clusterId.localeCompare(b.clusterId))
    .map((r) => ({
      clusterId: r.clusterId,
      zone: r.zone,
      ...(r.zoneId ? { zoneId: r.zoneId } : {}),
      name: r.name,
      type: r.type,
      ...(r.ttl === undefined ? {} : { ttl: r.ttl }),
      values: [...r.values],
      ...(r.alias ? { alias: { dnsName: r.alias.dnsName, hostedZoneId: r.alias.hostedZoneId } } : {})
    }))
}

export function verificationDocument(result: RunResult): VerificationDocument {
  const proof = proofByHost(result)
  return {
    schemaVersion: 1,
    verified: isVerified(result.checks),
    checks: result.checks.map((check) => ({
      id: check.id,
      title: check.title,
      status: check.status,
      evidence: check.evidence,
      cause: check.cause,
      fix: check.fix,
      proof: check.proof,
      proofSource: check.proofSource,
      host: check.host
    })),
    ...(proof ? { proof: proof.map((h) => ({ clusterId: h.clusterId, host: h.host, checks: h.checks.map((c) => ({ ...c })) })) } : {})
  }
}
