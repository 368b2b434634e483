// The latency model the benchmark runs the emulators under, and the bound it implies for a whole run.
// The bound never looks at a run: it is the longest chain of calls that depend on each other's answers,
// each costing the modelled call latency, plus the modelled cloud waits on that chain, plus the measured
// cold start of the bundle. A run's wall time over this bound is time the action itself spends.
import type { EmulatorOptions, Emulators } from '../../emulators/index.js'

export const MODEL = {
  /** Every API call, any service */
  callMs: 40,
  /** Registration to Zilliz's acceptance */
  acceptanceMs: 1500,
  /** Zilliz's acceptance to the EC2 endpoint turning available */
  awsAvailableMs: 200,
  /** A Route 53 change from PENDING to INSYNC */
  route53SyncMs: 400,
  /** A Compute operation RUNNING to DONE (the emulator's default) */
  gcpOperationMs: 20
} as const

export function modelOptions(): EmulatorOptions {
  return {
    aws: { acceptanceDelayMs: MODEL.awsAvailableMs, changeSyncDelayMs: MODEL.route53SyncMs },
    gcp: { operationDelayMs: MODEL.gcpOperationMs },
    zilliz: { acceptanceDelayMs: MODEL.acceptanceMs }
  }
}

export function applyModel(emulators: Emulators): void {
  emulators.switches.latency['*'] = MODEL.callMs
}

export interface Stage {
  what: string
  /** Dependent calls in this stage (calls that can be sent together count once) */
  calls: number
  /** Modelled cloud wait after the calls */
  waitMs?: number
}

/**
 * The critical chain of a fresh one-cluster apply per cloud. Reading the Zilliz side needs no cloud
 * credentials, so it overlaps authentication (2 calls: services, then clusters with registrations);
 * every observation of the plan goes out in one round once credentials and the service name are known.
 */
export const CHAINS: Record<string, Stage[]> = {
  AWS: [
    { what: 'GitHub ID token, then STS AssumeRoleWithWebIdentity (Zilliz reads overlap)', calls: 2 },
    // The VPC's zones and the account's zones by name are listed together (observeZones in providers/aws/dns.ts).
    { what: 'observe EC2 and Route 53 in one round', calls: 1 },
    { what: 'CreateSecurityGroup, CreateVpcEndpoint (needs the group), register with Zilliz (needs the endpoint id)', calls: 3 },
    { what: 'Zilliz accepts the endpoint, EC2 turns it available', calls: 0, waitMs: MODEL.acceptanceMs + MODEL.awsAvailableMs },
    { what: 'the poll that sees it available', calls: 1 },
    // The DNS analysis reads depend on nothing the verification finds, so they go with it (engine/proof.ts).
    { what: 'verification reads (ids known after apply) with the level 1 DNS analysis\'s: VPC attributes, DHCP options, Resolver rule associations (one round; no rule associated)', calls: 1 }
  ],
  'Google Cloud': [
    { what: 'GitHub ID token, STS token exchange, IAM generateAccessToken (Zilliz reads overlap)', calls: 3 },
    { what: 'observe Compute and Cloud DNS in one round', calls: 1 },
    { what: 'addresses.insert, its operation', calls: 2, waitMs: 0 },
    { what: 'forwardingRules.insert (needs the address), its operation, forwardingRules.get for the PSC id', calls: 3 },
    { what: 'register with Zilliz', calls: 1 },
    { what: 'Zilliz accepts the endpoint', calls: 0, waitMs: MODEL.acceptanceMs },
    // Each poll reads the registration and the clusters together (zilliz-steps.ts).
    { what: 'the poll that sees it accepted and the privateLinkAddress allocated', calls: 1 },
    { what: 'verification reads with the level 1 DNS analysis\'s: server policies and managed zones (one round)', calls: 1 }
  ],
  Azure: [
    { what: 'GitHub ID token, Entra client-assertion token (Zilliz reads overlap)', calls: 2 },
    { what: 'observe ARM in one round', calls: 1 },
    // Zilliz's Azure guide whitelists the subscription before the alias is used; the link service's visibility
    // decides which subscriptions may connect, so the endpoint's PUT waits for the whitelist entry.
    { what: 'the subscription whitelist entry, then PUT private endpoint, its operation status, GET the endpoint for its id', calls: 4 },
    { what: 'register with Zilliz', calls: 1 },
    { what: 'Zilliz accepts the endpoint', calls: 0, waitMs: MODEL.acceptanceMs },
    { what: 'the poll that sees it Approved and the privateLinkAddress allocated', calls: 1 },
    { what: 'verification reads with the level 1 DNS analysis\'s: forwarding rulesets linked to the network (one round; none linked)', calls: 1 }
  ]
}

/** The bound of one cloud's chain, without the cold start. */
export function chainMs(stages: Stage[]): number {
  return stages.reduce((sum, s) => sum + s.calls * MODEL.callMs + (s.waitMs ?? 0), 0)
}

export function chainCalls(stages: Stage[]): number {
  return stages.reduce((sum, s) => sum + s.calls, 0)
}
