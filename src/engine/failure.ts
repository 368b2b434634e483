// Turns any error into a message safe to show and, for the failures users commonly hit, what to do.
import { isZillizApiError } from '../zilliz/errors.js'
import { WaitFailedError, WaitTimeoutError } from './wait.js'

export interface ExplainedFailure {
  message: string
  hint?: string
}

const HINTS: { match: (e: Error) => boolean; hint: string }[] = [
  { match: (e) => e.name === 'OidcUnavailableError', hint: 'Grant `permissions: id-token: write` to the job; skip the step on fork and Dependabot pull requests, which never get a token.' },
  { match: (e) => e.name === 'AwsAuthError', hint: 'Compare the token claims in the log with the role trust policy (aud sts.amazonaws.com, sub).' },
  { match: (e) => e.name === 'AzureAuthError', hint: 'Compare the token claims in the log with the federated credential (issuer, subject, audience api://AzureADTokenExchange).' },
  { match: (e) => e.name === 'GcpAuthError', hint: 'Compare the token claims in the log with the workload identity provider\'s attribute condition and the service account\'s bindings.' },
  { match: (e) => e.name === 'PlanChangedError', hint: 'Run the plan again, review the new plan, and apply with its plan-id (re-running the workflow does both).' },
  { match: (e) => e.name === 'InputError', hint: 'Fix the input named at the start of the message and re-run.' },
  { match: (e) => e.name === 'PrewriteCheckError', hint: 'Nothing was written: this was checked before the first write. Fix the cause and re-run.' },
  { match: (e) => e.name === 'CancelledError', hint: 'Re-run when ready: nothing was changed.' },
  { match: (e) => e instanceof WaitTimeoutError, hint: 'Raise wait-timeout, or re-run: everything done so far is kept.' },
  { match: (e) => e instanceof WaitFailedError, hint: 'Check the resource in the cloud console; re-run once it is fixed.' },
  { match: (e) => isZillizApiError(e, 'auth', 'permission'), hint: 'Check the zilliz-api-key secret and that the key can manage the project.' },
  { match: (e) => isZillizApiError(e, 'throttled'), hint: 'Zilliz kept rate-limiting the calls through every retry: re-run in a few minutes, and avoid running several applies for one project at once.' },
  { match: (e) => isZillizApiError(e, 'server'), hint: 'Zilliz Cloud kept failing through every retry: re-run later (everything done so far is kept), or check status.zilliz.com.' },
  { match: (e) => isZillizApiError(e, 'network'), hint: "Check the zilliz-api-url input and the runner's outbound network access, then re-run." },
  { match: (e) => isZillizApiError(e, 'not-found'), hint: 'Check the zilliz-project-id input: it must be a project of the organization the API key belongs to.' }
]

export function explainFailure(error: unknown): ExplainedFailure {
  const e = error instanceof Error ? error : new Error(String(error))
  const hint = HINTS.find((h) => h.match(e))?.hint
  return { message: e.message, ...(hint ? { hint } : {}) }
}
