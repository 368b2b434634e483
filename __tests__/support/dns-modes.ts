// What the dns: existing-zone and dns: none tests need from each cloud: a private zone made the way its
// owner would (outside the action), the records in it, and which calls are DNS calls. One definition per
// cloud; the tests are shared, so the three clouds are held to the same standard.
import type { Emulators } from '../../emulators/index.js'
import { readFileSync } from 'node:fs'
import type { CallRecord } from '../../emulators/core/service.js'
import { AWS_PERMISSIONS } from '../../src/providers/aws/permissions.js'
import { ACCOUNT_ID, OTHER_VPC_ID, VPC_ID } from '../../emulators/aws/index.js'
import { GCP_NETWORK, GCP_PROJECT_ID } from '../../emulators/gcp/index.js'
import { CLIENT_ID, ids as azureIds, LOCATION, SUBSCRIPTION_ID } from '../../emulators/azure/seed.js'
import { awsCloud, azureCloud, gcpCloud, type CloudUnderTest } from './lifecycle.js'

export interface DnsModeCloud {
  cloud: CloudUnderTest
  /** The cloud's region subdomain under Zilliz's domain: a zone of that name is wider than every host */
  regionZone: string
  /** Makes a private zone as its owner would; linked to the run's network when asked; returns its dns-zone-ids value */
  makeZone(emulators: Emulators, name: string, linked: boolean): string
  /** Adds an A record the action did not make */
  addForeignRecord(emulators: Emulators, zoneId: string, name: string, ip: string): void
  /** `name TYPE` of each record in the zone besides the zone's own NS and SOA, sorted */
  records(emulators: Emulators, zoneId: string): string[]
  zoneExists(emulators: Emulators, zoneId: string): boolean
  /** A well-formed id of a zone that does not exist */
  missingZoneId: string
  /** Whether a call reads or writes the cloud's DNS */
  isDnsCall(call: CallRecord): boolean
  /** Whether a call writes a zone or its network links/associations/bindings (not a record) */
  isZoneWrite(call: CallRecord): boolean
  /**
   * Holds the runs to the mode's published apply policy: Azure's emulator enforces the role (a call outside
   * it is refused); for AWS and Google Cloud, whose emulators enforce none, `permissionsOf` maps each DNS
   * call to what it needs, and the test compares.
   */
  grant?(emulators: Emulators, policyFile: string): void
  permissionsOf?(call: CallRecord): string[]
}

/** The permissions a policy file in docs/policies grants, in each cloud's format. */
export function policyGrants(file: string): string[] {
  const policy = JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as { Statement?: { Action: string | string[] }[]; includedPermissions?: string[]; Actions?: string[] }
  return policy.Statement?.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])) ?? policy.includedPermissions ?? policy.Actions ?? []
}

const bare = (name: string) => name.replace(/\.$/, '')

export const awsDns: DnsModeCloud = {
  cloud: awsCloud,
  regionZone: 'aws-us-west-2.vectordb.zillizcloud.com',
  makeZone: (emulators, name, linked) => {
    const vpc = { region: 'us-west-2', vpcId: linked ? VPC_ID : OTHER_VPC_ID }
    return emulators.aws.route53.zones.create({ owner: ACCOUNT_ID, name, callerReference: `dns-team-${name}-${linked}`, privateZone: true, vpc }).zone.id
  },
  addForeignRecord: (emulators, zoneId, name, ip) => {
    emulators.aws.route53.zones.get(zoneId).records.push({ name: `${name}.`, type: 'A', ttl: 300, values: [ip] })
  },
  records: (emulators, zoneId) => {
    const zone = emulators.aws.route53.zones.get(zoneId)
    return zone.records
      .filter((r) => !(r.name === zone.name && (r.type === 'NS' || r.type === 'SOA')))
      .map((r) => `${bare(r.name)} ${r.type}`)
      .sort()
  },
  zoneExists: (emulators, zoneId) => emulators.aws.route53.zones.zones.has(zoneId),
  missingZoneId: 'Z0000000000000000MISS',
  isDnsCall: (call) => call.service === 'route53',
  isZoneWrite: (call) => call.write && /HostedZone|ChangeTagsForResource/.test(call.operation),
  permissionsOf: (call) => AWS_PERMISSIONS[`route53:${call.operation}`]?.permissions ?? [`route53:${call.operation}`]
}

let gcpZones = 0

export const gcpDns: DnsModeCloud = {
  cloud: gcpCloud,
  regionZone: 'gcp-us-west1.vectordb.zillizcloud.com',
  makeZone: (emulators, name, linked) => {
    const zone = `dns-team-${++gcpZones}`
    const network = `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${linked ? GCP_NETWORK : 'other-vpc'}`
    emulators.gcp.dns.zones.set(zone, {
      name: zone,
      id: String(700 + gcpZones),
      dnsName: `${name}.`,
      description: 'made by the DNS team',
      visibility: 'private',
      networks: [network],
      labels: {},
      creationTime: new Date().toISOString(),
      records: [],
      changes: []
    })
    // Both forms dns-zone-ids takes: the full path for one, the name alone (the run's project) for the other.
    return gcpZones % 2 ? `projects/${GCP_PROJECT_ID}/managedZones/${zone}` : zone
  },
  addForeignRecord: (emulators, zoneId, name, ip) => {
    emulators.gcp.dns.zones.get(zoneId.split('/').pop()!)!.records.push({ name: `${name}.`, type: 'A', ttl: 300, rrdatas: [ip] })
  },
  records: (emulators, zoneId) =>
    emulators.gcp.dns.zones
      .get(zoneId.split('/').pop()!)!
      .records.filter((r) => r.type !== 'NS' && r.type !== 'SOA')
      .map((r) => `${bare(r.name)} ${r.type}`)
      .sort(),
  zoneExists: (emulators, zoneId) => emulators.gcp.dns.zones.has(zoneId.split('/').pop()!),
  missingZoneId: `projects/${GCP_PROJECT_ID}/managedZones/no-such-zone`,
  isDnsCall: (call) => call.service === 'gcp-dns',
  isZoneWrite: (call) => call.write && call.operation.startsWith('managedZones.'),
  // Cloud DNS permissions are the method's name under dns. (a change also needs the record set permissions, granted with it).
  permissionsOf: (call) => [`dns.${call.operation}`]
}

/** A hub resource group for central zones, as Azure landing zones keep them. */
const HUB_GROUP = 'rg-dns-hub'
const azureZone = (emulators: Emulators, zoneId: string) => emulators.azure.arm.state.privateZones.get(zoneId.toLowerCase())

export const azureDns: DnsModeCloud = {
  cloud: azureCloud,
  regionZone: 'az-eastus.vectordb.zillizcloud.com',
  makeZone: (emulators, name, linked) => {
    const { state } = emulators.azure.arm
    if (!state.hasResourceGroup(SUBSCRIPTION_ID, HUB_GROUP)) state.addResourceGroup(SUBSCRIPTION_ID, HUB_GROUP, LOCATION)
    const id = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${HUB_GROUP}/providers/Microsoft.Network/privateDnsZones/${name}`
    const vnetId = azureIds.vnet(linked ? undefined : 'westus-vnet')
    const link = { id: `${id}/virtualNetworkLinks/hub-link`, name: 'hub-link', vnetId, registrationEnabled: false, tags: {}, etag: 'hub', provisioningState: 'Succeeded', linkState: 'Completed' as const }
    state.privateZones.set(id.toLowerCase(), { id, name, tags: {}, etag: 'hub', provisioningState: 'Succeeded', internalId: `hub-${name}`, links: new Map([['hub-link', link]]), records: new Map() })
    return id
  },
  addForeignRecord: (emulators, zoneId, name, ip) => {
    const zone = azureZone(emulators, zoneId)!
    const relative = name === zone.name ? '@' : name.slice(0, -(zone.name.length + 1))
    zone.records.set(`A/${relative.toLowerCase()}`, { name: relative, type: 'A', ttl: 300, ips: [ip], etag: `foreign-${relative}` })
  },
  records: (emulators, zoneId) => {
    const zone = azureZone(emulators, zoneId)!
    return [...zone.records.values()]
      .filter((r) => r.type !== 'SOA')
      .map((r) => `${r.name === '@' ? zone.name : `${r.name}.${zone.name}`} ${r.type}`)
      .sort()
  },
  zoneExists: (emulators, zoneId) => azureZone(emulators, zoneId) !== undefined,
  missingZoneId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${HUB_GROUP}/providers/Microsoft.Network/privateDnsZones/missing.az-eastus.vectordb.zillizcloud.com`,
  isDnsCall: (call) => call.service === 'arm' && /privateDnsZones/i.test(call.path),
  isZoneWrite: (call) => call.write && /^(PrivateZones|VirtualNetworkLinks)_/.test(call.operation),
  grant: (emulators, policyFile) => emulators.azure.arm.rbac.assign(CLIENT_ID, policyGrants(policyFile))
}
