// The API clients of one run: Compute and Cloud DNS over REST, both through the session's auth client.
// Not @google-cloud/compute (its gax and protos cost over a second of start-up) and not @google-cloud/dns
// (a second HTTP stack with its own retries and error shape, and an https-only base URL); see docs/gcp.md.
// With a Shared VPC the run spans projects: Compute in the network's project (network, subnetwork,
// firewall rules) and in the endpoint's (address, forwarding rule), Cloud DNS in the DNS project.
import type { Observations } from '../../base/observations.js'
import { ServiceGate } from '../../base/rate-limit.js'
import type { DnsSettings, GcpSettings } from '../../config/types.js'
import type { Logger } from '../../base/log.js'
import type { GcpSession } from './auth.js'
import { ComputeApi } from './compute-api.js'
import { DnsApi } from './dns-api.js'
import type { GcpEndpoints } from './endpoints.js'
import { googleHttp, type GoogleApiScope } from './google-http.js'
import { NetworkManagementApi } from './network-management-api.js'
import { LoggingApi, RunApi } from './run-api.js'
import { GCP_OPT_IN_PERMISSIONS, GCP_PERMISSION_PROJECT, gcpModePolicyFile, gcpPolicyFile, type GcpProjectRole } from './permissions.js'

export interface GcpClients {
  /** Compute in the endpoint's project: the address and the PSC forwarding rule */
  compute: ComputeApi
  /** Compute in the network's project: network, subnetwork, firewall rules (the same client when one project) */
  network: ComputeApi
  /** Cloud DNS in the DNS project */
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

export const projectOfRole = (settings: GcpSettings, role: GcpProjectRole): string =>
  role === 'network' ? settings.networkProjectId : role === 'endpoint' ? settings.endpointProjectId : settings.dnsProjectId

/** The projects of a run: the three parts', and those of zones named by path (dns: existing-zone). */
function runProjects(s: GcpSettings, dns: DnsSettings): Set<string> {
  const zones = dns.mode === 'existing-zone' ? dns.zoneIds.flatMap((id) => /^projects\/([^/]+)\/managedZones\//.exec(id)?.[1] ?? []) : []
  return new Set([s.networkProjectId, s.endpointProjectId, s.dnsProjectId, ...zones])
}

/**
 * Where Google checks a permission and which file grants it there, for the error reports: across projects
 * the per-project role (the DNS role of the DNS mode), in one project the single-project file of the DNS
 * mode; an opt-in feature's permissions keep their own file (gcp-probe.json), granted on the project named.
 */
function places(settings: GcpSettings, dns: DnsSettings): Pick<GoogleApiScope, 'projectOf' | 'policyOf'> {
  const role = (permission: string) => GCP_PERMISSION_PROJECT[permission]
  const spans = runProjects(settings, dns).size > 1
  return {
    projectOf: (permission) => {
      const r = role(permission)
      return r ? projectOfRole(settings, r) : undefined
    },
    policyOf: (permission, write) => {
      const r = role(permission)
      if (!r || GCP_OPT_IN_PERMISSIONS.has(permission)) return undefined
      return spans ? gcpPolicyFile(r, write, dns.mode) : gcpModePolicyFile(write, dns.mode)
    }
  }
}

/**
 * `principal()` says whom Google evaluates the calls for, as far as known, for error reports; `deadline`
 * (epoch ms) ends the retries of every call; `dnsPlacement` names the policy files of the DNS mode in denials.
 */
export function gcpClients(
  settings: GcpSettings,
  session: GcpSession,
  endpoints: GcpEndpoints,
  log: Logger,
  principal: () => string | undefined,
  deadline: number,
  observations?: Observations,
  dnsPlacement: DnsSettings = { mode: 'managed', zoneIds: [] }
): GcpClients {
  const client = () => session.client()
  const where = places(settings, dnsPlacement)
  // Compute's rate quotas are 1,500 requests per minute per group and project (https://cloud.google.com/compute/api-quota):
  // 20/s keeps any one minute under 1,200. Cloud DNS publishes no default, so only concurrency is bounded.
  const computeHttp = googleHttp(client, log, { api: 'compute', principal, ...where }, deadline, new ServiceGate({ maxInFlight: 8, rate: { perSecond: 20, burst: 20 } }))
  const compute = new ComputeApi(computeHttp, endpoints.compute, settings.endpointProjectId, log, observations)
  const dnsHttp = googleHttp(client, log, { api: 'dns', principal, ...where }, deadline, new ServiceGate({ maxInFlight: 8 }))
  const dns = new DnsApi(dnsHttp, endpoints.dns, settings.dnsProjectId, observations)
  const dnsApis = new Map([[settings.dnsProjectId, dns]])
  return {
    compute,
    network: settings.networkProjectId === settings.endpointProjectId ? compute : new ComputeApi(computeHttp, endpoints.compute, settings.networkProjectId, log, observations),
    dns,
    dnsFor: (project) => {
      const api = dnsApis.get(project) ?? new DnsApi(dnsHttp, endpoints.dns, project, observations)
      dnsApis.set(project, api)
      return api
    },
    // Connectivity Tests and the probe's job (and so its logs) live in the endpoint's project.
    networkManagement: new NetworkManagementApi(googleHttp(client, log, { api: 'networkmanagement', principal, ...where }, deadline, new ServiceGate({ maxInFlight: 4 })), endpoints.networkManagement, settings.endpointProjectId),
    run: new RunApi(googleHttp(client, log, { api: 'run', principal, ...where }, deadline), endpoints.run, settings.endpointProjectId, settings.region),
    logging: new LoggingApi(googleHttp(client, log, { api: 'logging', principal, ...where }, deadline), endpoints.logging, settings.endpointProjectId)
  }
}
