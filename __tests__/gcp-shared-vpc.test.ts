// Shared VPC on Google Cloud, end to end: the action through its real clients against an emulated
// organization whose projects each hold only the custom role docs/policies gives them. The network lives
// in a host project; the endpoint in the service project (the default) or in the host project; the zones
// in the endpoint's project or in a DNS project of their own, bound to the shared network across projects.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation } from '../emulators/gcp/fixtures.js'
import {
  GCP_DNS_PROJECT_ID,
  GCP_HOST_PROJECT_ID,
  GCP_NETWORK,
  GCP_PROJECT_ID,
  GCP_SERVICE_ACCOUNT,
  GCP_SHARED_NETWORK,
  GCP_SHARED_SUBNETWORK,
  gcpInputs
} from '../emulators/gcp/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import type { CallRecord } from '../emulators/core/service.js'
import { errorLine, expectNamedInputError, expectPlanAfterApplyConverged, expectReapplyKeepsEverything, expectSuccess, expectVerifiedApply, sortedWrites } from './support/expectations.js'
import { CENTRAL_DNS, ENDPOINT_IN_HOST, ENDPOINT_IN_SERVICE, grantLayoutRoles, policyFile, SHARED_NETWORK_URL, type Layout, type Role } from './support/gcp-layouts.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const grantRoles = (layout: Layout, kind: 'plan' | 'apply') => grantLayoutRoles(emulators, layout, kind)

let runId = 0
const run = (layout: Layout, overrides: Record<string, string> = {}) => {
  const mode = overrides['mode'] ?? 'plan'
  grantRoles(layout, mode === 'plan' || mode === 'destroy-plan' ? 'plan' : 'apply')
  return runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...layout.inputs, ...overrides }), GITHUB_RUN_ID: String(++runId) })
}

const projectOf = (record: CallRecord) => /\/projects\/([^/]+)\//.exec(record.path)?.[1] ?? ''
/** `project service:operation` of every write, sorted; Zilliz writes carry no project. */
const writesByProject = () =>
  emulators.log
    .writes()
    .map((r) => (r.service.startsWith('gcp-') ? `${projectOf(r)} ${r.service}:${r.operation}` : `${r.service}:${r.operation}`))
    .sort()

/** The calls (Google's and Zilliz's, token exchanges included) and writes of a fresh apply of one cluster, for docs/gcp.md. */
function printFreshApply(layout: string): void {
  const calls = emulators.log.calls()
  const google = calls.filter((c) => c.service.startsWith('gcp-')).length
  process.stdout.write(`GCP Shared VPC, ${layout}: fresh apply ${calls.length} calls (${google} Google), ${emulators.log.writes().length} writes\n`)
}

/** The writes of a fresh apply, and the project each lands in. */
function freshWrites(p: Record<Role, string>): string[] {
  return [
    `${p.endpoint} gcp-compute:addresses.insert`,
    `${p.endpoint} gcp-compute:addresses.setLabels`,
    `${p.endpoint} gcp-compute:forwardingRules.insert`,
    `${p.endpoint} gcp-compute:forwardingRules.setLabels`,
    `${p.dns} gcp-dns:changes.create`,
    `${p.dns} gcp-dns:managedZones.create`,
    'zilliz:CreatePrivateEndpoint'
  ].sort()
}

const CLUSTER = ZILLIZ_SEED.clusters.gcp
const HOST = `${CLUSTER}-privatelink.gcp-us-west1.vectordb.zillizcloud.com`

describe.each([
  ['the endpoint in the service project', ENDPOINT_IN_SERVICE],
  ['the endpoint in the host project', ENDPOINT_IN_HOST],
  ['the endpoint in the service project and the zones in a DNS project', CENTRAL_DNS]
])('Shared VPC with %s', (name, layout) => {
  const { projects } = layout
  const org = () => emulators.gcp.compute.org

  it('applies fresh with each write in its project, each project holding only its roles, and verifies the link', async () => {
    const result = await run(layout, { mode: 'apply' })
    expectVerifiedApply(result, writesByProject(), freshWrites(projects))
    printFreshApply(name)
    const calls = emulators.log.calls()
    // Reads of the network, its subnetwork and its firewall rules go to the host project only.
    const hostReads = calls.filter((c) => /^(networks|subnetworks|firewalls)\./.test(c.operation)).map(projectOf)
    expect(new Set(hostReads)).toEqual(new Set([GCP_HOST_PROJECT_ID]))
    // Zones are read in the DNS project; the network's DNS server policies in the network's project.
    const dnsCalls = calls.filter((c) => c.service === 'gcp-dns')
    expect(dnsCalls.filter((c) => c.operation !== 'policies.list').every((c) => projectOf(c) === projects.dns)).toBe(true)
    expect(new Set(dnsCalls.filter((c) => c.operation === 'policies.list').map(projectOf))).toEqual(new Set([GCP_HOST_PROJECT_ID]))

    // The address is reserved in the endpoint's project from the host's subnetwork, the rule uses the host's network.
    const endpointProject = org().compute(projects.endpoint)!
    const [address] = [...endpointProject.addresses.values()]
    expect(address).toMatchObject({ subnetwork: GCP_SHARED_SUBNETWORK, subnetworkProject: GCP_HOST_PROJECT_ID })
    expect(address!.address).toMatch(/^10\.60\./)
    const [rule] = [...endpointProject.forwardingRules.values()]
    expect(rule).toMatchObject({ network: GCP_SHARED_NETWORK, networkProject: GCP_HOST_PROJECT_ID, IPAddress: address!.address })
    expect(result.outputs['endpoint-id']).toBe(rule!.name)

    // Registration names the project that owns the forwarding rule; Zilliz accepted it.
    const registrations = emulators.zilliz.state.registrations.filter((r) => r.endpointId === rule!.name)
    expect(registrations.map((r) => [r.gcpProjectId, r.accepted])).toEqual([[projects.endpoint, true]])

    // The zone lives in the DNS project and is bound to the shared network of the host project.
    const zones = [...emulators.gcp.dns.zonesIn(projects.dns).values()]
    expect(zones.map((z) => [z.dnsName, z.networks])).toEqual([[`${HOST}.`, [SHARED_NETWORK_URL]]])
    expect(zones[0]!.records.find((r) => r.type === 'A')?.rrdatas).toEqual([address!.address])

    // The summary's Account row names every project the run acted in, with its part.
    const parts = new Map<string, string[]>()
    for (const [project, part] of [[projects.endpoint, 'endpoint'], [GCP_HOST_PROJECT_ID, 'network'], [projects.dns, 'DNS']] as const) parts.set(project, [...(parts.get(project) ?? []), part])
    const account = parts.size === 1 ? [...parts.keys()].join('') : [...parts].map(([project, named]) => `${project} (${named.join(', ')})`).join('; ')
    expect(result.summary).toContain(`| Account | ${account} |`)
  })

  it('re-applies with zero writes and keeps every step', async () => {
    await expectReapplyKeepsEverything((o) => run(layout, o), emulators.log)
  })

  it('plans with the plan roles only and zero writes after an apply', async () => {
    await expectPlanAfterApplyConverged((o) => run(layout, o), emulators.log)
  })

  it('destroys what it made in every project and deregisters the endpoint', async () => {
    expectSuccess(await run(layout, { mode: 'apply' }))
    emulators.log.clear()
    const destroyed = await run(layout, { mode: 'destroy' })
    expectSuccess(destroyed)
    for (const project of new Set(Object.values(projects))) {
      const state = org().compute(project)!
      expect([...state.addresses.keys(), ...state.forwardingRules.keys(), ...state.firewalls.keys()]).toEqual([])
      expect([...emulators.gcp.dns.zonesIn(project).keys()]).toEqual([])
    }
    expect(emulators.zilliz.state.registrations).toEqual([])
    expect(writesByProject()).toEqual(
      [
        `${projects.endpoint} gcp-compute:forwardingRules.delete`,
        `${projects.endpoint} gcp-compute:addresses.delete`,
        `${projects.dns} gcp-dns:changes.create`,
        `${projects.dns} gcp-dns:managedZones.delete`,
        'zilliz:DeletePrivateEndpoint'
      ].sort()
    )
  })
})

describe('a permission missing in the host project', () => {
  it('is named with the project and the service account, before any write (compute.subnetworks.use)', async () => {
    grantRoles(ENDPOINT_IN_SERVICE, 'apply')
    const iam = emulators.gcp.compute.org.iam
    const runWithout = async (project: string, permission: string, layout: Layout) => {
      const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...layout.inputs, mode: 'apply' }), GITHUB_RUN_ID: String(++runId) })
      expect(result.exitCode).toBe(1)
      const error = errorLine(result)
      expect(error).toContain(`lacks the IAM permission ${permission} on project ${project}`)
      expect(error).toContain(`the service account ${GCP_SERVICE_ACCOUNT}`)
      expect(error).toContain('docs/policies/gcp-network-apply.json')
      return error
    }
    iam.revoke(GCP_HOST_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'compute.subnetworks.use')
    const error = await runWithout(GCP_HOST_PROJECT_ID, 'compute.subnetworks.use', ENDPOINT_IN_SERVICE)
    expect(error).toMatch(/Step psc-address failed: Google Cloud compute\.addresses\.insert/)
    expect(emulators.log.writes()).toEqual([])
  })

  it('is named for the cross-project zone binding (dns.networks.bindPrivateDNSZone)', async () => {
    grantRoles(CENTRAL_DNS, 'apply')
    emulators.gcp.compute.org.iam.revoke(GCP_HOST_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'dns.networks.bindPrivateDNSZone')
    const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...CENTRAL_DNS.inputs, mode: 'apply' }), GITHUB_RUN_ID: String(++runId) })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toMatch(/Step dns-zone:[\w-]+ failed: Google Cloud dns\.managedZones\.create/)
    expect(error).toContain(`lacks the IAM permission dns.networks.bindPrivateDNSZone on project ${GCP_HOST_PROJECT_ID}`)
    expect(error).toContain(`the service account ${GCP_SERVICE_ACCOUNT}`)
    expect(error).toContain('docs/policies/gcp-network-apply.json')
    expect([...emulators.gcp.dns.zonesIn(GCP_DNS_PROJECT_ID).keys()]).toEqual([])
  })

  it('is named when the endpoint lives in the host project (compute.forwardingRules.pscCreate)', async () => {
    grantRoles(ENDPOINT_IN_HOST, 'apply')
    emulators.gcp.compute.org.iam.revoke(GCP_HOST_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'compute.forwardingRules.pscCreate')
    const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...ENDPOINT_IN_HOST.inputs, mode: 'apply' }), GITHUB_RUN_ID: String(++runId) })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toMatch(/Step psc-endpoint failed: Google Cloud compute\.forwardingRules\.insert/)
    expect(error).toContain(`lacks the IAM permission compute.forwardingRules.pscCreate on project ${GCP_HOST_PROJECT_ID}`)
    expect(error).toContain(`the service account ${GCP_SERVICE_ACCOUNT}`)
    // Every part is in the host project: the single-project role is the one to grant there.
    expect(error).toContain('docs/policies/gcp-apply.json')
  })
})

describe('a service project not attached to the host', () => {
  it('gets Google\'s cross-project refusal, said as the inputs that fix it, before any write', async () => {
    emulators.gcp.compute.org.detach(GCP_PROJECT_ID)
    const result = await run(ENDPOINT_IN_SERVICE, { mode: 'apply' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain('gcp-endpoint-project-id: ')
    expect(error).toContain('Cross-project references for this resource are not allowed')
    expect(error).toContain(`gcloud compute shared-vpc associated-projects add ${GCP_PROJECT_ID} --host-project ${GCP_HOST_PROJECT_ID}`)
    expect(emulators.log.writes()).toEqual([])
  })
})

describe('egress in a Shared VPC', () => {
  it('reads the host project\'s firewall rules, writes the managed egress allow there, and destroys it there', async () => {
    const host = adminClient(emulators.gcp, GCP_HOST_PROJECT_ID)
    await adminOperation(host, 'POST', 'global/firewalls', {
      name: 'deny-egress',
      network: `projects/${GCP_HOST_PROJECT_ID}/global/networks/${GCP_SHARED_NETWORK}`,
      direction: 'EGRESS',
      priority: 900,
      denied: [{ IPProtocol: 'tcp' }]
    })
    emulators.log.clear()
    const result = await run(ENDPOINT_IN_SERVICE, { mode: 'apply' })
    expectSuccess(result)
    expect(writesByProject()).toContain(`${GCP_HOST_PROJECT_ID} gcp-compute:firewalls.insert`)
    const managed = [...emulators.gcp.compute.project(GCP_HOST_PROJECT_ID).firewalls.values()].find((f) => f.name !== 'deny-egress')
    expect(managed).toMatchObject({ direction: 'EGRESS', priority: 899, network: GCP_SHARED_NETWORK })
    expect(emulators.gcp.compute.state.firewalls.size).toBe(0)
    expect(result.outputs['verified']).toBe('true')

    // Destroy finds the managed rule in the host project and leaves the user's deny alone.
    expectSuccess(await run(ENDPOINT_IN_SERVICE, { mode: 'destroy' }))
    expect([...emulators.gcp.compute.project(GCP_HOST_PROJECT_ID).firewalls.keys()]).toEqual(['deny-egress'])
  })
})

describe('inputs that disagree about the host project', () => {
  it('fail by name with zero calls', async () => {
    const result = await run(ENDPOINT_IN_SERVICE, { mode: 'apply', 'gcp-network': `projects/some-other-host/global/networks/${GCP_SHARED_NETWORK}` })
    expectNamedInputError(result, 'gcp-network', `but gcp-network-project-id is ${GCP_HOST_PROJECT_ID}`, emulators.log.calls())
  })
})

describe('a registration that names another project than the forwarding rule', () => {
  it('is never accepted by the service attachment', async () => {
    emulators.zilliz.addRegistration({ projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.gcp, endpointId: 'by-hand', gcpProjectId: GCP_HOST_PROJECT_ID })
    emulators.world.endpoints.add('gcp', 'by-hand', GCP_PROJECT_ID)
    emulators.zilliz.settle()
    expect(emulators.zilliz.state.registrations.find((r) => r.endpointId === 'by-hand')?.accepted).toBe(false)
    expect(sortedWrites(emulators.log)).toEqual([])
  })
})

// dns: existing-zone and dns: none with a Shared VPC: the named zone lives in a DNS project and was bound to
// the host's network by its owner; with none there is no Cloud DNS at all. Each project is granted its role
// minus what the mode never calls, so a call the mode should not make fails the run.
const ZONE_WRITES = ['dns.managedZones.create', 'dns.managedZones.update', 'dns.managedZones.delete', 'dns.networks.bindPrivateDNSZone']
const CENTRAL_ZONE = 'zilliz-central'
const EXISTING_ZONE: Layout = {
  inputs: { ...ENDPOINT_IN_SERVICE.inputs, 'gcp-dns-project-id': GCP_DNS_PROJECT_ID, dns: 'existing-zone', 'dns-zone-ids': CENTRAL_ZONE },
  projects: { network: GCP_HOST_PROJECT_ID, endpoint: GCP_PROJECT_ID, dns: GCP_DNS_PROJECT_ID },
  // The DNS project holds the records-only role of this mode; the network role's binding goes unused.
  applyFiles: { dns: 'gcp-dns-apply-dns-existing-zone.json' },
  unused: (p) => ZONE_WRITES.includes(p)
}
const NO_DNS: Layout = {
  inputs: { ...ENDPOINT_IN_SERVICE.inputs, dns: 'none' },
  projects: { network: GCP_HOST_PROJECT_ID, endpoint: GCP_PROJECT_ID, dns: GCP_PROJECT_ID },
  unused: (p) => p.startsWith('dns.')
}

/** The DNS team's zone in the DNS project, bound to the host's shared network. */
function makeCentralZone(): void {
  emulators.gcp.dns.zonesIn(GCP_DNS_PROJECT_ID).set(CENTRAL_ZONE, {
    name: CENTRAL_ZONE,
    id: '9100',
    dnsName: `${HOST}.`,
    description: 'made by the DNS team',
    visibility: 'private',
    networks: [SHARED_NETWORK_URL],
    labels: {},
    creationTime: new Date().toISOString(),
    records: [],
    changes: []
  })
}
const centralRecords = () =>
  emulators.gcp.dns
    .zonesIn(GCP_DNS_PROJECT_ID)
    .get(CENTRAL_ZONE)!
    .records.filter((r) => r.type !== 'NS' && r.type !== 'SOA')
    .map((r) => `${r.name} ${r.type} ${(r.rrdatas ?? []).join(',')}`)

const ENDPOINT_WRITES = [
  `${GCP_PROJECT_ID} gcp-compute:addresses.insert`,
  `${GCP_PROJECT_ID} gcp-compute:addresses.setLabels`,
  `${GCP_PROJECT_ID} gcp-compute:forwardingRules.insert`,
  `${GCP_PROJECT_ID} gcp-compute:forwardingRules.setLabels`,
  'zilliz:CreatePrivateEndpoint'
]
const ENDPOINT_DELETES = [`${GCP_PROJECT_ID} gcp-compute:forwardingRules.delete`, `${GCP_PROJECT_ID} gcp-compute:addresses.delete`, 'zilliz:DeletePrivateEndpoint']

describe.each([
  ['dns: existing-zone, the zone in a DNS project', EXISTING_ZONE, [`${GCP_DNS_PROJECT_ID} gcp-dns:changes.create`]],
  ['dns: none', NO_DNS, []]
])('Shared VPC with %s', (name, layout, dnsWrites) => {
  beforeEach(() => {
    if (layout === EXISTING_ZONE) makeCentralZone()
  })

  it('applies fresh: the endpoint in the service project, DNS only as the mode says, without the permissions the mode never uses', async () => {
    const result = await run(layout, { mode: 'apply' })
    expectVerifiedApply(result, writesByProject(), [...ENDPOINT_WRITES, ...dnsWrites].sort())
    printFreshApply(name)
    const [address] = [...emulators.gcp.compute.project(GCP_PROJECT_ID).addresses.values()]
    expect(address).toMatchObject({ subnetwork: GCP_SHARED_SUBNETWORK, subnetworkProject: GCP_HOST_PROJECT_ID })
    expect(emulators.zilliz.state.registrations.map((r) => [r.gcpProjectId, r.accepted])).toEqual([[GCP_PROJECT_ID, true]])
    const dnsCalls = emulators.log.calls().filter((c) => c.service === 'gcp-dns')
    const records = JSON.parse(result.outputs['dns-records'] ?? '[]') as { name: string; values: string[] }[]
    expect(records.map((r) => [r.name, r.values])).toEqual([[HOST, [address!.address]]])
    if (layout === NO_DNS) {
      expect(dnsCalls).toEqual([])
      return
    }
    // Zones are read and written in the DNS project only (the host's server policies aside); none is made or bound.
    expect(new Set(dnsCalls.filter((c) => c.operation !== 'policies.list').map(projectOf))).toEqual(new Set([GCP_DNS_PROJECT_ID]))
    expect(centralRecords().sort()).toEqual([`${HOST}. A ${address!.address}`, expect.stringMatching(new RegExp(`^_zilliz-private-link\\.${HOST.replace(/\./g, '\\.')}\\. TXT `))].sort())
  })

  it('re-applies with zero writes and keeps every step', async () => {
    await expectReapplyKeepsEverything((o) => run(layout, o), emulators.log)
  })

  it('plans with zero writes after an apply', async () => {
    await expectPlanAfterApplyConverged((o) => run(layout, o), emulators.log)
  })

  it('destroys the endpoint and only its own records, keeping the named zone', async () => {
    expectSuccess(await run(layout, { mode: 'apply' }))
    emulators.log.clear()
    expectSuccess(await run(layout, { mode: 'destroy' }))
    expect(writesByProject()).toEqual([...ENDPOINT_DELETES, ...dnsWrites].sort())
    expect([...emulators.gcp.compute.project(GCP_PROJECT_ID).forwardingRules.keys()]).toEqual([])
    expect(emulators.zilliz.state.registrations).toEqual([])
    if (layout === EXISTING_ZONE) expect(centralRecords()).toEqual([])
  })
})

describe('dns: existing-zone with a zone name alone and no gcp-dns-project-id', () => {
  it('looks for it in the endpoint\'s project, and says so when it is not there', async () => {
    makeCentralZone()
    const { 'gcp-dns-project-id': _central, ...inputs } = EXISTING_ZONE.inputs
    const result = await run({ ...EXISTING_ZONE, inputs, projects: { ...EXISTING_ZONE.projects, dns: GCP_PROJECT_ID } }, { mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain(`managed zone ${CENTRAL_ZONE} does not exist (Cloud DNS answers 404 for ${CENTRAL_ZONE} in project ${GCP_PROJECT_ID})`)
    expect(emulators.log.writes()).toEqual([])
  })
})

describe('dns: existing-zone, a permission missing on the zone\'s project', () => {
  it('names the project and the records-only DNS role of that mode', async () => {
    makeCentralZone()
    grantRoles(EXISTING_ZONE, 'apply')
    emulators.gcp.compute.org.iam.revoke(GCP_DNS_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'dns.changes.create')
    const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...EXISTING_ZONE.inputs, mode: 'apply' }), GITHUB_RUN_ID: String(++runId) })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain(`lacks the IAM permission dns.changes.create on project ${GCP_DNS_PROJECT_ID}`)
    expect(error).toContain('grant it as docs/policies/gcp-dns-apply-dns-existing-zone.json does')
    expect(centralRecords()).toEqual([])
  })

  it('in one project, names the single-project file of that mode', async () => {
    const zone = 'zilliz-own'
    emulators.gcp.dns.zonesIn(GCP_PROJECT_ID).set(zone, { name: zone, id: '9200', dnsName: `${HOST}.`, description: 'made by hand', visibility: 'private', networks: [`https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`], labels: {}, creationTime: new Date().toISOString(), records: [], changes: [] })
    const granted = policyFile('gcp-apply-dns-existing-zone.json').includedPermissions.filter((p) => p !== 'dns.changes.create')
    emulators.gcp.compute.org.iam.grant(GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, granted)
    const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { mode: 'apply', dns: 'existing-zone', 'dns-zone-ids': zone }), GITHUB_RUN_ID: String(++runId) })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain(`lacks the IAM permission dns.changes.create on project ${GCP_PROJECT_ID}`)
    expect(error).toContain('grant it as docs/policies/gcp-apply-dns-existing-zone.json does')
  })
})

// A central zone for the whole region, bound to the host's network and to another team's network: that
// team's record and its ownership marker (same repository and Zilliz project, another network) and a record
// made by hand stay exactly as they were through our apply, re-apply and destroy.
describe('a central zone another network writes into too', () => {
  const REGION_ZONE = 'zilliz-region-hub'
  const OTHER_NETWORK = 'projects/other-host-project/global/networks/other-shared-vpc'
  const OTHER_HOST = `in01-0123456789abcde-privatelink.gcp-us-west1.vectordb.zillizcloud.com`
  const LAYOUT: Layout = { ...EXISTING_ZONE, inputs: { ...EXISTING_ZONE.inputs, 'dns-zone-ids': `projects/${GCP_DNS_PROJECT_ID}/managedZones/${REGION_ZONE}` } }
  const zoneRecords = () =>
    emulators.gcp.dns
      .zonesIn(GCP_DNS_PROJECT_ID)
      .get(REGION_ZONE)!
      .records.filter((r) => r.type !== 'NS' && r.type !== 'SOA')
      .map((r) => `${r.name} ${r.type} ${(r.rrdatas ?? []).join(',')}`)
      .sort()

  it('keeps the other network\'s record, its marker and a hand-made record through apply, re-apply and destroy', async () => {
    emulators.gcp.dns.zonesIn(GCP_DNS_PROJECT_ID).set(REGION_ZONE, {
      name: REGION_ZONE,
      id: '9300',
      dnsName: 'gcp-us-west1.vectordb.zillizcloud.com.',
      description: 'the region\'s private-link names, for every network of the organization',
      visibility: 'private',
      networks: [SHARED_NETWORK_URL, `https://www.googleapis.com/compute/v1/${OTHER_NETWORK}`],
      labels: {},
      creationTime: new Date().toISOString(),
      records: [],
      changes: []
    })
    expectSuccess(await run(LAYOUT, { mode: 'apply' }))
    // The other network's run wrote the same kind of record and marker: our repository and project, its network.
    const records = emulators.gcp.dns.zonesIn(GCP_DNS_PROJECT_ID).get(REGION_ZONE)!.records
    const ours = records.find((r) => r.type === 'TXT')!
    const sharedPath = `projects/${GCP_HOST_PROJECT_ID}/global/networks/${GCP_SHARED_NETWORK}`
    expect(ours.rrdatas.join(' ')).toContain(sharedPath)
    records.push(
      { name: `${OTHER_HOST}.`, type: 'A', ttl: 60, rrdatas: ['10.70.0.5'] },
      { name: `_zilliz-private-link.${OTHER_HOST}.`, type: 'TXT', ttl: 60, rrdatas: ours.rrdatas.map((v) => v.replace(sharedPath, OTHER_NETWORK)) },
      { name: 'legacy.gcp-us-west1.vectordb.zillizcloud.com.', type: 'A', ttl: 300, rrdatas: ['10.70.0.9'] }
    )
    const theirs = zoneRecords().filter((r) => !r.includes(HOST))
    expect(theirs).toHaveLength(3)

    emulators.log.clear()
    expectSuccess(await run(LAYOUT, { mode: 'apply' }))
    expect(emulators.log.writes()).toEqual([])

    emulators.log.clear()
    expectSuccess(await run(LAYOUT, { mode: 'destroy' }))
    expect(writesByProject()).toEqual([...ENDPOINT_DELETES, `${GCP_DNS_PROJECT_ID} gcp-dns:changes.create`].sort())
    expect(zoneRecords()).toEqual(theirs)
  })
})
