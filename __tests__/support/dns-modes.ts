// What the dns: existing-zone and dns: none tests need from each cloud: a private zone made the way its
// owner would (outside the action), the records in it, and which calls are DNS calls. One definition per
// cloud; the tests are shared, so the three clouds are held to the same standard.
import type { Emulators } from '../../emulators/index.js'
import type { CallRecord } from '../../emulators/core/service.js'
import { OTHER_VPC_ID, VPC_ID } from '../../emulators/aws/index.js'
import { GCP_NETWORK, GCP_PROJECT_ID } from '../../emulators/gcp/index.js'
import { awsCloud, gcpCloud, type CloudUnderTest } from './lifecycle.js'

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
}

const bare = (name: string) => name.replace(/\.$/, '')

export const awsDns: DnsModeCloud = {
  cloud: awsCloud,
  regionZone: 'aws-us-west-2.vectordb.zillizcloud.com',
  makeZone: (emulators, name, linked) => {
    const vpc = { region: 'us-west-2', vpcId: linked ? VPC_ID : OTHER_VPC_ID }
    return emulators.aws.route53.zones.create({ name, callerReference: `dns-team-${name}-${linked}`, privateZone: true, vpc }).zone.id
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
  isDnsCall: (call) => call.service === 'route53'
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
  isDnsCall: (call) => call.service === 'gcp-dns'
}
