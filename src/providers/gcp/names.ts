// Deterministic resource names from the endpoint prefix, resource paths, and insert request ids.
import { createHash } from 'node:crypto'
import type { Config } from '../../config/types.js'
import { digest, idempotencyToken } from '../../engine/ownership.js'

export interface GcpNames {
  /** The PSC endpoint (forwarding rule); also the endpoint id Zilliz registers */
  endpoint: string
  address: string
  /** The managed EGRESS allow rule */
  firewall: string
  /** The INGRESS rule earlier versions created, retired */
  legacyFirewall: string
  zone(clusterId: string): string
}

/** '<prefix>-<digest of Zilliz project and region>' plus a suffix: at most 30 + 13 + 6 characters. */
export function gcpNames(config: Config, endpointPrefix: string): GcpNames {
  const base = `${endpointPrefix}-${digest(config.zilliz.projectId, config.zilliz.regionId)}`
  return {
    endpoint: base,
    address: `${base}-ip`,
    firewall: `${base}-egress`,
    legacyFirewall: `${base}-allow`,
    zone: (clusterId) => `${endpointPrefix}-${clusterId}`
  }
}

export const networkPath = (project: string, network: string) => `projects/${project}/global/networks/${network}`
export const subnetworkPath = (project: string, region: string, name: string) => `projects/${project}/regions/${region}/subnetworks/${name}`
export const addressPath = (project: string, region: string, name: string) => `projects/${project}/regions/${region}/addresses/${name}`

/** Cloud DNS identifies networks by their full Compute URL, whatever host the Compute API is reached at. */
export const networkUrl = (path: string) => `https://www.googleapis.com/compute/v1/${path}`

/** A selfLink or URL reduced to its path from 'projects/', so links from any API host compare equal. */
export function resourcePath(link: string | undefined): string {
  if (!link) return ''
  const at = link.indexOf('projects/')
  return at >= 0 ? link.slice(at) : link
}

export function lastSegment(link: string | undefined): string {
  return (link ?? '').split('/').pop() ?? ''
}

/** The region named in a path such as projects/p/regions/us-west1/serviceAttachments/s. */
export function regionOf(path: string): string | undefined {
  return /\/regions\/([^/]+)\//.exec(`/${resourcePath(path)}`)?.[1]
}

/**
 * Compute's requestId must be a UUID. Derived from the idempotency token, it is the same for every retry
 * of one insert within a run attempt, so a retried insert whose first try landed is a no-op. A write
 * issued again after its operation ended (attempt 2, 3, …) needs a new one: Compute would answer a
 * repeated id with the old, failed operation.
 */
export function requestId(kind: string, key: string, attempt = 1): string {
  const h = createHash('sha256').update(idempotencyToken(kind, attempt > 1 ? `${key}#${attempt}` : key)).digest('hex')
  const variant = ((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
