// mode: auto decides plan or apply from the event; a plan that cannot read the cloud (no OIDC token) or
// Zilliz (no API key: secrets are withheld from fork and Dependabot runs) becomes an offline plan.
import type { Config, Mode, ModeInput } from '../config/types.js'

const PLAN_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group', 'schedule'])
const APPLY_EVENTS = new Set(['push', 'workflow_dispatch'])

export interface ModeContext {
  eventName: string | undefined
  /** ACTIONS_ID_TOKEN_REQUEST_* are present */
  oidcAvailable: boolean
  /** The config authenticates through GitHub OIDC (a role, a workload identity provider, a federated credential) */
  oidcNeeded: boolean
  /** No Zilliz API key was given */
  apiKeyMissing: boolean
}

export interface ModeDecision {
  mode: Mode
  reason: string
  /** Set when the plan cannot read the cloud or Zilliz: why, for a notice */
  offline?: string
}

/** The event-only part of the decision; main.ts uses it before the config exists. */
export function autoMode(eventName: string | undefined): { mode: Mode; reason: string } {
  if (eventName && APPLY_EVENTS.has(eventName)) return { mode: 'apply', reason: `mode auto applies on ${eventName}` }
  if (eventName && PLAN_EVENTS.has(eventName)) return { mode: 'plan', reason: `mode auto only plans on ${eventName}` }
  // Unknown or missing events (local runs, release, ...) get the side that cannot change anything.
  return { mode: 'plan', reason: `mode auto plans on ${eventName ?? 'a run outside GitHub Actions'}; set mode: apply to apply` }
}

export function oidcNeeded(config: Config): boolean {
  return Boolean(config.aws?.roleArn || config.gcp?.workloadIdentityProvider || (config.azure?.tenantId && config.azure.clientId))
}

function offlineReason(ctx: ModeContext): string | undefined {
  const missing = [
    ctx.oidcNeeded && !ctx.oidcAvailable && 'no GitHub OIDC token (a fork pull request, Dependabot, or a job without `id-token: write`), so the cloud was not read',
    ctx.apiKeyMissing && 'no zilliz-api-key (secrets are withheld from fork and Dependabot runs), so Zilliz was not read'
  ].filter((m): m is string => Boolean(m))
  return missing.length ? `Offline plan: ${missing.join('; ')}. What could not be observed is marked unknown.` : undefined
}

export function resolveMode(input: ModeInput, ctx: ModeContext): ModeDecision {
  const decided = input === 'auto' ? autoMode(ctx.eventName) : { mode: input, reason: `mode input is ${input}` }
  // Apply never goes offline: without credentials it fails and says why.
  if (decided.mode === 'apply') return decided
  const offline = offlineReason(ctx)
  return offline ? { ...decided, offline } : decided
}
