// The API clients of one run: Compute and Cloud DNS over REST, both through the session's auth client.
// Not @google-cloud/compute (its gax and protos cost over a second of start-up) and not @google-cloud/dns
// (a second HTTP stack with its own retries and error shape, and an https-only base URL); see docs/gcp.md.
import type { Observations } from '../../base/observations.js'
import { ServiceGate } from '../../base/rate-limit.js'
import type { GcpSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { GcpSession } from './auth.js'
import { ComputeApi } from './compute-api.js'
import { DnsApi } from './dns-api.js'
import type { GcpEndpoints } from './endpoints.js'
import { googleHttp } from './google-http.js'
import { NetworkManagementApi } from './network-management-api.js'
import { LoggingApi, RunApi } from './run-api.js'

export interface GcpClients {
  compute: ComputeApi
  dns: DnsApi
  /** Cloud DNS of another project (a zone named projects/P/managedZones/Z), on the same HTTP client */
  dnsFor(project: string): DnsApi
  /** Connectivity Tests, for the path analysis */
  networkManagement: NetworkManagementApi
  /** The live probe's job (level 2), in the endpoint's region */
  run: RunApi
  /** The live probe's output */
  logging: LoggingApi
}

/**
 * `principal()` says whom Google evaluates the calls for, as far as known, for error reports; `deadline`
 * (epoch ms) ends the retries of every call.
 */
export function gcpClients(
  settings: GcpSettings,
  session: GcpSession,
  endpoints: GcpEndpoints,
  log: Logger,
  principal: () => string | undefined,
  deadline: number,
  observations?: Observations
): GcpClients {
  const client = () => session.client()
  const dnsHttp = googleHttp(client, log, { api: 'dns', principal }, deadline, new ServiceGate({ maxInFlight: 8 }))
  const dns = new DnsApi(dnsHttp, endpoints.dns, settings.projectId, observations)
  const dnsApis = new Map([[settings.projectId, dns]])
  return {
    // Compute's rate quotas are 1,500 requests per minute per group (https://cloud.google.com/compute/api-quota):
    // 20/s keeps any one minute under 1,200. Cloud DNS publishes no default, so only concurrency is bounded.
    compute: new ComputeApi(googleHttp(client, log, { api: 'compute', principal }, deadline, new ServiceGate({ maxInFlight: 8, rate: { perSecond: 20, burst: 20 } })), endpoints.compute, settings.projectId, log),
    dns,
    dnsFor: (project) => {
      const api = dnsApis.get(project) ?? new DnsApi(dnsHttp, endpoints.dns, project, observations)
      dnsApis.set(project, api)
      return api
    },
    networkManagement: new NetworkManagementApi(googleHttp(client, log, { api: 'networkmanagement', principal }, deadline, new ServiceGate({ maxInFlight: 4 })), endpoints.networkManagement, settings.projectId),
    run: new RunApi(googleHttp(client, log, { api: 'run', principal }, deadline), endpoints.run, settings.projectId, settings.region),
    logging: new LoggingApi(googleHttp(client, log, { api: 'logging', principal }, deadline), endpoints.logging, settings.projectId)
  }
}
