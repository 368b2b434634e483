// The Google Cloud projects of a run: where the network lives (a Shared VPC host project), where the
// endpoint's address and forwarding rule live, and where the private zones live. gcp-network and
// gcp-subnetwork take a name or a resource path or URL, whose project must agree with the project inputs.
// Pure: runs before any package loads.
import { checkGcpName, quote, type Parsed } from './rules.js'

/** A network or subnetwork as given: its name and, for a path or URL, its project (and region). */
export interface GcpReference {
  name: string
  project?: string
  region?: string
}

// Compute accepts both hosts and API versions in references; only the path that starts at projects/ counts.
const URL_PREFIX = /^https:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta|alpha)\//
const NETWORK_PATH = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/
const SUBNETWORK_PATH = /^projects\/([^/]+)\/regions\/([^/]+)\/subnetworks\/([^/]+)$/
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/

function asPath(value: string): string | undefined {
  if (URL_PREFIX.test(value)) return value.replace(URL_PREFIX, '')
  return value.startsWith('projects/') ? value : undefined
}

function checkedProject(project: string, value: string): string | undefined {
  return PROJECT_ID.test(project) ? undefined : `${quote(value)} names project ${quote(project)}, which is not a GCP project id (6 to 30 lowercase letters, digits or hyphens).`
}

/** gcp-network: a name, projects/P/global/networks/N, or the same as a Compute URL. */
export function parseNetworkReference(value: string): Parsed<GcpReference> {
  const path = asPath(value)
  if (path === undefined) {
    const problem = checkGcpName(value)
    return problem ? { error: problem } : { value: { name: value } }
  }
  const match = NETWORK_PATH.exec(path)
  if (!match)
    return {
      error: `${quote(value)} is not a network resource path: expected projects/PROJECT/global/networks/NAME, or the same as a URL (https://www.googleapis.com/compute/v1/projects/PROJECT/global/networks/NAME), or the name alone.`
    }
  const [, project = '', name = ''] = match
  const problem = checkedProject(project, value) ?? checkGcpName(name)
  return problem ? { error: problem } : { value: { name, project } }
}

/** gcp-subnetwork: a name, projects/P/regions/R/subnetworks/S, or the same as a Compute URL. */
export function parseSubnetworkReference(value: string): Parsed<GcpReference> {
  const path = asPath(value)
  if (path === undefined) {
    const problem = checkGcpName(value)
    return problem ? { error: problem } : { value: { name: value } }
  }
  const match = SUBNETWORK_PATH.exec(path)
  if (!match)
    return {
      error: `${quote(value)} is not a subnetwork resource path: expected projects/PROJECT/regions/REGION/subnetworks/NAME, or the same as a URL (https://www.googleapis.com/compute/v1/projects/PROJECT/regions/REGION/subnetworks/NAME), or the name alone.`
    }
  const [, project = '', region = '', name = ''] = match
  const problem = checkedProject(project, value) ?? checkGcpName(name)
  return problem ? { error: problem } : { value: { name, project, region } }
}

export interface GcpLayoutInput {
  projectId: string
  /** gcp-network-project-id, when given */
  networkProjectId?: string
  endpointProjectId?: string
  dnsProjectId?: string
  network: GcpReference
  subnetwork: GcpReference
  /** The region of zilliz-region-id, when known */
  region?: string
}

export interface GcpProjects {
  networkProjectId: string
  endpointProjectId: string
  dnsProjectId: string
}

export interface LayoutProblem {
  input: 'gcp-network' | 'gcp-subnetwork' | 'gcp-network-project-id'
  message: string
}

/**
 * The three projects, and every disagreement between the references and the project inputs. The network
 * project comes from gcp-network-project-id or from a reference's project (they must agree); without
 * either it is gcp-project-id. The endpoint project defaults to gcp-project-id (the service project of a
 * Shared VPC), the DNS project to the endpoint project, so the host project needs no zone permissions.
 */
export function resolveGcpProjects(input: GcpLayoutInput): { projects: GcpProjects; problems: LayoutProblem[] } {
  const problems: LayoutProblem[] = []
  const { network, subnetwork } = input
  if (network.project && subnetwork.project && network.project !== subnetwork.project)
    problems.push({
      input: 'gcp-subnetwork',
      message: `Names project ${subnetwork.project}, but gcp-network names project ${network.project}; a subnetwork belongs to the project of its network. Give both in the network's (host) project.`
    })
  const fromReference = network.project ?? subnetwork.project
  if (input.networkProjectId)
    for (const [name, ref] of [['gcp-network', network], ['gcp-subnetwork', subnetwork]] as const)
      if (ref.project && ref.project !== input.networkProjectId)
        problems.push({
          input: name,
          message: `Names project ${ref.project}, but gcp-network-project-id is ${input.networkProjectId}. Make them agree, or give the name alone with gcp-network-project-id.`
        })
  if (subnetwork.region && input.region && subnetwork.region !== input.region)
    problems.push({
      input: 'gcp-subnetwork',
      message: `Is in region ${subnetwork.region}, but zilliz-region-id is in ${input.region}; the endpoint has to be in the clusters' region. Use a subnetwork in ${input.region}.`
    })
  const endpointProjectId = input.endpointProjectId ?? input.projectId
  return {
    projects: {
      networkProjectId: input.networkProjectId ?? fromReference ?? input.projectId,
      endpointProjectId,
      dnsProjectId: input.dnsProjectId ?? endpointProjectId
    },
    problems
  }
}
