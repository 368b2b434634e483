// Level 1 path proof, one model on every cloud (the shapes are in path-model.ts): from the client subnet to the endpoint, per link port, the
// cloud's own analysis (AWS Reachability Analyzer, Google Connectivity Tests) or, where none exists without
// a VM (Azure), the effective rules computed from the configuration. A provider turns its cloud's answer
// into PortVerdicts; this module turns them into checks with the proof level and source, the same way for all.
import type { Check } from '../base/checks.js'
import type { Logger } from '../base/log.js'
import type { Config } from '../config/types.js'
import { withEphemeral } from './ephemeral.js'
import type { PathAnalysisRun, PathAnalyzer, PortVerdict } from './path-model.js'
import type { AnalysisDecision } from './network-analysis.js'
import type { DataPlaneProof, ProofContext } from './proof.js'
import { DEFAULT_PORTS } from './target-builder.js'

/** The ports a client uses: the link defaults, every cluster's port and the ports input. */
export function analysisPorts(config: Config, linkPorts: number[]): number[] {
  return [...new Set([...DEFAULT_PORTS, ...linkPorts, ...config.ports])].sort((a, b) => a - b)
}

export const PATH_CHECK_PREFIX = 'path:'

/** What a cloud supplies to analyse the path; pathAnalyzer() adds what every cloud does alike. */
export interface PathAnalyzerParts<Origin extends { words: string }, Aim> {
  /** The client side, read from the cloud: where the path starts, with `words` for the checks */
  readOrigin(): Promise<Origin>
  /** What the analysis aims at (the endpoint's id or address), once the endpoint has it */
  aim(): Aim | undefined
  /** Until then: the analysis's name and what it waits for, e.g. 'there is no VPC endpoint to analyse yet' */
  notYet: { proofSource: string; detail: string }
  analyse(run: PathAnalysisRun, from: Origin, aim: Aim): Promise<PortVerdict[]>
}

/**
 * A PathAnalyzer from a cloud's parts: the origin is read once and shared by origin() and analyse(); before
 * the endpoint exists (a plan of a new link) every port is unknown, saying what the analysis waits for.
 */
export function pathAnalyzer<Origin extends { words: string }, Aim>(parts: PathAnalyzerParts<Origin, Aim>): PathAnalyzer {
  let origin: Promise<Origin> | undefined
  const readOrigin = (): Promise<Origin> => (origin ??= parts.readOrigin())
  return {
    origin: async () => (await readOrigin()).words,
    analyse: async (run) => {
      const aim = parts.aim()
      if (aim === undefined) return run.ports.map((port) => ({ port, reachable: undefined, blockers: [], ...parts.notYet }))
      return parts.analyse(run, await readOrigin(), aim)
    }
  }
}

function toCheck(verdict: PortVerdict, origin: string): Check {
  const base = { id: `${PATH_CHECK_PREFIX}${verdict.port}`, title: `The client subnet reaches the endpoint on tcp/${verdict.port}`, proofSource: verdict.proofSource }
  const detail = `${verdict.detail ? `; ${verdict.detail}` : ''}; ${verdict.reachable === undefined ? 'tried' : 'proven'} by ${verdict.proofSource}`
  if (verdict.reachable === undefined) return { ...base, status: 'skip', evidence: `not proven from ${origin}${detail}`, proof: 'none' }
  if (verdict.reachable) return { ...base, status: 'pass', evidence: `reachable from ${origin}${detail}`, proof: 'analysis' }
  const named = verdict.blockers.length ? verdict.blockers : [{ component: 'an unnamed component', why: 'the analysis found no path', fix: 'Read the analysis in the console.' }]
  return {
    ...base,
    status: 'fail',
    evidence: `blocked from ${origin}: ${named.map((b) => `${b.component}: ${b.why}`).join('; ')}${detail}`,
    cause: `Traffic from the client subnet to the endpoint on tcp/${verdict.port} is dropped by ${named.map((b) => b.component).join(' and ')}.`,
    fix: named.map((b) => b.fix).join(' '),
    proof: 'analysis'
  }
}

/**
 * Runs a provider's path analysis with its proof resources deleted in `finally` (and first, on cancellation),
 * one check per port: pass or fail with proof `analysis`, skip with proof `none` when it could not say.
 */
export async function pathChecks(analyzer: PathAnalyzer, input: { ports: number[]; deadline: number; log: Logger; signal?: AbortSignal }): Promise<Check[]> {
  const origin = await analyzer.origin()
  const verdicts = await withEphemeral(input.log, input.signal, (scope) =>
    analyzer.analyse({ ports: input.ports, scope, deadline: input.deadline, ...(input.signal ? { signal: input.signal } : {}) })
  )
  return verdicts.map((v) => toCheck(v, origin))
}

/** An analysis stops waiting after this long (real ones take about a minute), or at wait-timeout if sooner. */
const ANALYSIS_BUDGET_MS = 10 * 60 * 1000

/**
 * The path member of the data-plane proof, composed from the provider's analyzer and gated by
 * network-analysis: where the run may not pay for an analysis, one skipped check says why instead.
 * A failure to analyse (a denied call) becomes a skipped check in src/verify/in-network-proof.ts.
 */
export function withPathAnalysis(proof: DataPlaneProof | undefined, analyzer: PathAnalyzer | undefined, run: { config: Config; decision: AnalysisDecision }): DataPlaneProof | undefined {
  if (!analyzer) return proof
  const { config, decision } = run
  const analyzePath = async (context: ProofContext): Promise<Check[]> => {
    if (!decision.run) return [{ id: 'path-analysis', title: 'The path from the client subnet to the endpoint, from analysis', status: 'skip', evidence: `not analysed: ${decision.reason}`, proof: 'none' }]
    const deadline = Date.now() + Math.min(ANALYSIS_BUDGET_MS, config.waitTimeoutSeconds * 1000)
    const ports = analysisPorts(config, context.links.map((l) => l.port))
    return pathChecks(analyzer, { ports, deadline, log: context.log, ...(context.signal ? { signal: context.signal } : {}) })
  }
  return { ...proof, analyzePath }
}
