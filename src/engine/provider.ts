// The one interface every cloud implements. The engine owns the Zilliz side, the DAG, waiting and reporting.
import type { ProviderName } from '../config/types.js'
import type { Check } from '../base/checks.js'
import type { PlannedStep } from './plan.js'
import type { Target } from './target.js'

/** Who the run acts as in the cloud; shown in the report. */
export interface Identity {
  /** e.g. arn:aws:sts::123456789012:assumed-role/r/gha */
  principal: string
  /** Account, project or subscription */
  account: string
  /** How the credentials were obtained, e.g. 'GitHub OIDC → AssumeRoleWithWebIdentity' */
  method: string
}

/** How the engine registers the cloud endpoint with Zilliz. */
export interface RegistrationSpec {
  /** Step whose completion makes endpointId() known; the registration step depends on it */
  endpointStep: string
  /** The id Zilliz knows the endpoint by (vpce-…, forwarding-rule name, name.resourceGuid) */
  endpointId(): string | undefined
  gcpProjectId?: string
  /** Cloud account to whitelist when the region's service says whitelistRequired */
  whitelistAccount?: string
}

export interface ProviderPlan {
  steps: PlannedStep[]
  registration: RegistrationSpec
}

/** Resource ids and a topology for outputs and the summary diagram, current as of the call. */
export interface ProviderReport {
  network: string
  endpointId?: string
  endpointAddress?: string
  /** Private IPs of the endpoint in the user's network, for the data-plane checks */
  endpointIps?: string[]
  securityRule?: string
  dnsZones: { name: string; id: string }[]
}

export interface CloudProvider {
  readonly name: ProviderName
  /** Authenticate (OIDC or ambient); throws an error that explains the cause */
  connect(): Promise<Identity>
  /** Observe what exists and return the steps that converge it on the target */
  plan(target: Target): Promise<ProviderPlan>
  /** Control-plane checks after apply (or against what exists, in plan mode) */
  verify(target: Target): Promise<Check[]>
  report(): ProviderReport
}

/** Step id of the Zilliz registration; a provider's acceptance wait depends on it. */
export const REGISTRATION_STEP = 'zilliz-registration'
