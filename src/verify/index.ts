// Data-plane verification: what a client inside the network would meet (DNS, TCP, TLS, HTTPS) for
// every private link, each failure diagnosed together with the control-plane checks.
//
// verify: full runs the checks; auto runs them only when the first private-link host resolves to a
// non-public address from this runner (a runner inside the network), and otherwise reports one
// skipped check with the reason, never a failure; control-plane and none run none.
import type { VerifyInput } from '../config/types.js'
import { parseDnsServer } from '../config/rules.js'
import { skipped, type Check } from '../base/checks.js'
import { isNonPublicAddress } from './addresses.js'
import { checkLink, RUNNER_SOURCE, type DataPlaneLink } from './checks.js'
import { privateDnsCheck } from './diagnose.js'
import { resolveA, serverLabel, unresolvedReason, type DnsOutcome, type DnsServer } from './dns.js'
import { ERROR_TEXT } from './error-text.js'
import { trustAnchors } from './tls.js'

export type { DataPlaneLink } from './checks.js'
export { RUNNER_SOURCE } from './checks.js'

export const DATA_PLANE_CHECK = { id: 'data-plane', title: 'DNS, TCP, TLS and HTTPS from this runner' } as const

/** Long enough for a resolver or endpoint inside the network many times over; short enough not to stall a run. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5000

export interface DataPlaneInput {
  verify: VerifyInput
  /** The dns-server input as typed (IP[:port]); absent: the runner's resolver */
  dnsServer?: string
  links: DataPlaneLink[]
  /** The endpoint's private IPs, when the provider reports them: DNS answers must be among them */
  endpointIps?: string[]
  /** The control-plane checks of this run, which the diagnoses combine with */
  controlPlane: Check[]
  /** Per probe (one DNS query, connect, handshake or request) */
  timeoutMs?: number
  /** CA certificates to trust besides the default store; the action itself passes none (Node reads NODE_EXTRA_CA_CERTS) */
  extraCaCerts?: string[]
}

function dnsServerOf(text: string | undefined): DnsServer | undefined {
  if (text === undefined) return undefined
  const parsed = parseDnsServer(text)
  // parseConfig validated the input already; this only guards callers that skip it.
  if ('error' in parsed) throw new Error(`dns-server: ${parsed.error}`)
  return parsed.value
}

/** Why auto runs no data-plane check: the link does not exist yet, or the runner is outside the network. */
function skipReason(link: DataPlaneLink, outcome: DnsOutcome, via: string, controlPlane: Check[]): string {
  if (outcome.kind === 'answers') {
    return `${ERROR_TEXT.outside}: ${link.host} resolves to ${outcome.addresses.join(', ')}, a public address. verify: full runs the DNS, TCP, TLS and HTTPS checks anyway.`
  }
  const seen = `${link.host} does not resolve (${unresolvedReason(outcome)} via ${via})`
  // In plan mode the control plane says when the zone or record is still to be created.
  if (privateDnsCheck(controlPlane, link.clusterId, ['skip'])) return `nothing to connect to yet: ${seen}, and its private DNS is not created yet; apply creates it.`
  return `${ERROR_TEXT.outside}: ${seen}. verify: full runs the DNS, TCP, TLS and HTTPS checks anyway.`
}

/** Whether this runner sits in the network, as far as the data-plane checks are concerned. */
export type RunnerVantage = { inside: true; why: string } | { inside: false; reason: string }

/**
 * full: the user says the runner is inside. auto: the first host resolving to a non-public address from
 * this runner says so; otherwise why not (a public answer, no answer, or a zone still to be created).
 */
export async function runnerVantage(input: DataPlaneInput, first: DataPlaneLink): Promise<RunnerVantage> {
  if (input.verify === 'full') return { inside: true, why: 'verify: full' }
  const dnsServer = dnsServerOf(input.dnsServer)
  const probe = await resolveA(first.host, { server: dnsServer, timeoutMs: input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS })
  if (probe.kind === 'answers' && probe.addresses.some(isNonPublicAddress)) return { inside: true, why: `${first.host} resolves to a private address from this runner` }
  return { inside: false, reason: skipReason(first, probe, serverLabel(dnsServer), input.controlPlane) }
}

/** The DNS, TCP, TLS and HTTPS checks of every link, run from this runner. */
export async function checkFromRunner(input: DataPlaneInput): Promise<Check[]> {
  const settings = {
    dnsServer: dnsServerOf(input.dnsServer),
    timeoutMs: input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    ca: trustAnchors(input.extraCaCerts),
    endpointIps: input.endpointIps,
    controlPlane: input.controlPlane
  }
  const perLink = await Promise.all(input.links.map((link) => checkLink(link, settings)))
  return perLink.flat()
}

/** The one check that says no data-plane fact was proven from this runner, and why. */
export function notFromRunner(reason: string): Check {
  const { id, title } = DATA_PLANE_CHECK
  return { ...skipped(id, title, reason), proof: 'none', proofSource: RUNNER_SOURCE }
}

/** The data-plane checks from this runner alone (no analysis, no probe): src/verify/in-network-proof.ts adds those. */
export async function verifyDataPlane(input: DataPlaneInput): Promise<Check[]> {
  if (input.verify === 'control-plane' || input.verify === 'none') return []
  const first = input.links[0]
  if (!first) return [notFromRunner('there is no private link to check')]
  const vantage = await runnerVantage(input, first)
  if (!vantage.inside) return [notFromRunner(vantage.reason)]
  return checkFromRunner(input)
}
