// Which proof of the data plane a run can reach, and running it. In order of strength:
//   live from this runner   the runner is inside the network (verify: full, or auto and a private answer)
//   live from a probe       the provider runs the same checks in the client subnet (opt-in, level 2)
//   analysis                the provider reads what decides a client's fate (level 1, no compute)
//   none                    nothing can be proven; one skipped check says why
// The route is decided once per run and applies to every host; each check says the level it reached
// (`proof`), who reached it (`proofSource`) and for which host, and the report tabulates them per host.
import type { Check } from '../base/checks.js'
import type { Logger } from '../base/log.js'
import type { Mode } from '../config/types.js'
import { explainFailure } from '../engine/failure.js'
import type { DataPlaneProof, ProofContext } from '../engine/proof.js'
import { ERROR_TEXT } from './error-text.js'
import { checkFromRunner, notFromRunner, runnerVantage, type DataPlaneInput, type RunnerVantage } from './index.js'

export type ProofRoute =
  | { level: 'live'; from: 'runner'; why: string }
  | { level: 'live'; from: 'probe'; outside: string }
  | { level: 'analysis'; parts: AnalysisPart[]; outside: string }
  | { level: 'none'; reason: string }

export type AnalysisPart = 'dns' | 'path'

const ANALYSES: Record<AnalysisPart, { member: 'analyzeDns' | 'analyzePath'; id: string; title: string }> = {
  dns: { member: 'analyzeDns', id: 'dns-analysis', title: 'Where the network sends queries for the private-link hosts, from its DNS configuration' },
  path: { member: 'analyzePath', id: 'path-analysis', title: 'The path from the client subnet to the endpoint on the link ports, from analysis' }
}

/** The strongest proof reachable in this run, given where the runner is and what the provider offers. */
export function chooseRoute(vantage: RunnerVantage, proof: DataPlaneProof | undefined): ProofRoute {
  if (vantage.inside) return { level: 'live', from: 'runner', why: vantage.why }
  if (proof?.probe) return { level: 'live', from: 'probe', outside: vantage.reason }
  const parts = (Object.keys(ANALYSES) as AnalysisPart[]).filter((part) => proof?.[ANALYSES[part].member])
  if (parts.length) return { level: 'analysis', parts, outside: vantage.reason }
  return { level: 'none', reason: vantage.reason }
}

export interface InNetworkProofInput extends DataPlaneInput {
  mode: Mode
  /** What the provider offers beyond this runner; absent: nothing */
  proof?: DataPlaneProof
  log: Logger
  signal?: AbortSignal
}

/** The data-plane checks of the run, each carrying the proof level it reached. */
export async function proveInNetwork(input: InNetworkProofInput): Promise<Check[]> {
  if (input.verify === 'control-plane' || input.verify === 'none') return []
  const first = input.links[0]
  if (!first) return [notFromRunner('there is no private link to check')]
  const route = chooseRoute(await runnerVantage(input, first), input.proof)
  input.log.info(`Data-plane proof: ${describeRoute(route)}`)
  const context: ProofContext = { mode: input.mode, links: input.links, endpointIps: input.endpointIps, controlPlane: input.controlPlane, log: input.log, signal: input.signal }
  switch (route.level) {
    case 'live':
      if (route.from === 'runner') return checkFromRunner(input)
      return [notFromRunner(route.outside), ...(await guarded('probe', 'Live checks from a probe in the client subnet', () => input.proof!.probe!(context)))]
    case 'analysis': {
      const analyses = await Promise.all(route.parts.map((part) => guarded(ANALYSES[part].id, ANALYSES[part].title, () => input.proof![ANALYSES[part].member]!(context))))
      return [notFromRunner(`${route.outside} Level 1 analysis (${route.parts.join(' and ')}) stands in for what can be read from the configuration.`), ...analyses.flat()]
    }
    case 'none':
      return [notFromRunner(route.reason)]
  }
}

/** One line for the log: which route and why. */
export function describeRoute(route: ProofRoute): string {
  switch (route.level) {
    case 'live':
      return route.from === 'runner' ? `live from this runner (${route.why})` : 'live from a probe in the client subnet'
    case 'analysis':
      return `analysis of the configuration (${route.parts.join(', ')}); ${ERROR_TEXT.outside}`
    case 'none':
      return 'none'
  }
}

/**
 * A proof that could not be obtained (a denied read, a cloud error) is an unknown, not a failed link: one
 * skipped check with proof none that says what went wrong, so the rest of the run is unaffected.
 */
async function guarded(id: string, title: string, work: () => Promise<Check[]>): Promise<Check[]> {
  try {
    return await work()
  } catch (error) {
    return [{ id, title, status: 'skip', evidence: `not proven: ${explainFailure(error).message}`, proof: 'none' }]
  }
}
