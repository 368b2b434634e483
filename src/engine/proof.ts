// What a provider may offer to prove the data plane when this runner is outside the network: level 1
// analyses (read the configuration that decides a client's fate, no compute) and a level 2 live probe in
// the client subnet. Every member is optional; src/verify/in-network-proof.ts decides which one runs.
// The engine never calls these: src/execute.ts composes the reconciler and the data-plane proof.
import type { Check } from '../base/checks.js'
import type { Logger } from '../base/log.js'
import type { Mode } from '../config/types.js'

/** One private link as a client meets it. */
export interface ProofLink {
  clusterId: string
  host: string
  port: number
}

export interface ProofContext {
  mode: Mode
  links: ProofLink[]
  /** The endpoint's private IPs, when the provider knows them */
  endpointIps?: string[]
  /**
   * The control-plane checks of this run. Analyses reuse them (the zone's association with the network,
   * the record, the port rules) instead of reading the same resources again.
   */
  controlPlane: Check[]
  log: Logger
  signal?: AbortSignal
}

export interface DataPlaneProof {
  /**
   * Level 1, DNS: from the network's DNS configuration, where a client's query for each host goes and
   * whether our zone answers it. One check per host, id `dns:<clusterId>`, proof `analysis`.
   */
  analyzeDns?(context: ProofContext): Promise<Check[]>
  /**
   * Level 1, path: whether the client subnet reaches the endpoint on the link ports, from analysis. Composed
   * by src/execute.ts from CloudProvider.pathAnalyzer (withPathAnalysis), gated by network-analysis.
   */
  analyzePath?(context: ProofContext): Promise<Check[]>
  /** Level 2: the DNS, TCP, TLS and HTTPS checks run live by a probe in the client subnet. Present only when configured. */
  probe?(context: ProofContext): Promise<Check[]>
}
