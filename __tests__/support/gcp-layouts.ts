// The Shared VPC layouts the Google Cloud tests run: the network in the host project, the endpoint in the
// service project or the host, the zones in the endpoint's project or a DNS project; and the grant of
// exactly the per-project roles of docs/policies to the action's service account on each project.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Emulators } from '../../emulators/index.js'
import { GCP_DNS_PROJECT_ID, GCP_HOST_PROJECT_ID, GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, GCP_SHARED_NETWORK, GCP_SHARED_SUBNETWORK } from '../../emulators/gcp/index.js'

export type Role = 'network' | 'endpoint' | 'dns'
export interface Layout {
  inputs: Record<string, string>
  /** The project of each part */
  projects: Record<Role, string>
  /** Permissions of the role files this layout never uses (dns: existing-zone and none), left ungranted */
  unused?: (permission: string) => boolean
  /** A role's apply file when not gcp-<role>-apply.json (the records-only DNS role of dns: existing-zone) */
  applyFiles?: Partial<Record<Role, string>>
}

export const SHARED_NETWORK_URL = `https://www.googleapis.com/compute/v1/projects/${GCP_HOST_PROJECT_ID}/global/networks/${GCP_SHARED_NETWORK}`

export const ENDPOINT_IN_SERVICE: Layout = {
  inputs: { 'gcp-network-project-id': GCP_HOST_PROJECT_ID, 'gcp-network': GCP_SHARED_NETWORK, 'gcp-subnetwork': GCP_SHARED_SUBNETWORK },
  projects: { network: GCP_HOST_PROJECT_ID, endpoint: GCP_PROJECT_ID, dns: GCP_PROJECT_ID }
}
export const ENDPOINT_IN_HOST: Layout = {
  // The network as a path and the subnetwork as a URL name the host project; no gcp-network-project-id.
  inputs: {
    'gcp-network': `projects/${GCP_HOST_PROJECT_ID}/global/networks/${GCP_SHARED_NETWORK}`,
    'gcp-subnetwork': `https://www.googleapis.com/compute/v1/projects/${GCP_HOST_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SHARED_SUBNETWORK}`,
    'gcp-endpoint-project-id': GCP_HOST_PROJECT_ID
  },
  projects: { network: GCP_HOST_PROJECT_ID, endpoint: GCP_HOST_PROJECT_ID, dns: GCP_HOST_PROJECT_ID }
}
export const CENTRAL_DNS: Layout = {
  inputs: { ...ENDPOINT_IN_SERVICE.inputs, 'gcp-dns-project-id': GCP_DNS_PROJECT_ID },
  projects: { network: GCP_HOST_PROJECT_ID, endpoint: GCP_PROJECT_ID, dns: GCP_DNS_PROJECT_ID }
}

export const policyFile = (name: string) => JSON.parse(readFileSync(resolve('docs/policies', name), 'utf8')) as { includedPermissions: string[] }

/**
 * Grants the service account, on each project of the layout, exactly the roles of the parts it holds
 * (plus `extra` files on the endpoint's project, such as gcp-probe.json); projects outside it grant nothing.
 */
export function grantLayoutRoles(emulators: Emulators, layout: Layout, kind: 'plan' | 'apply', extra: string[] = []): void {
  const perProject = new Map<string, Set<string>>()
  const add = (project: string, permissions: string[]) => {
    const held = perProject.get(project) ?? new Set<string>()
    for (const permission of permissions.filter((p) => !layout.unused?.(p))) held.add(permission)
    perProject.set(project, held)
  }
  for (const role of ['network', 'endpoint', 'dns'] as const) {
    const file = (kind === 'apply' ? layout.applyFiles?.[role] : undefined) ?? `gcp-${role}-${kind}.json`
    add(layout.projects[role], policyFile(file).includedPermissions)
  }
  for (const file of extra) add(layout.projects.endpoint, policyFile(file).includedPermissions)
  for (const project of [GCP_PROJECT_ID, GCP_HOST_PROJECT_ID, GCP_DNS_PROJECT_ID]) emulators.gcp.compute.org.iam.grant(project, GCP_SERVICE_ACCOUNT, perProject.get(project) ?? [])
}
