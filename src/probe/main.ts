// The in-network probe, bundled alone into dist/probe.mjs (scripts/probe-bundle.ts): the DNS, TCP, TLS and
// HTTPS observations of src/verify, run where a client of the link runs. As a Lambda function its
// handler takes the request as the event and returns the result; in a container (Cloud Run, Container
// Instances) or a shell it reads the request from ZILLIZ_PRIVATE_LINK_PROBE_REQUEST and prints the result
// as one marked line. It judges nothing: the action judges with the control-plane checks beside it.
import { observeLink } from '../verify/checks.js'
import { parseProbeRequest, PROBE_PROTOCOL, REQUEST_VARIABLE, RESULT_MARKER, type ProbeResult } from './protocol.js'

export async function runProbe(event: unknown): Promise<ProbeResult> {
  const started = performance.now()
  const request = parseProbeRequest(event)
  const settings = { dnsServer: request.dnsServer, timeoutMs: request.timeoutMs, endpointIps: request.endpointIps }
  const links = await Promise.all(request.links.map(async (link) => ({ clusterId: link.clusterId, observation: await observeLink(link, settings) })))
  return { protocol: PROBE_PROTOCOL, links, ms: Math.round(performance.now() - started) }
}

/** The Lambda entry point (handler `probe.handler`). */
export const handler = (event: unknown): Promise<ProbeResult> => runProbe(event)

const request = process.env[REQUEST_VARIABLE]
if (request !== undefined) {
  runProbe(request).then(
    (result) => console.log(`${RESULT_MARKER}${JSON.stringify(result)}`),
    (error: unknown) => {
      console.error(`probe failed: ${(error as Error).message}`)
      process.exitCode = 1
    }
  )
}
