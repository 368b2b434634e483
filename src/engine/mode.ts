// mode: auto decides plan or apply from the event. A run without a credential it needs plans offline only
// where GitHub withholds credentials by design (fork pull requests, Dependabot); anywhere else the missing
// token or key is a mistake in the workflow, and the run fails before any call, naming the fix.
import type { Config, Mode, ModeInput } from '../config/types.js'
import type { Withheld } from '../github/withheld.js'

const PLAN_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group', 'schedule'])
const APPLY_EVENTS = new Set(['push', 'workflow_dispatch'])

export interface ModeContext {
  eventName: string | undefined
  /** Set when GitHub gives this run no credentials by design: which kind of run it is */
  withheld?: Withheld | undefined
  /** ACTIONS_ID_TOKEN_REQUEST_* are present */
  oidcAvailable: boolean
  /** The input that authenticates through GitHub OIDC (a role, a workload identity provider, a client id), if any */
  oidcInput?: string | undefined
  /** No Zilliz API key was given */
  apiKeyMissing: boolean
}

export interface ModeDecision {
  mode: Mode
  reason: string
  /** destroy and destroy-plan: remove what the action manages (apply) or show that removal (plan) */
  destroy?: true
  /** Set when the plan cannot read the cloud or Zilliz because GitHub withheld the credentials: why, for a notice */
  offline?: string
  /** Set when a credential is missing where GitHub would have given it: the cause and the fix. Nothing may be called. */
  missing?: string
}

/** The event-only part of the decision; main.ts uses it before the config exists. */
export function autoMode(eventName: string | undefined, withheld?: Withheld): { mode: Mode; reason: string } {
  // A run without credentials cannot apply; auto takes the side that cannot change anything.
  if (withheld) return { mode: 'plan', reason: `mode auto only plans in ${withheld.description}, which GitHub gives no credentials` }
  if (eventName && APPLY_EVENTS.has(eventName)) return { mode: 'apply', reason: `mode auto applies on ${eventName}` }
  if (eventName && PLAN_EVENTS.has(eventName)) return { mode: 'plan', reason: `mode auto only plans on ${eventName}` }
  // Unknown or missing events (local runs, release, ...) get the side that cannot change anything.
  return { mode: 'plan', reason: `mode auto plans on ${eventName ?? 'a run outside GitHub Actions'}; set mode: apply to apply` }
}

/** The input that makes the run authenticate through GitHub OIDC, if any. */
export function oidcInput(config: Config): string | undefined {
  if (config.aws?.roleArn) return 'aws-role-arn'
  if (config.gcp?.workloadIdentityProvider) return 'gcp-workload-identity-provider'
  if (config.azure?.tenantId && config.azure.clientId) return 'azure-client-id'
  return undefined
}

interface Gap {
  /** What is missing and what could therefore not be read */
  what: string
  /** How to give it, where GitHub would */
  fix: string
}

/** The credentials this run needs but does not have. */
export function missingCredentials(ctx: ModeContext): Gap[] {
  const gaps: Gap[] = []
  if (ctx.oidcInput && !ctx.oidcAvailable)
    gaps.push({
      what: `no GitHub OIDC token, which ${ctx.oidcInput} needs, so the cloud was not read`,
      fix:
        'add `id-token: write` (with `contents: read`) to the permissions of the job; a job-level permissions block replaces the workflow-level one, ' +
        'and a job calling a reusable workflow must grant it there'
    })
  if (ctx.apiKeyMissing)
    gaps.push({
      what: 'no zilliz-api-key, so Zilliz was not read',
      fix: 'store the Zilliz API key as a secret (e.g. ZILLIZ_API_KEY) and pass it as zilliz-api-key: ${{ secrets.ZILLIZ_API_KEY }}'
    })
  return gaps
}

function offlineReason(withheld: Withheld, gaps: Gap[]): string {
  return `Offline plan: this is ${withheld.description}, which GitHub gives no secrets and no OIDC token; ${gaps.map((g) => g.what).join('; ')}. What could not be observed is marked unknown.`
}

function missingReason(mode: Mode, ctx: ModeContext, gaps: Gap[]): string {
  if (ctx.withheld)
    return `This is ${ctx.withheld.description}, which GitHub gives no secrets and no OIDC token, so it cannot ${mode}: ${gaps.map((g) => g.what).join('; ')}. Apply from a push or workflow_dispatch of the repository itself, and leave mode at auto or plan for such runs.`
  const event = ctx.eventName ? `a ${ctx.eventName} run` : 'this run'
  return `The run has ${gaps.map((g) => g.what).join(' and ')}. GitHub withholds credentials only from fork pull requests and Dependabot runs, and this is ${event}, so it is not planned offline. Fix: ${gaps.map((g) => g.fix).join('; and ')}.`
}

export function resolveMode(input: ModeInput, ctx: ModeContext): ModeDecision {
  const decided: ModeDecision =
    input === 'auto'
      ? autoMode(ctx.eventName, ctx.withheld)
      : input === 'destroy'
        ? { mode: 'apply', destroy: true, reason: 'mode input is destroy' }
        : input === 'destroy-plan'
          ? { mode: 'plan', destroy: true, reason: 'mode input is destroy-plan' }
          : { mode: input, reason: `mode input is ${input}` }
  const gaps = missingCredentials(ctx)
  if (!gaps.length) return decided
  // Only a plan, and only where GitHub withheld the credentials, goes offline; anything else fails. A destroy
  // plan never does: without reading the cloud it could not say what would be removed.
  if (decided.mode === 'plan' && !decided.destroy && ctx.withheld) return { ...decided, offline: offlineReason(ctx.withheld, gaps) }
  return { ...decided, missing: missingReason(decided.mode, ctx, gaps) }
}
