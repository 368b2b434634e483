// What the lifecycle tests (destroy, prune) need from each cloud: its inputs, what of the action's is left
// in the emulated cloud, look-alikes the action must keep, and its delete operations. One definition per
// cloud; the tests themselves are shared, so the three clouds are held to the same standard.
import { CreateVpcEndpointCommand } from '@aws-sdk/client-ec2'
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { awsInputs, type Emulators } from '../../emulators/index.js'
import { gcpInputs, GCP_NETWORK, GCP_PROJECT_ID } from '../../emulators/gcp/index.js'
import { azureInputs, ids as azureIds, RESOURCE_GROUP, SUBSCRIPTION_ID } from '../../emulators/azure/index.js'
import type { PrivateZoneState } from '../../emulators/azure/arm-model.js'
import { makeCluster, ZILLIZ_SEED as SEED } from '../../emulators/zilliz.js'
import { registerAmbientCredentials, SUBNET_A, VPC_ID, ZILLIZ_SERVICE_NAME } from '../../emulators/aws/index.js'
import type { ZoneRecord } from '../../emulators/gcp/cloud-dns.js'
import { ec2For, route53For } from './aws-emulators.js'

export interface CloudUnderTest {
  name: 'aws' | 'gcp' | 'azure'
  regionId: string
  clusters: string[]
  inputs(emulators: Emulators, overrides?: Record<string, string>): Record<string, string>
  /** `kind name` of every resource of the action's still in the emulated cloud */
  leftovers(emulators: Emulators): string[]
  /** Makes resources that look related but are not the action's; returns names the plan must list as kept */
  lookAlikes(emulators: Emulators): Promise<string[]>
  /** `service:operation` of the cloud's delete calls, in the order a destroy makes them */
  deletes: { service: string; operation: string }[]
}

const OURS = 'zilliz-private-link:managed-by'
const OURS_LABEL = 'zilliz-private-link_managed-by'

/** A second dedicated cluster in the region, for clouds the seed gives only one (prune needs two). */
export function secondCluster(emulators: Emulators, cloud: CloudUnderTest): string {
  const id = 'in01-7a8b9c0d1e2f3a4'
  emulators.zilliz.state.clusters.push(makeCluster({ clusterId: id, projectId: SEED.projectId, regionId: cloud.regionId }))
  return id
}

// Compute request ids are stable within a run attempt, as on a runner: each run here is a new attempt.
let runId = 0

export const awsCloud: CloudUnderTest = {
  name: 'aws',
  regionId: SEED.regions.aws,
  clusters: [...SEED.clusters.aws],
  inputs: (emulators, overrides = {}) => awsInputs(emulators, overrides),
  leftovers: (emulators) => {
    const { ec2, route53 } = emulators.aws
    const endpoints = [...ec2.resources.endpoints.values()].filter((e) => e.state !== 'deleted' && e.tags.some((t) => t.key === OURS)).map((e) => `endpoint ${e.vpcEndpointId}`)
    const groups = [...ec2.resources.groups.values()].filter((g) => g.tags.some((t) => t.key === OURS)).map((g) => `group ${g.groupId}`)
    const zones = [...route53.zones.zones.values()].filter((z) => z.tags.has(OURS) || z.callerReference.startsWith('zpl-')).map((z) => `zone ${z.name}`)
    return [...endpoints, ...groups, ...zones]
  },
  lookAlikes: async (emulators) => {
    const creds = registerAmbientCredentials(emulators.world)
    const ec2 = ec2For(emulators.aws, creds)
    const route53 = route53For(emulators.aws, creds)
    // An endpoint to the same service made by hand, and a private zone for a cluster host made by another tool.
    const endpoint = await ec2.send(new CreateVpcEndpointCommand({ VpcEndpointType: 'Interface', VpcId: VPC_ID, ServiceName: ZILLIZ_SERVICE_NAME, SubnetIds: [SUBNET_A] }))
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: 'in01-9999999999999999-privatelink.aws-us-west-2.vectordb.zillizcloud.com', CallerReference: 'by-hand-1', VPC: { VPCId: VPC_ID, VPCRegion: 'us-west-2' } })
    )
    return [endpoint.VpcEndpoint!.VpcEndpointId!, zone.HostedZone!.Id!.replace('/hostedzone/', '')]
  },
  deletes: [
    { service: 'route53', operation: 'ChangeResourceRecordSets' },
    { service: 'route53', operation: 'DeleteHostedZone' },
    { service: 'zilliz', operation: 'DeletePrivateEndpoint' },
    { service: 'ec2', operation: 'DeleteVpcEndpoints' },
    { service: 'ec2', operation: 'DeleteSecurityGroup' }
  ]
}

export const gcpCloud: CloudUnderTest = {
  name: 'gcp',
  regionId: SEED.regions.gcp,
  clusters: [SEED.clusters.gcp],
  inputs: (emulators, overrides = {}) => ({ ...gcpInputs(emulators.zillizUrl, overrides), GITHUB_RUN_ID: `lifecycle-${++runId}` }),
  leftovers: (emulators) => {
    const { compute, dns } = emulators.gcp
    // The runs here act for octo-org/octo-repo (run-action.ts); another repository's resources are not ours.
    const owned = (labels: Record<string, string>) => labels['zilliz-private-link_repository'] === 'octo-org_octo-repo'
    const rules = [...compute.state.forwardingRules.values()].filter((r) => owned(r.labels)).map((r) => `rule ${r.name}`)
    const addresses = [...compute.state.addresses.values()].filter((a) => owned(a.labels)).map((a) => `address ${a.name}`)
    const firewalls = [...compute.state.firewalls.values()].filter((f) => (f.description ?? '').includes('managed by zilliz-private-link')).map((f) => `firewall ${f.name}`)
    const zones = [...dns.zones.values()].filter((z) => owned(z.labels)).map((z) => `zone ${z.name} ${z.dnsName}`)
    return [...rules, ...addresses, ...firewalls, ...zones]
  },
  lookAlikes: async (emulators) => {
    // A private zone for a cluster host bound to the same network, made by another tool (no labels), and
    // one made by this action for another repository.
    const network = `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`
    const zone = (name: string, host: string, labels: Record<string, string>): ZoneRecord => ({
      name,
      id: String(900 + emulators.gcp.dns.zones.size),
      dnsName: `${host}.`,
      description: '',
      visibility: 'private',
      networks: [network],
      labels,
      creationTime: new Date().toISOString(),
      records: [],
      changes: []
    })
    const byHand = zone('by-hand', 'in01-9999999999999999-privatelink.gcp-us-west1.vectordb.zillizcloud.com', {})
    const otherRepo = zone('other-repo', 'in01-8888888888888888-privatelink.gcp-us-west1.vectordb.zillizcloud.com', {
      [OURS_LABEL]: 'zilliz-private-link',
      'zilliz-private-link_project': SEED.projectId,
      'zilliz-private-link_region': 'gcp-us-west1',
      'zilliz-private-link_repository': 'other-org_other-repo'
    })
    for (const z of [byHand, otherRepo]) emulators.gcp.dns.zones.set(z.name, z)
    return Promise.resolve(['by-hand', 'other-repo'])
  },
  deletes: [
    { service: 'gcp-dns', operation: 'changes.create' },
    { service: 'gcp-dns', operation: 'managedZones.delete' },
    { service: 'zilliz', operation: 'DeletePrivateEndpoint' },
    { service: 'gcp-compute', operation: 'forwardingRules.delete' },
    { service: 'gcp-compute', operation: 'addresses.delete' },
    { service: 'gcp-compute', operation: 'firewalls.delete' }
  ]
}

const ourTags = (tags: Record<string, string>) => tags['zilliz-private-link:repository'] === 'octo-org/octo-repo'

export const azureCloud: CloudUnderTest = {
  name: 'azure',
  regionId: SEED.regions.azure,
  clusters: [SEED.clusters.azure],
  inputs: (emulators, overrides = {}) => azureInputs(emulators.zillizUrl, overrides),
  leftovers: (emulators) => {
    const { state } = emulators.azure.arm
    const endpoints = [...state.privateEndpoints.values()].filter((e) => ourTags(e.tags)).map((e) => `endpoint ${e.name}`)
    const zones = [...state.privateZones.values()].filter((z) => ourTags(z.tags)).map((z) => `zone ${z.name}`)
    const links = [...state.privateZones.values()].flatMap((z) => [...z.links.values()].filter((l) => ourTags(l.tags)).map((l) => `link ${z.name}/${l.name}`))
    return [...endpoints, ...zones, ...links]
  },
  lookAlikes: (emulators) => {
    // A private zone for a cluster host in the resource group, linked to the same network, made by hand.
    const host = 'in01-9999999999999999-privatelink.az-eastus.vectordb.zillizcloud.com'
    const id = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/privateDnsZones/${host}`
    const vnetId = azureIds.vnet()
    const zone: PrivateZoneState = {
      id,
      name: host,
      tags: {},
      etag: 'by-hand',
      provisioningState: 'Succeeded',
      internalId: 'by-hand',
      links: new Map([['by-hand-link', { id: `${id}/virtualNetworkLinks/by-hand-link`, name: 'by-hand-link', vnetId, registrationEnabled: false, tags: {}, etag: 'x', provisioningState: 'Succeeded', linkState: 'Completed' }]]),
      records: new Map()
    }
    emulators.azure.arm.state.privateZones.set(id.toLowerCase(), zone)
    return Promise.resolve([host])
  },
  deletes: [
    { service: 'arm', operation: 'RecordSets_Delete' },
    { service: 'arm', operation: 'VirtualNetworkLinks_Delete' },
    { service: 'arm', operation: 'PrivateZones_Delete' },
    { service: 'zilliz', operation: 'DeletePrivateEndpoint' },
    { service: 'arm', operation: 'PrivateEndpoints_Delete' }
  ]
}
