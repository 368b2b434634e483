// Observes the VPC network and the subnetwork and checks the inputs against them (the subnetwork exists
// in the cluster's region and belongs to the network) before anything is written.
import { allInOrder } from '../../base/settle.js'
import type { GcpSettings } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import type { ComputeApi, Network } from './compute-api.js'
import { GoogleApiError, isNotFound } from './google-http.js'
import { lastSegment, networkPath, regionOf, resourcePath, subnetworkPath } from './names.js'

export interface GcpNetwork {
  /** projects/<p>/global/networks/<n> */
  networkPath: string
  subnetworkPath: string
  /** The subnetwork's primary and secondary ranges: the default allowed source ranges */
  ranges: string[]
  /** The region's Zilliz service attachment, as a path */
  serviceAttachment: string
  /** Where the network firewall policy is evaluated relative to the VPC rules */
  enforcementOrder?: string
}

/** The region's service attachment as a path, checked against the region: needs no call. */
export function checkAttachment(serviceAttachment: string, settings: GcpSettings): string {
  const path = resourcePath(serviceAttachment)
  const region = regionOf(path)
  if (region && region !== settings.region)
    throw new InputError('zilliz-region-id', `Zilliz's service attachment ${path} is in ${region}, not ${settings.region}. Check zilliz-region-id against the region of your clusters.`)
  return path
}

/** The input that names the network's project: its own input in a Shared VPC layout, else gcp-project-id. */
const projectInput = (settings: GcpSettings) => (settings.networkProjectId === settings.projectId ? 'gcp-project-id' : 'gcp-network-project-id')

async function readNetwork(compute: ComputeApi, settings: GcpSettings): Promise<Network> {
  const { networkProjectId: projectId, network } = settings
  return compute.getNetwork(network).catch((error: unknown) => {
    if (isNotFound(error))
      throw new InputError('gcp-network', `network ${network} does not exist in project ${projectId}. List the networks with: gcloud compute networks list --project ${projectId}`)
    if (error instanceof GoogleApiError && error.status === 403)
      throw new InputError(
        projectInput(settings),
        `cannot read network ${network} in project ${projectId} (${error.message}). Check the project id, and that the credentials hold compute.networks.get there (docs/policies).`
      )
    throw error
  })
}

async function notInRegion(compute: ComputeApi, settings: GcpSettings): Promise<InputError> {
  const { networkProjectId: projectId, region, subnetwork, network } = settings
  const elsewhere = (await compute.findSubnetworks(subnetwork)).map((s) => lastSegment(s.region))
  const where = elsewhere.length ? `; it exists in ${elsewhere.join(', ')}` : ` (nor in any other region of ${projectId})`
  return new InputError(
    'gcp-subnetwork',
    `subnetwork ${subnetwork} is not in ${region}${where}. The endpoint must be in the region of the Zilliz clusters: use a subnetwork of ${network} in ${region}.`
  )
}

/**
 * Reads the network and subnetwork in their project (the host project of a Shared VPC), both at once; the
 * network's answer is judged first, so a wrong network is reported as such whatever the subnetwork read says.
 * The service attachment is checked before anything is sent.
 */
export async function observeNetwork(compute: ComputeApi, settings: GcpSettings, serviceAttachment: string): Promise<GcpNetwork> {
  const { networkProjectId: projectId, region, network, subnetwork } = settings
  const attachment = checkAttachment(serviceAttachment, settings)
  const [read, subnet] = await allInOrder([readNetwork(compute, settings), compute.getSubnetwork(region, subnetwork)])
  if (!subnet) throw await notInRegion(compute, settings)
  const wanted = networkPath(projectId, network)
  if (resourcePath(subnet.network) !== wanted)
    throw new InputError('gcp-subnetwork', `subnetwork ${subnetwork} belongs to network ${lastSegment(subnet.network)}, not ${network}. Use a subnetwork of ${network} in ${region}.`)
  return {
    networkPath: wanted,
    subnetworkPath: subnetworkPath(projectId, region, subnetwork),
    ranges: [subnet.ipCidrRange, ...(subnet.secondaryIpRanges ?? []).map((r) => r.ipCidrRange)],
    serviceAttachment: attachment,
    ...(read.networkFirewallPolicyEnforcementOrder ? { enforcementOrder: read.networkFirewallPolicyEnforcementOrder } : {})
  }
}
