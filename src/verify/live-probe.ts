// Level 2 of the in-network proof: the data-plane checks run by a probe the action starts inside the
// client subnet (a Lambda function, a Cloud Run job, a container group). The probe only observes; the
// checks are judged here, with the control-plane checks, exactly as the runner's own would be, and carry
// proof 'live' with the probe as their source.
import { skipped, type Check } from '../base/checks.js'
import type { Logger } from '../base/log.js'
import type { Config, Mode } from '../config/types.js'
import { withEphemeral, type EphemeralScope } from '../engine/ephemeral.js'
import { PROBE_PROTOCOL, type ProbeRequest, type ProbeResult } from '../probe/protocol.js'
import { judgeLink, type DataPlaneLink } from './checks.js'
import { serverLabel, type DnsServer } from './dns.js'

/** A probe in the client subnet, ready to be run once per verification. */
export interface InNetworkProbe {
  /** How the checks name their proof, e.g. 'Lambda probe in subnet-0a1… with sg-0b2…' */
  readonly source: string
  /** Runs the probe and returns what it observed; its own cloud resources are gone (or left to the sweep) when it returns */
  run(request: ProbeRequest, signal?: AbortSignal): Promise<ProbeResult>
}

export const PROBE_CHECK = { id: 'in-network-probe', title: 'Live probe in the client subnet' } as const

export interface LiveProbeInput {
  links: DataPlaneLink[]
  endpointIps?: string[]
  /** The dns-server input, when given: the probe asks it too, as the clients are said to */
  dnsServer?: DnsServer
  timeoutMs: number
  controlPlane: Check[]
  signal?: AbortSignal
}

export function probeRequest(input: LiveProbeInput): ProbeRequest {
  return {
    protocol: PROBE_PROTOCOL,
    links: input.links.map(({ clusterId, host, port }) => ({ clusterId, host, port })),
    ...(input.endpointIps?.length ? { endpointIps: input.endpointIps } : {}),
    ...(input.dnsServer ? { dnsServer: input.dnsServer } : {}),
    timeoutMs: input.timeoutMs
  }
}

/** The four checks per link from the probe, each with proof 'live' and the probe as its source. */
export async function checksFromProbe(probe: InNetworkProbe, input: LiveProbeInput): Promise<Check[]> {
  const result = await probe.run(probeRequest(input), input.signal)
  const via = input.dnsServer ? serverLabel(input.dnsServer) : 'the subnet resolver'
  return input.links.flatMap((link): Check[] => {
    const seen = result.links.find((l) => l.clusterId === link.clusterId)?.observation
    if (!seen) throw new Error(`${probe.source} answered without ${link.host}`)
    return judgeLink(link, seen, { via, endpointIps: input.endpointIps, controlPlane: input.controlPlane, proofSource: probe.source })
  })
}

/** What the data-plane proof hands a provider's probe (src/engine/proof.ts ProofContext has this shape). */
export interface LiveProbeContext {
  mode: Mode
  links: DataPlaneLink[]
  endpointIps?: string[]
  controlPlane: Check[]
  log: Logger
  signal?: AbortSignal
}

/**
 * Runs a provider's probe for one verification: its cloud resources are created through a scope of their
 * own and deleted when the checks are in (or at once on cancel). A plan creates nothing: it says so.
 */
export async function liveProbeChecks(context: LiveProbeContext, open: (scope: EphemeralScope) => Promise<InNetworkProbe>): Promise<Check[]> {
  if (context.mode !== 'apply') {
    return [{ ...skipped(PROBE_CHECK.id, PROBE_CHECK.title, 'the live probe runs on apply; a plan creates nothing'), proof: 'none' }]
  }
  return withEphemeral(context.log, context.signal, async (scope) =>
    checksFromProbe(await open(scope), {
      links: context.links,
      endpointIps: context.endpointIps,
      // The subnet's own resolver, as its clients use: the dns-server input is this runner's.
      timeoutMs: PROBE_STEP_TIMEOUT_MS,
      controlPlane: context.controlPlane,
      signal: context.signal
    })
  )
}

/** Per probe step in the subnet: a resolver or endpoint there answers in milliseconds. */
export const PROBE_STEP_TIMEOUT_MS = 5000

/**
 * What makes one run's probe resource name unique: the workflow run and attempt, or (outside Actions) the
 * process and time. Lowercase letters, digits and hyphens, so it fits Lambda, Cloud Run and Azure names.
 */
export function probeRunToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = env['GITHUB_RUN_ID'] ? `${env['GITHUB_RUN_ID']}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}` : `local-${process.pid}-${Date.now().toString(36)}`
  return token.toLowerCase().replace(/[^a-z0-9-]/g, '-')
}

/** The input that opts into the live probe, when one is given: the probe identity of the provider's cloud. */
export function probeIdentity(config: Config): string | undefined {
  if (config.aws?.probeRoleArn) return 'aws-probe-role-arn'
  if (config.gcp?.probeServiceAccount) return 'gcp-probe-service-account'
  if (config.azure?.probeSubnetId) return 'azure-probe-subnet-id'
  return undefined
}
