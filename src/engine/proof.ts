// What a provider may offer to prove the data plane when this runner is outside the network: level 1
// analyses (read the configuration that decides a client's fate, no compute) and a level 2 live probe in
// the client subnet. Every member is optional; src/verify/in-network-proof.ts decides which one runs.
// The engine never calls these: src/execute.ts composes the reconciler and the data-plane proof.
import type { Check } from '../base/checks.js'
import type { Logger } from '../base/log.js'
import { early } from '../base/settle.js'
import type { Config, Mode } from '../config/types.js'

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

/**
 * The reads of a level 1 DNS analysis depend on nothing the verification finds, so a provider starts them
 * beside its verification's reads (`start`) and its analysis takes them (`take`). A take reads afresh when
 * nothing was started for its key (what the reads depend on, such as the hosts), and each start is taken once.
 */
export interface ReadAhead<T> {
  start(key?: string): void
  take(key?: string): Promise<T>
}

export function readAhead<T>(read: (key: string) => Promise<T>): ReadAhead<T> {
  let started: { key: string; reading: Promise<T> } | undefined
  return {
    start: (key = '') => {
      if (started?.key !== key) started = { key, reading: early(read(key)) }
    },
    take: (key = '') => {
      const taken = started?.key === key ? started.reading : read(key)
      started = undefined
      return taken
    }
  }
}

/**
 * Whether this run's proof may analyse DNS, so its reads are worth starting beside the verification: data-plane
 * checks are asked for, there is a zone of ours to analyse, and no probe will prove it live instead. A runner
 * that turns out to be inside the network proves it live too, and leaves those reads unused.
 */
export function mayAnalyseDns(config: Config, probeConfigured: boolean): boolean {
  return config.verify !== 'control-plane' && config.verify !== 'none' && config.dns.mode !== 'none' && !probeConfigured
}
