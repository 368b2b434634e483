// The one interface every cloud implements. The engine owns the Zilliz side, the DAG, waiting and reporting.
import type { ProviderName } from '../config/types.js'
import type { Check } from '../base/checks.js'
import type { DnsRecordSpec, ShadowedZone } from './dns-placement.js'
import type { Observations } from '../base/observations.js'
import type { PlannedStep, StepContext } from './plan.js'
import type { DataPlaneProof } from './proof.js'
import type { Target } from './target.js'
import type { EphemeralKind } from './ephemeral.js'
import type { PathAnalyzer } from './path-model.js'

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
  /** dns: existing-zone: named zones wider than the hosts they get records for (they hide other names) */
  widerZones?: ShadowedZone[]
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
  /** Each cluster's private-link record as it is (or, for dns: none, is to be) made: the dns-records output */
  dnsRecords?: DnsRecordSpec[]
}

/**
 * What a resource is to the link, in the order a destroy removes them: the short-lived proof resources
 * (src/engine/ephemeral.ts) first, as they may sit in the network the link serves; then clients lose the names, then
 * the names lose their zones, Zilliz forgets the endpoint while it is still provably ours, then the
 * endpoint goes, then the address it held (GCP), and last the security rule it used (AWS refuses to delete a
 * group an endpoint holds).
 */
export const REMOVAL_LAYERS = ['proof', 'record', 'zone-link', 'zone', 'registration', 'endpoint', 'endpoint-address', 'security-rule'] as const
export type RemovalLayer = (typeof REMOVAL_LAYERS)[number]

/** A resource the action manages, found by its ownership tags or labels and its deterministic name. */
export interface ManagedResource {
  /** Unique among the inventory, e.g. 'dns-zone:in01-abc'; becomes the delete step's id */
  id: string
  kind: string
  name: string
  layer: RemovalLayer
  /** For DNS resources: the private-link host they serve, which prune compares with the scope */
  host?: string
  /** Why it is ours, e.g. 'tagged for proj-… by octo-org/octo-repo' */
  evidence: string
  /** Deletes it and waits until the cloud has (a resource already gone counts as deleted) */
  remove(ctx: StepContext): Promise<void>
}

/** Something that looks related but is not the action's: never deleted, listed with the reason. */
export interface KeptResource {
  kind: string
  name: string
  reason: string
}

export interface Inventory {
  managed: ManagedResource[]
  kept: KeptResource[]
  /** The id Zilliz knows the managed endpoint by, when there is one; the engine deregisters it */
  endpointId?: string
  gcpProjectId?: string
  /** Cloud account the whitelist entry names, when the region needs one */
  whitelistAccount?: string
}

/**
 * What the caller will use of an inventory. Prune and the out-of-scope report use only the DNS of hosts
 * the target no longer names, so a provider may leave out (and skip the reads of) the DNS of `inScope`.
 */
export interface InventoryHint {
  /** Lower-case private-link hosts whose DNS the caller does not need */
  inScope: ReadonlySet<string>
}

export interface CloudProvider {
  readonly name: ProviderName
  /** Reads shared by plan, inventory and verify while the run writes nothing (see base/observations.ts) */
  readonly observations?: Observations
  /** Authenticate (OIDC or ambient); throws an error that explains the cause */
  connect(): Promise<Identity>
  /** Observe what exists and return the steps that converge it on the target */
  plan(target: Target): Promise<ProviderPlan>
  /**
   * Everything the action manages for this project, region and network, whatever the clusters in scope
   * (destroy removes all of it, prune what serves clusters no longer in scope), and the look-alikes kept.
   * Reads only; each resource's remove() is the write.
   */
  inventory(target: Target, hint?: InventoryHint): Promise<Inventory>
  /** Control-plane checks after apply (or against what exists, in plan mode) */
  verify(target: Target): Promise<Check[]>
  report(): ProviderReport
  /**
   * The kinds of short-lived proof resource this provider creates, in the order a sweep deletes them (a kind
   * others depend on last). Each lists ours back by the markers ephemeralTags() put on them.
   */
  ephemeralKinds(): EphemeralKind[]
  /**
   * How this cloud can prove the data plane without a runner in the network (analyses, a probe), read
   * after verify(); absent members are levels the provider does not offer.
   */
  dataPlaneProof?(): DataPlaneProof
  /** Level 1 path proof from the client subnet to the endpoint (paid per analysis on AWS and Google Cloud) */
  pathAnalyzer?(): PathAnalyzer
}

/** Step id of the Zilliz registration; a provider's acceptance wait depends on it. */
export const REGISTRATION_STEP = 'zilliz-registration'
