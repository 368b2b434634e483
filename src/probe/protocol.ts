// What the action hands the in-network probe and what the probe hands back: plain JSON both ways, so a
// Lambda event, a command-line argument and a log line carry it alike. The request names hosts, ports
// and the endpoint's IPs only; it never carries a credential.
import type { DataPlaneLink, LinkObservation } from '../verify/checks.js'
import type { DnsServer } from '../verify/dns.js'

export const PROBE_PROTOCOL = 1

export interface ProbeRequest {
  protocol: typeof PROBE_PROTOCOL
  links: DataPlaneLink[]
  /** The endpoint's private IPs: DNS answers outside them are not followed */
  endpointIps?: string[]
  /** The dns-server input; absent: the resolver of the subnet the probe runs in */
  dnsServer?: DnsServer
  /** Per probe step */
  timeoutMs: number
}

export interface ProbeResult {
  protocol: typeof PROBE_PROTOCOL
  links: { clusterId: string; observation: LinkObservation }[]
  /** Wall time of the whole probe in the network */
  ms: number
}

/** Prefix of the one stdout line that carries the result, so it is found among a container's log lines. */
export const RESULT_MARKER = 'ZILLIZ_PRIVATE_LINK_PROBE_RESULT '

/** The environment variable that carries the request to a container (Cloud Run, Container Instances). */
export const REQUEST_VARIABLE = 'ZILLIZ_PRIVATE_LINK_PROBE_REQUEST'

const isLink = (value: unknown): value is DataPlaneLink => {
  const link = value as DataPlaneLink
  return typeof link?.clusterId === 'string' && typeof link.host === 'string' && Number.isInteger(link.port)
}

/** The request as the probe received it, or why it is not one (a probe older or newer than the action, say). */
export function parseProbeRequest(value: unknown): ProbeRequest {
  const request = (typeof value === 'string' ? JSON.parse(value) : value) as ProbeRequest
  if (request?.protocol !== PROBE_PROTOCOL) throw new Error(`probe request of protocol ${String(request?.protocol)}, this probe speaks ${PROBE_PROTOCOL}`)
  if (!Array.isArray(request.links) || !request.links.every(isLink)) throw new Error('probe request without a valid links list')
  if (!Number.isInteger(request.timeoutMs) || request.timeoutMs <= 0) throw new Error('probe request without a positive timeoutMs')
  return request
}

/** The result from a Lambda payload or from log lines; undefined when none of them carries one. */
export function parseProbeResult(text: string): ProbeResult | undefined {
  const line = text.split('\n').find((l) => l.includes(RESULT_MARKER))
  const json = line ? line.slice(line.indexOf(RESULT_MARKER) + RESULT_MARKER.length) : text
  try {
    const result = JSON.parse(json) as ProbeResult
    return result?.protocol === PROBE_PROTOCOL && Array.isArray(result.links) ? result : undefined
  } catch {
    return undefined
  }
}
